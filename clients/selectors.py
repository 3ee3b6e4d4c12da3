"""Reads of clients: the portfolio list, one client, local company names and statistics.

Credential data is reached through Client's reverse relations (`credentials`,
`credential_report_types`), never by importing the credentials app, which depends on this one.
"""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import NamedTuple

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Lower
from django.db.models.lookups import IsNull

from clients.models import (
    GLOBAL_SCOPE,
    Alias,
    Client,
    ClientCoverage,
    ClientOrganizationGrant,
    Obligation,
    Organization,
)
from clients.portfolio_stats import organization_counts
from clients.portfolio_version import cached_for_portfolio
from clients.search import folded_contains
from clients.tenancy import clients_of, clients_readable_by
from reporting.models import Country, Pro, ReportType
from reporting.selectors import Catalog


def rows_pointing_at_client(relation: str) -> QuerySet:
    """All rows of the model that refers to Client through the reverse relation `relation`.

    Subqueries over those rows (`client_id IN (...)`) keep list queries free of joins that would
    repeat clients and need DISTINCT.
    """
    return Client._meta.get_field(relation).related_model._default_manager.all()


def client_name_taken(
    *, organization: Organization, name: str, exclude: Client | None = None
) -> bool:
    """Whether another client of the organization already has this name (case-insensitive).

    Compared as lower(name), like the unique constraint, whose index answers it.
    """
    clients = (
        clients_of(organization)
        .alias(lower_name=Lower("name"))
        .filter(lower_name=Lower(Value(name.strip())))
    )
    if exclude is not None and exclude.pk is not None:
        clients = clients.exclude(pk=exclude.pk)
    return clients.exists()


def client_organizations_consenting(client: Client) -> QuerySet[Organization]:
    """Organizations the client's agency may name as its `client_organization`: those that
    agreed to be this client (a grant the agency created for it, or an invitation of the agency
    accepted by their admin). A shared client reaches that organization's lists, so nothing
    else is ever one; a client not saved yet has none."""
    if client.pk is None:
        return Organization.objects.none()
    return Organization.objects.exclude(pk=client.organization_id).filter(
        Exists(
            ClientOrganizationGrant.objects.filter(
                client=client,
                agency_id=client.organization_id,
                client_organization=OuterRef("pk"),
                accepted_at__isnull=False,
            )
        )
    )


def organization_shares_received(organization: Organization, version: int | None) -> bool:
    """Whether any client is shared with the organization, remembered under its version
    (sharing a client, or no longer sharing it, renews the version of the organization it is
    shared with)."""
    return cached_for_portfolio(
        organization.pk,
        "anything-shared",
        (),
        Client.objects.filter(shared=True, client_organization=organization).exists,
        version=version,
    )


def _readable_clients(organization: Organization, version: int | None) -> QuerySet[Client]:
    # Most organizations have nothing shared with them: without the OR of
    # clients_readable_by, the (organization, lower(name)) index serves the ordered page.
    if organization_shares_received(organization, version):
        return clients_readable_by(organization)
    return clients_of(organization)


def _list_rows(clients: QuerySet[Client]) -> QuerySet[Client]:
    """What a list row shows: the client's own fields and its aliases."""
    return clients.only("id", "name", "status", "notes").prefetch_related("aliases")


def client_list(*, organization: Organization, version: int | None) -> QuerySet[Client]:
    """Clients the organization may read, ordered by name (ignoring case) then id, aliases
    prefetched. Lower(name) is what the unique (organization, lower(name)) index holds.

    `version` is the organization's portfolio version (`portfolio_version`), read before.
    """
    return _list_rows(_readable_clients(organization, version)).order_by(Lower("name"), "id")


class ClientQuestion(NamedTuple):
    """What a client list request asks, whatever its spelling (see ClientFilterSet.question):
    catalog filters by id, so that a renamed PRO still names the same question."""

    search: str
    company_name_only: bool
    countries: tuple[int, ...]
    report_types: tuple[int, ...]
    pros: tuple[int, ...]
    statuses: tuple[str, ...]
    collective_account: bool
    ordering: str

    @property
    def looks_beyond_clients(self) -> bool:
        """Whether the answer reads other tables than the clients' own (search, catalog)."""
        return bool(self.search or self.countries or self.report_types or self.pros)

    @property
    def filters_catalog(self) -> bool:
        return bool(self.countries or self.report_types or self.pros)


