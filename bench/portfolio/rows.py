"""The portfolio's shape: its size, the catalog it draws from, its rows and their columns."""

import itertools
from collections import Counter
from dataclasses import dataclass, field

from bench.portfolio.vocabulary import BENCH_ORGANIZATION, BENCH_USERNAME, HARNESS_CLIENT_PREFIX
from clients import portfolio_stats
from clients.models import Client, CoverageSource, Organization, Role, StatDimension
from clients.services import org_user_create_or_update, organization_get_or_create
from credentials.models import Credential
from reporting.models import Pro, Scheme


@dataclass(frozen=True)
class PortfolioSize:
    clients: int
    credentials: int


@dataclass(frozen=True)
class CatalogPro:
    id: int
    name: str
    # The country's id as text, as COPY and the statistics' keys write it.
    country_id: str
    country_code: str
    report_type_ids: tuple[int, ...]
    report_type_codes: tuple[str, ...]


@dataclass
class Portfolio:
    """Rows ready for COPY, column tuples aligned with the `*_COLUMNS` below.

    `coverage` and `facets` are the ClientCoverage and ClientStatFacet rows that
    `clients.portfolio_stats.portfolio_rebuild` would derive from the other rows, and `stats`
    the clients per (dimension, key) that it would count in PortfolioStat: a load without
    triggers writes them rather than rebuilding them."""

    clients: list[tuple] = field(default_factory=list)
    aliases: list[tuple] = field(default_factory=list)
    obligations: list[tuple] = field(default_factory=list)
    credentials: list[tuple] = field(default_factory=list)
    credential_report_types: list[tuple] = field(default_factory=list)
    coverage: list[tuple] = field(default_factory=list)
    facets: list[tuple] = field(default_factory=list)
    stats: Counter = field(default_factory=Counter)

    def extend(self, other: "Portfolio") -> None:
        for name in ALL_ROWS:
            getattr(self, name).extend(getattr(other, name))
        self.stats.update(other.stats)

    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in ALL_ROWS}

    def cover(self, *, client: tuple, credentials: set[tuple], obligations: set[tuple]) -> None:
        """Add the coverage of a client (a row in CLIENT_COLUMNS) whose credentials cover the
        (country, report type, PRO) in `credentials` and whose obligations are `obligations`,
        and, unless it is a collective account, its facets. Keys are written as the database
        casts them to text (portfolio_stats._facets_select): the catalog's country ids are
        text already."""
        client_id, organization_id, status, collective = client[0], client[1], client[3], client[7]
        for source, covered in (
            (CoverageSource.CREDENTIAL.value, credentials),
            (CoverageSource.OBLIGATION.value, obligations),
        ):
            self.coverage.extend(
                (client_id, organization_id, collective, source, *row) for row in covered
            )
        if collective:
            return
        keys = {(StatDimension.STATUS.value, str(status))}
        for country_id, report_type_id, _ in itertools.chain(credentials, obligations):
            keys.add((StatDimension.COUNTRY.value, country_id))
            if report_type_id is not None:
                keys.add((StatDimension.REPORT_TYPE.value, str(report_type_id)))
        if _uncovered_obligation(credentials, obligations):
            keys.add((portfolio_stats.MISSING_DIMENSION, portfolio_stats.MISSING_KEY))
        self.facets.extend((client_id, organization_id, *key) for key in keys)
        self.stats.update(keys)


def _uncovered_obligation(credentials: set[tuple], obligations: set[tuple]) -> bool:
    """Whether an obligation (country, report type, PRO) is covered by none of the credentials'
    (country, report type, PRO): the rule of portfolio_stats._uncovered_obligation (same
    country and report type, same PRO when the obligation names one; an obligation without a
    report type is covered by any credential in its country)."""
    return any(
        not any(
            country_id == covered_country
            and report_type_id in (None, covered_report_type)
            and pro_id in (None, covered_pro)
            for covered_country, covered_report_type, covered_pro in credentials
        )
        for country_id, report_type_id, pro_id in obligations
    )


TABLE_ROWS = ("clients", "aliases", "obligations", "credentials", "credential_report_types")
# The rows the portfolio triggers would write (loaded only when the triggers are off).
KEPT_ROWS = ("coverage", "facets")
ALL_ROWS = TABLE_ROWS + KEPT_ROWS


CLIENT_COLUMNS = (
    "id",
    "organization_id",
    "name",
    "status",
    "shared",
    "notes",
    "client_organization_id",
    "collective_account",
    "created_at",
    "updated_at",
)
ALIAS_COLUMNS = ("client_id", "scope", "name")
OBLIGATION_COLUMNS = ("client_id", "country_id", "report_type_id", "pro_id")
CREDENTIAL_COLUMNS = (
    "id",
    "client_id",
    "country_id",
    "pro_id",
    "report_type_codes",
    "login",
    "password",
    "registration_number",
    "status",
    "notes",
    "interval",
    "extra_info",
    "collective_account_id",
    "created_at",
    "updated_at",
)
CREDENTIAL_REPORT_TYPE_COLUMNS = (
    "credential_id",
    "report_type_id",
    "client_id",
    "country_id",
    "pro_id",
)
COVERAGE_COLUMNS = (
    "client_id",
    "organization_id",
    "collective_account",
    "source",
    "country_id",
    "report_type_id",
    "pro_id",
)
FACET_COLUMNS = ("client_id", "organization_id", "dimension", "key")


def bench_organization() -> tuple[Organization, str]:
    """The bench organization and the token of its staff user `bench` (created if needed)."""
    organization = organization_get_or_create(name=BENCH_ORGANIZATION)
    _, token = org_user_create_or_update(
        organization=organization, username=BENCH_USERNAME, role=Role.STAFF
    )
    return organization, token.key


def portfolio_size(organization: Organization) -> PortfolioSize:
    """The generated portfolio's size (the clients a measurement added left out)."""
    return PortfolioSize(
        clients=Client.objects.filter(organization=organization)
        .exclude(name__startswith=HARNESS_CLIENT_PREFIX)
        .count(),
        credentials=Credential.objects.filter(client__organization=organization)
        .exclude(client__name__startswith=HARNESS_CLIENT_PREFIX)
        .count(),
    )


def load_catalog() -> list[CatalogPro]:
    """Every PRO with the report types it takes (from its schemes), in a stable order."""
    offers: dict[int, dict[int, str]] = {}
    for pro_id, report_type_id, code in Scheme.objects.values_list(
        "pro_id", "report_type_id", "report_type__code"
    ):
        offers.setdefault(pro_id, {})[report_type_id] = code
    catalog = []
    for pro in Pro.objects.select_related("country").order_by("country__code", "name", "id"):
        if pro.id not in offers:
            continue
        report_types = sorted(offers[pro.id].items(), key=lambda item: item[1])
        catalog.append(
            CatalogPro(
                id=pro.id,
                name=pro.name,
                country_id=str(pro.country_id),
                country_code=pro.country.code,
                report_type_ids=tuple(rt_id for rt_id, _ in report_types),
                report_type_codes=tuple(code for _, code in report_types),
            )
        )
    if not catalog:
        raise RuntimeError("The catalog has no schemes: run the migrations first.")
    return catalog
