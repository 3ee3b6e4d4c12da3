"""Reads of missing credentials (obligations no credential covers) and of the portfolio
summary each list row shows.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.lookups import IsNull

from clients.models import Client, Obligation
from clients.selectors.detail import rows_pointing_at_client
from reporting.selectors import Catalog


@dataclass(frozen=True)
class MissingCredential:
    """An obligation of a client that no credential covers."""

    country: str
    country_name: str
    report_type: str | None
    pro: str | None

    def matches(self, term: str) -> bool:
        term = term.casefold()
        return (
            term == self.country.casefold()
            or (len(term) > 2 and self.country_name.casefold().startswith(term))
            or term in (self.report_type or "").casefold()
            or term in (self.pro or "").casefold()
        )


def uncovered_obligations(obligations: QuerySet[Obligation]) -> QuerySet[Obligation]:
    """The obligations none of their client's credentials covers: the missing-credential rule,
    written once for every read of missing credentials (a client's, a page's, a list filter).

    A credential covers an obligation when it is for the same country and report type, and for
    the same PRO when the obligation names one; any credential in the country covers an
    obligation without a report type (the client operates there).
    """
    # One NOT EXISTS, so that the database reads it as an anti-join.
    covering = rows_pointing_at_client("credential_report_types").filter(
        Q(pro_id=OuterRef("pro_id")) | Q(IsNull(OuterRef("pro_id"), True)),
        Q(report_type_id=OuterRef("report_type_id")) | Q(IsNull(OuterRef("report_type_id"), True)),
        client_id=OuterRef("client_id"),
        country_id=OuterRef("country_id"),
    )
    return obligations.exclude(Exists(covering))


def clients_missing_credentials(clients: QuerySet[Client], *, missing: bool) -> QuerySet[Client]:
    """The clients with (`missing`) or without an obligation that no credential covers."""
    # Distinct, so that the database expects at most one row per client and hashes the set.
    uncovered = uncovered_obligations(Obligation.objects.all()).order_by().values("client_id")
    uncovered = uncovered.distinct()
    return clients.filter(pk__in=uncovered) if missing else clients.exclude(pk__in=uncovered)


def missing_credentials_of_clients(
    client_ids: Iterable[int], *, catalog: Callable[[], Catalog] = Catalog.current
) -> dict[int, list[MissingCredential]]:
    """For each client, one row per obligation that none of its credentials covers
    (`uncovered_obligations`), in one query whatever the number of clients (and the catalog's,
    when a PRO must be guessed).

    The row's PRO is the obligation's, else the only PRO the catalog has for that country and
    report type, else None. `catalog` gives the catalog, asked only when a PRO is guessed.
    """
    client_ids = list(client_ids)
    known = None
    missing: dict[int, list[MissingCredential]] = {pk: [] for pk in client_ids}
    obligations = uncovered_obligations(
        Obligation.objects.filter(client_id__in=client_ids)
    ).select_related("country", "report_type", "pro")
    for obligation in obligations:
        pro = obligation.pro
        if obligation.report_type_id is None:
            pro = None
        elif obligation.pro_id is None:
            known = known or catalog()
            pro = known.only_pro_for(obligation.country, obligation.report_type)
        missing[obligation.client_id].append(
            MissingCredential(
                country=obligation.country.code,
                country_name=obligation.country.name_en,
                report_type=obligation.report_type.code if obligation.report_type_id else None,
                pro=pro.name if pro else None,
            )
        )
    return missing


@dataclass(frozen=True)
class ClientPortfolioSummary:
    """What a list row shows of a client's portfolio: the sorted country and report type codes
    of its credentials and obligations, how many credentials it has, and how many of its
    obligations no credential covers."""

    countries: list[str]
    report_types: list[str]
    credential_count: int
    missing_count: int


def client_portfolio_summaries(
    client_ids: Iterable[int], *, catalog: Callable[[], Catalog] = Catalog.current
) -> dict[int, ClientPortfolioSummary]:
    """Each client's ClientPortfolioSummary, in the same few queries whatever their number
    (`catalog` gives the catalog, as in `missing_credentials_of_clients`)."""
    client_ids = list(client_ids)
    countries: dict[int, set[str]] = {pk: set() for pk in client_ids}
    report_types: dict[int, set[str]] = {pk: set() for pk in client_ids}
    credential_report_types = (
        rows_pointing_at_client("credential_report_types")
        .filter(client_id__in=client_ids)
        .values_list("client_id", "country__code", "report_type__code")
    )
    for client_id, country, report_type in credential_report_types:
        countries[client_id].add(country)
        report_types[client_id].add(report_type)
    obligations = Obligation.objects.filter(client_id__in=client_ids).values_list(
        "client_id", "country__code", "report_type__code"
    )
    for client_id, country, report_type in obligations:
        countries[client_id].add(country)
        if report_type is not None:
            report_types[client_id].add(report_type)
    credential_counts = dict(
        rows_pointing_at_client("credentials")
        .filter(client_id__in=client_ids)
        .order_by()
        .values_list("client_id")
        .annotate(count=Count("pk"))
    )
    missing = missing_credentials_of_clients(client_ids, catalog=catalog)
    return {
        pk: ClientPortfolioSummary(
            countries=sorted(countries[pk]),
            report_types=sorted(report_types[pk]),
            credential_count=credential_counts.get(pk, 0),
            missing_count=len(missing[pk]),
        )
        for pk in client_ids
    }