class ClientMatches:
    """The clients a list filter matched, in list order, answered from the cache when the
    organization's portfolio has not changed since: `count()` and slicing, as DRF's pagination
    reads them.

    `version` is the organization's portfolio version read before `clients` was built.
    `question` identifies the filter. A search collects its matches once anyway (the union of
    its sources), so its ids are cached in order and any page is read by id. Any other filter
    is answered by a count and the page alone, each from an index: the page walks the
    clients in list order and probes each one's coverage, and stops at the page's end; the
    total of a catalog filter is counted from the coverage's (organization, country, report
    type, PRO, client) index without reading the clients. Only the total is cached then.
    """

    def __init__(
        self,
        *,
        organization: Organization,
        version: int | None,
        clients: QuerySet[Client],
        question: ClientQuestion,
        remember_ids: bool | None = None,
    ):
        self.organization = organization
        self.version = version
        self.clients = clients
        self.question = question
        self.remember_ids = bool(question.search) if remember_ids is None else remember_ids

    def _cached(self, name: str, compute):
        return cached_for_portfolio(
            self.organization.pk, name, self.question, compute, version=self.version
        )

    @cached_property
    def ids(self) -> list[int]:
        return self._cached("client-ids", lambda: list(self.clients.values_list("pk", flat=True)))

    def _total(self) -> int:
        question = self.question
        if (
            question.filters_catalog
            and not question.search
            and not question.statuses
            and not organization_shares_received(self.organization, self.version)
        ):
            return clients_covering_count(
                organization=self.organization,
                collective_account=question.collective_account,
                countries=question.countries,
                report_types=question.report_types,
                pros=question.pros,
            )
        return self.clients.count()

    def count(self) -> int:
        if self.remember_ids:
            return len(self.ids)
        return self._cached("client-count", self._total)

    def __getitem__(self, window: slice) -> list[Client]:
        if not self.remember_ids:
            return list(self.clients[window])
        ids = self.ids[window]
        found = _list_rows(clients_readable_by(self.organization)).in_bulk(ids)
        return [found[pk] for pk in ids if pk in found]


def client_details(*, organization: Organization, writable: bool) -> QuerySet[Client]:
    """Clients to answer or change one at a time; the answer reads aliases and obligations with
    one query each (`client_aliases`, `client_obligations`).

    `writable` narrows to the clients the organization owns; otherwise clients shared with it
    are included too (read-only).
    """
    return clients_of(organization) if writable else clients_readable_by(organization)


def client_obligations(client: Client) -> list[dict]:
    """The client's obligations as `{country, report_type, pro}` codes and name (pro None: any
    PRO), by country then report type. Plain values: for one client, model instances and a
    prefetch would cost more than the query itself."""
    rows = client.obligations.order_by("country__code", "report_type__code", "pro__name")
    return [
        {"country": country, "report_type": report_type, "pro": pro}
        for country, report_type, pro in rows.values_list(
            "country__code", "report_type__code", "pro__name"
        )
    ]


def clients_matching(
    clients: QuerySet[Client], *, text: str, company_name_only: bool = False
) -> QuerySet[Client]:
    """Clients whose name or an alias contains `text`, ignoring case and accents ("lumiere"
    finds "Lumière", "ŁÓDŹ" finds "Łódź"; clients/search.py).

    Unless `company_name_only`, notes, credential logins (including the login a linked
    credential reads from its collective account) and registration numbers match too.
    """
    text = text.strip()
    if not text:
        return clients
    # One id set per source, each found through its own trigram index on the folded column,
    # united into one set: the database then estimates its size from the sources' and joins
    # the few matching clients, instead of walking every client in name order and testing it
    # against each set.
    named = folded_contains("name", text)
    if not company_name_only:
        named |= folded_contains("notes", text)
    sources = [
        Client.objects.filter(named).order_by().values("pk"),
        Alias.objects.filter(folded_contains("name", text)).order_by().values("client_id"),
    ]
    if not company_name_only:
        credentials = rows_pointing_at_client("credentials")
        login = folded_contains("login", text)
        sources += [
            credentials.filter(login | folded_contains("registration_number", text))
            .order_by()
            .values("client_id"),
            # A linked credential has no login of its own: its collective account's counts.
            credentials.filter(collective_account__in=credentials.filter(login).values("pk"))
            .order_by()
            .values("client_id"),
        ]
    return clients.filter(pk__in=sources[0].union(*sources[1:]))


def _coverage_conditions(countries, report_types, pros) -> dict:
    """Conditions on ClientCoverage rows: each argument is a set of accepted values, as catalog
    rows or ids (empty: no condition)."""
    conditions = {}
    if countries:
        conditions["country__in"] = countries
    if report_types:
        conditions["report_type__in"] = report_types
    if pros:
        conditions["pro__in"] = pros
    return conditions


