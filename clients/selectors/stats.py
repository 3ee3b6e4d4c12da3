"""Reads of the portfolio's statistics: the kept counters, and a recount from the rows."""

from collections import Counter

from django.db.models import Count, QuerySet

from clients.models import Obligation, Organization
from clients.portfolio_stats import organization_counts
from clients.selectors.detail import rows_pointing_at_client
from clients.tenancy import clients_of
from reporting.models import Country, ReportType


def _descending(counts: Counter) -> dict[str, int]:
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def client_stats(*, organization: Organization) -> dict:
    """Counts of the organization's own clients, collective-account pseudo-clients left out.

    `by_country` and `by_report_type` count a client once per country (report type) in which
    it has a credential or an obligation. Read from the counts the database keeps
    (clients/portfolio_stats.py), with the catalog's codes, in one query: a few rows whatever
    the portfolio's size.
    """
    counts = organization_counts(
        organization.pk,
        code_tables={"country": Country._meta.db_table, "report_type": ReportType._meta.db_table},
    )
    return {
        "total_clients": sum(counts["status"].values()),
        "by_country": _descending(counts["country"]),
        "by_report_type": _descending(counts["report_type"]),
        "by_status": _descending(counts["status"]),
    }


def client_stats_recount(*, organization: Organization) -> dict:
    """The same counts as `client_stats`, counted from the rows (for checks)."""
    portfolio = clients_of(organization).filter(collective_account=False)
    by_status = Counter(
        dict(portfolio.order_by().values_list("status").annotate(clients=Count("id")))
    )
    portfolio_ids = portfolio.values("pk")
    return {
        "total_clients": sum(by_status.values()),
        "by_country": _descending(_distinct_clients_per("country", portfolio_ids)),
        "by_report_type": _descending(_distinct_clients_per("report_type", portfolio_ids)),
        "by_status": _descending(by_status),
    }


def _distinct_clients_per(key: str, portfolio: QuerySet) -> Counter:
    """Distinct clients per `key` (country or report_type) over credentials and obligations."""
    credential_rows = rows_pointing_at_client("credential_report_types").filter(
        client__in=portfolio
    )
    pairs = set(credential_rows.order_by().values_list("client_id", f"{key}__code"))
    pairs |= set(
        Obligation.objects.filter(client__in=portfolio, **{f"{key}__isnull": False})
        .order_by()
        .values_list("client_id", f"{key}__code")
    )
    return Counter(code for _, code in pairs)
