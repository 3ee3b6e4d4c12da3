"""Reads of the portfolio list: which clients a list question matches, in list order, with
their count, answered from the cache while the organization's portfolio is unchanged.
"""

from collections.abc import Iterable
from functools import cached_property
from typing import NamedTuple

from django.db import connections
from django.db.models import Count, Exists, F, OuterRef, QuerySet, Value
from django.db.models.functions import Lower
from django.db.models.lookups import Contains

from clients.models import Alias, Client, ClientCoverage, ClientSearchText, Organization
from clients.portfolio_stats import kept_clients
from clients.portfolio_version import cached_for_portfolio
from clients.search import folded, folded_contains
from clients.search_text import SEPARATOR
from clients.selectors.detail import rows_pointing_at_client
from clients.tenancy import clients_of, clients_readable_by
from reporting.models import Country, Pro, ReportType


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


def _readable_clients(organization: Organization, shares_received: bool) -> QuerySet[Client]:
    # Most organizations have nothing shared with them: without the OR of
    # clients_readable_by, the (organization, lower(name)) index serves the ordered page.
    return clients_readable_by(organization) if shares_received else clients_of(organization)


def _list_rows(clients: QuerySet[Client]) -> QuerySet[Client]:
    """What a list row shows of the client's own fields. Its aliases come with the page's
    portfolio summaries (`client_portfolio_summaries`), in the same query."""
    return clients.only("id", "name", "status", "notes")


def client_list(
    *, organization: Organization, version: int | None, shares_received: bool | None = None
) -> QuerySet[Client]:
    """Clients the organization may read, ordered by name (ignoring case) then id (their
    aliases: `client_portfolio_summaries`). Lower(name) is what the unique (organization,
    lower(name)) index holds.

    `version` is the organization's portfolio version (`portfolio_version`), read before;
    `shares_received` whether anything is shared with it, when read already
    (`portfolio_state`).
    """
    if shares_received is None:
        shares_received = organization_shares_received(organization, version)
    return _list_rows(_readable_clients(organization, shares_received)).order_by(
        Lower("name"), "id"
    )


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
    `question` identifies the filter. A search collects its matches once anyway (from the
    search text's trigram index, `search_text_ids`), so its ids are cached in order and any
    page is read by id. Any other filter is answered by a count and the page alone, each from
    an index: the page walks the clients in list order and probes each one's coverage, and
    stops at the page's end; the total of a catalog filter is counted from one of the
    coverage's indexes (by country and report type, or by PRO) without reading the clients,
    or read from the kept counts (`_kept_total`). Only the total is cached then.
    """

    def __init__(
        self,
        *,
        organization: Organization,
        version: int | None,
        clients: QuerySet[Client],
        question: ClientQuestion,
        remember_ids: bool | None = None,
        shares_received: bool | None = None,
    ):
        self.organization = organization
        self.version = version
        self.clients = clients
        self.question = question
        self.remember_ids = bool(question.search) if remember_ids is None else remember_ids
        if shares_received is not None:
            self.shares_received = shares_received

    @cached_property
    def shares_received(self) -> bool:
        return organization_shares_received(self.organization, self.version)

    def _cached(self, name: str, compute):
        return cached_for_portfolio(
            self.organization.pk, name, self.question, compute, version=self.version
        )

    @cached_property
    def ids(self) -> list[int]:
        return self._cached("client-ids", self._ids)

    def _ids(self) -> list[int]:
        if not self.shares_received:
            found = search_text_ids(self.organization, self.question, using=self.clients.db)
            if found is not None:
                return found
        return list(self.clients.values_list("pk", flat=True))

    def _kept_total(self) -> int | None:
        """The total as the statistics keep it (clients/portfolio_stats/), when the question
        is one they count: the organization's own clients (no collective accounts, nothing
        shared with it) with one of some statuses, or covering one country, or one report
        type. None for any other question."""
        question = self.question
        if question.search or question.collective_account or self.shares_received:
            return None
        catalog = [
            (dimension, keys, model)
            for dimension, keys, model in (
                ("country", question.countries, Country),
                ("report_type", question.report_types, ReportType),
                ("pro", question.pros, Pro),
            )
            if keys
        ]
        if not catalog:
            # Each client has one status: the statuses' counts add up (all of them: every
            # client).
            return kept_clients(self.organization.pk, "status", question.statuses or None)
        if question.statuses or len(catalog) > 1:
            return None
        dimension, keys, model = catalog[0]
        if dimension == "pro" or len(keys) != 1:
            return None
        return kept_clients(self.organization.pk, dimension, keys, key_field=model._meta.pk)

    def _total(self) -> int:
        question = self.question
        kept = self._kept_total()
        if kept is not None:
            return kept
        if (
            question.filters_catalog
            and not question.search
            and not question.statuses
            and not self.shares_received
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


def _search_text_contains(text: str) -> Contains:
    return Contains(F("text"), folded(Value(text)))


def _search_text_answers(text: str, using: str) -> bool:
    """Whether the search text answers a search for `text` (clients/search_text.py)."""
    return connections[using].vendor == "postgresql" and SEPARATOR not in text


# The list orders the search text can answer in (clients/filtersets.py ORDERINGS).
_SEARCH_TEXT_ORDERINGS = {
    "name": ("name_key", "client_id"),
    "-name": ("-name_key", "-client_id"),
    "status": ("status", "name_key", "client_id"),
    "-status": ("-status", "name_key", "client_id"),
}


def search_text_ids(
    organization: Organization, question: "ClientQuestion", *, using: str = "default"
) -> list[int] | None:
    """The ids of the organization's own clients a search matches, with the question's
    statuses and catalog filters, in list order: read from the search text, and for a catalog
    filter from each match's coverage (`clients_covering`), without reading the clients. None
    for a question without a search, by company name only, in an order the search text does
    not hold, or where there is no search text (SQLite)."""
    if (
        not question.search
        or question.company_name_only
        or question.ordering not in _SEARCH_TEXT_ORDERINGS
        or not _search_text_answers(question.search, using)
    ):
        return None
    rows = ClientSearchText.objects.using(using).filter(
        _search_text_contains(question.search),
        organization=organization,
        collective_account=question.collective_account,
    )
    if question.statuses:
        rows = rows.filter(status__in=question.statuses)
    conditions = _coverage_conditions(question.countries, question.report_types, question.pros)
    if conditions:
        rows = rows.filter(
            Exists(ClientCoverage.objects.filter(client_id=OuterRef("client_id"), **conditions))
        )
    return list(
        rows.order_by(*_SEARCH_TEXT_ORDERINGS[question.ordering]).values_list(
            "client_id", flat=True
        )
    )


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
    if not company_name_only and _search_text_answers(text, clients.db):
        # Every source at once, through the search text's one trigram index.
        found = ClientSearchText.objects.using(clients.db).filter(_search_text_contains(text))
        return clients.filter(pk__in=found.values("client_id"))
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
    clients' coverage (clients/portfolio_stats/), not the credentials: a probe of each
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
    others) `clients_covering` keeps, counted from one of the coverage's indexes alone: by
    country and report type, or by PRO."""
    rows = ClientCoverage.objects.filter(
        organization=organization,
        collective_account=collective_account,
        **_coverage_conditions(countries, report_types, pros),
    )
    return rows.aggregate(clients=Count("client_id", distinct=True))["clients"]