def clients_covering(
    clients: QuerySet[Client],
    *,
    countries: Iterable[Country] | QuerySet = (),
    report_types: Iterable[ReportType] | QuerySet = (),
    pros: Iterable[Pro] | QuerySet = (),
) -> QuerySet[Client]:
    """Clients with ONE credential or ONE obligation that satisfies every given condition at once.

    Each argument is a set of accepted values (empty: no condition). A client with a DE/WEEE
    credential and a FR/Packaging obligation does not cover DE + Packaging. Read from the
    clients' coverage (clients/portfolio_stats.py), not the credentials: a probe of each
    client's coverage in its (client, country, report type, PRO) index, so that the list can
    stop at the end of its page, or a hash of every covering client when the database expects
    few (it chooses).
    """
    conditions = _coverage_conditions(countries, report_types, pros)
    if not conditions:
        return clients
    return clients.filter(
        Exists(ClientCoverage.objects.filter(client_id=OuterRef("pk"), **conditions))
    )


def clients_covering_count(
    *,
    organization: Organization,
    collective_account: bool,
    countries: Iterable = (),
    report_types: Iterable = (),
    pros: Iterable = (),
) -> int:
    """How many of the organization's own clients (collective-account pseudo-clients or the
    others) `clients_covering` keeps, counted from the coverage's index alone."""
    rows = ClientCoverage.objects.filter(
        organization=organization,
        collective_account=collective_account,
        **_coverage_conditions(countries, report_types, pros),
    )
    return rows.aggregate(clients=Count("client_id", distinct=True))["clients"]


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
            catalog = catalog or Catalog.load()
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


def client_portfolio_summaries(client_ids: Iterable[int]) -> dict[int, ClientPortfolioSummary]:
    """Each client's ClientPortfolioSummary, in the same few queries whatever their number."""
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
    missing = missing_credentials_of_clients(client_ids)
    return {
        pk: ClientPortfolioSummary(
            countries=sorted(countries[pk]),
            report_types=sorted(report_types[pk]),
            credential_count=credential_counts.get(pk, 0),
            missing_count=len(missing[pk]),
        )
        for pk in client_ids
    }


def client_local_company_name(*, client: Client, country: Country) -> str | None:
    """The client's name in `country` (its alias for that country), or None."""
    return client.aliases.filter(scope=country.code).values_list("name", flat=True).first()


def client_aliases(client: Client) -> dict[str, str]:
    """`{scope: name}`, global (`*`) first, then by country code (uses prefetched aliases)."""
    aliases = sorted(client.aliases.all(), key=lambda a: (a.scope != GLOBAL_SCOPE, a.scope))
    return {alias.scope: alias.name for alias in aliases}


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


@dataclass(frozen=True)
class ClientPartChange:
    """One recorded change of a client's alias or obligation, for the client's history."""

    at: datetime
    user: object
    action: str
    part: str
    changes: list[str]


PART_HISTORY_ACTIONS = {"+": "Added", "~": "Changed", "-": "Removed"}


def client_part_history(*, client_id, limit: int = 200) -> list[ClientPartChange]:
    """The latest `limit` recorded changes of the client's aliases and obligations (which
    simple-history keeps apart from the client's own), newest first, each with who, when and
    which values changed."""
    aliases = Alias.history.filter(client_id=client_id).select_related("history_user")
    obligations = Obligation.history.filter(client_id=client_id).select_related(
        "history_user", "country", "report_type", "pro"
    )
    records = sorted(
        [
            *aliases.order_by("-history_date")[:limit],
            *obligations.order_by("-history_date")[:limit],
        ],
        key=lambda record: record.history_date,
        reverse=True,
    )[:limit]
    return [
        ClientPartChange(
            at=record.history_date,
            user=record.history_user,
            action=PART_HISTORY_ACTIONS.get(record.history_type, record.history_type),
            part=_part_label(record),
            changes=_part_changes(record),
        )
        for record in records
    ]


def _part_label(record) -> str:
    if record.instance_type is Alias:
        return f"Alias {record.scope}: {record.name}"
    pro = f" · {record.pro.name}" if record.pro_id else ""
    return f"Obligation {record.country.code} · {record.report_type.code}{pro}"


def _part_changes(record) -> list[str]:
    if record.history_type != "~" or record.prev_record is None:
        return []
    delta = record.diff_against(record.prev_record)
    return [f"{change.field}: {change.old} → {change.new}" for change in delta.changes]
