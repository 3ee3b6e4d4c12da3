"""Reads of missing credentials (obligations no credential covers) and of the portfolio
summary each list row shows.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.lookups import IsNull

from clients.models import Alias, Client, Obligation
from clients.selectors.detail import rows_pointing_at_client
from config.compiled_statements import CompiledStatement
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
    return obligations.exclude(_covered())


def _covered() -> Exists:
    """Whether a credential of the obligation's client covers it (`uncovered_obligations`)."""
    return Exists(
        rows_pointing_at_client("credential_report_types").filter(
            Q(pro_id=OuterRef("pro_id")) | Q(IsNull(OuterRef("pro_id"), True)),
            Q(report_type_id=OuterRef("report_type_id"))
            | Q(IsNull(OuterRef("report_type_id"), True)),
            client_id=OuterRef("client_id"),
            country_id=OuterRef("country_id"),
        )
    )


def clients_missing_credentials(clients: QuerySet[Client], *, missing: bool) -> QuerySet[Client]:
    """The clients with (`missing`) or without an obligation that no credential covers."""
    # Distinct, so that the database expects at most one row per client and hashes the set.
    uncovered = uncovered_obligations(Obligation.objects.all()).order_by().values("client_id")
    uncovered = uncovered.distinct()
    return clients.filter(pk__in=uncovered) if missing else clients.exclude(pk__in=uncovered)


def missing_credentials_of_clients(client_ids: Iterable[int]) -> dict[int, list[MissingCredential]]:
    """For each client, one row per obligation that none of its credentials covers
    (`uncovered_obligations`), in one query whatever the number of clients (and the catalog's,
    when a PRO must be guessed).

    The row's PRO is the obligation's, else the only PRO the catalog has for that country and
    report type, else None.
    """
    client_ids = list(client_ids)
    catalog = None
    missing: dict[int, list[MissingCredential]] = {pk: [] for pk in client_ids}
    obligations = uncovered_obligations(
        Obligation.objects.filter(client_id__in=client_ids)
    ).select_related("country", "report_type", "pro")
    for obligation in obligations:
        pro = obligation.pro
        if obligation.report_type_id is None:
            pro = None
        elif obligation.pro_id is None:
            catalog = catalog or Catalog.current()
            pro = catalog.only_pro_for(obligation.country, obligation.report_type)
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
    # The client's aliases as (scope, name) pairs, for `client_aliases`.
    aliases: tuple = ()


# The kinds of rows of client_portfolio_summaries' query.
_CREDENTIAL_REPORT_TYPE, _OBLIGATION, _CREDENTIALS, _ALIAS = 1, 2, 3, 4


def _summary_rows(client_ids) -> QuerySet:
    """The union `client_portfolio_summaries` reads: (client, country code, report type code,
    kind, number) rows of the clients' credential report types, obligations, credential counts
    and aliases."""
    code = CharField()
    columns = ("client_id", "country_code", "report_type_code", "kind", "number")
    credential_report_types = (
        rows_pointing_at_client("credential_report_types")
        .filter(client_id__one_of=client_ids)
        .order_by()
        .annotate(
            country_code=F("country__code"),
            report_type_code=F("report_type__code"),
            kind=Value(_CREDENTIAL_REPORT_TYPE),
            number=Value(0),
        )
        .values_list(*columns)
    )
    obligations = (
        Obligation.objects.filter(client_id__one_of=client_ids)
        .order_by()
        .annotate(
            country_code=F("country__code"),
            report_type_code=F("report_type__code"),
            kind=Value(_OBLIGATION),
            number=Case(When(_covered(), then=Value(0)), default=Value(1)),
        )
        .values_list(*columns)
    )
    credentials = (
        rows_pointing_at_client("credentials")
        .filter(client_id__one_of=client_ids)
        .order_by()
        .values("client_id")
        .annotate(
            country_code=Value(None, output_field=code),
            report_type_code=Value(None, output_field=code),
            kind=Value(_CREDENTIALS),
            number=Count("pk"),
        )
        .values_list(*columns)
    )
    aliases = (
        Alias.objects.filter(client_id__one_of=client_ids)
        .order_by()
        .annotate(
            country_code=F("scope"),
            report_type_code=F("name"),
            kind=Value(_ALIAS),
            number=Value(0),
        )
        .values_list(*columns)
    )
    return credential_report_types.union(obligations, credentials, aliases, all=True)


# Compiled once per process, for any number of clients (config/compiled_statements.py).
_SUMMARIES = CompiledStatement(_summary_rows, client_ids=[-739_120_003])


def client_portfolio_summaries(client_ids: Iterable[int]) -> dict[int, ClientPortfolioSummary]:
    """Each client's ClientPortfolioSummary, in one query whatever their number: the union of
    the clients' credential report types (country and report type codes), obligations (codes,
    and whether one is uncovered: `uncovered_obligations`), credential counts and aliases."""
    client_ids = list(client_ids)
    countries: dict[int, set[str]] = {pk: set() for pk in client_ids}
    report_types: dict[int, set[str]] = {pk: set() for pk in client_ids}
    credential_counts: dict[int, int] = {}
    missing_counts: dict[int, int] = dict.fromkeys(client_ids, 0)
    if not client_ids:
        return {}
    alias_pairs: dict[int, list[tuple[str, str]]] = {pk: [] for pk in client_ids}
    for client_id, country, report_type, kind, number in _SUMMARIES.rows(client_ids=client_ids):
        if kind == _CREDENTIALS:
            credential_counts[client_id] = number
            continue
        if kind == _ALIAS:
            alias_pairs[client_id].append((country, report_type))
            continue
        countries[client_id].add(country)
        if report_type is not None:
            report_types[client_id].add(report_type)
        missing_counts[client_id] += number
    return {
        pk: ClientPortfolioSummary(
            countries=sorted(countries[pk]),
            report_types=sorted(report_types[pk]),
            credential_count=credential_counts.get(pk, 0),
            missing_count=missing_counts[pk],
            aliases=tuple(alias_pairs[pk]),
        )
        for pk in client_ids
    }
