"""A realistic agency portfolio on PostgreSQL, written with COPY: 1,000,000 clients and
3,000,000 credentials in minutes.

Rows come from seeded random generators (the same size gives the same portfolio): the
collective accounts and every client's credential count are drawn first, then the regular
clients are built in fixed shards, each from its own generator, by worker processes, and
COPYed as they come. Primary keys are drawn from the tables' own sequences first so that
foreign keys can be written without reading anything back. Columns this module does not name
take the model field's default, so a new field with a default does not break it.
"""

import bisect
import itertools
import json
import multiprocessing
import os
import random
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import psycopg
from django.db import connection, models, transaction
from django.utils import timezone
from encrypted_model_fields.fields import encrypt_str
from psycopg.types.json import Jsonb

from clients import portfolio_stats
from clients.models import (
    GLOBAL_SCOPE,
    Alias,
    Client,
    ClientStatus,
    Obligation,
    Organization,
    Role,
)
from clients.services import org_user_create_or_update, organization_get_or_create
from credentials.models import Credential, CredentialReportType, CredentialStatus, Interval
from reporting.models import Pro, Scheme

BENCH_ORGANIZATION = "Bench Agency"
BENCH_USERNAME = "bench"
COLLECTIVE_SHARE = 0.01
COLLECTIVE_CREDENTIALS_PER_ACCOUNT = 2
LINKED_SHARE = 0.04
SEED = 20240601
# Regular clients per shard: fixed, so that the portfolio does not depend on the workers.
SHARD_CLIENTS = 20_000

ADJECTIVES = [
    "Nordic",
    "Alpine",
    "Atlantic",
    "Baltic",
    "Blue",
    "Bright",
    "Central",
    "Clear",
    "Coastal",
    "Crystal",
    "Delta",
    "Eastern",
    "Euro",
    "First",
    "Global",
    "Golden",
    "Green",
    "Grand",
    "Harbor",
    "Iron",
    "Lake",
    "Lunar",
    "Metro",
    "Midland",
    "Modern",
    "Noble",
    "Ocean",
    "Pacific",
    "Prime",
    "Rapid",
    "Red",
    "River",
    "Royal",
    "Silver",
    "Smart",
    "Solar",
    "Summit",
    "Swift",
    "United",
    "Urban",
]
NOUNS = [
    "Falcon",
    "Oak",
    "Bridge",
    "Harbour",
    "Peak",
    "Arrow",
    "Beacon",
    "Cedar",
    "Crown",
    "Eagle",
    "Forge",
    "Fox",
    "Gate",
    "Hawk",
    "Horizon",
    "Lion",
    "Maple",
    "Meadow",
    "Orbit",
    "Pine",
    "Pioneer",
    "Quest",
    "Ridge",
    "Rock",
    "Sail",
    "Spark",
    "Star",
    "Stone",
    "Tide",
    "Tower",
    "Trail",
    "Valley",
    "Vector",
    "Wave",
    "Willow",
    "Wolf",
    "Anchor",
    "Compass",
    "Crest",
    "Ember",
]
SECTORS = (
    "Electronics",
    "Packaging",
    "Textiles",
    "Home",
    "Furniture",
    "Toys",
    "Lighting",
    "Appliances",
    "Tools",
    "Garden",
    "Cosmetics",
    "Foods",
    "Beverages",
    "Sports",
    "Fashion",
    "Power",
    "Audio",
    "Kitchen",
    "Pet Supplies",
    "Office",
    "Outdoor",
    "Baby",
    "Bikes",
    "Medical",
    "Optics",
    "Solar Systems",
    "Gadgets",
    "Crafts",
    "Stationery",
    "Trading",
)
HOME_LEGAL_FORMS = (
    "GmbH",
    "SAS",
    "B.V.",
    "S.r.l.",
    "S.L.",
    "Ltd",
    "AB",
    "sp. z o.o.",
    "s.r.o.",
    "AG",
    "ApS",
    "Oy",
    "Inc.",
    "Co., Ltd.",
    "Limited",
    "SRL",
)
LOCAL_LEGAL_FORMS = {
    "AT": "GmbH",
    "BE": "SRL",
    "CH": "AG",
    "CZ": "s.r.o.",
    "DE": "GmbH",
    "DK": "ApS",
    "ES": "S.L.",
    "FI": "Oy",
    "FR": "SAS",
    "IE": "Ltd",
    "IT": "S.r.l.",
    "LU": "S.à r.l.",
    "NL": "B.V.",
    "NO": "AS",
    "PL": "sp. z o.o.",
    "PT": "Lda.",
    "SE": "AB",
    "SK": "s.r.o.",
    "UK": "Ltd",
}
# Where an agency's clients report, roughly: Germany and France dominate.
COUNTRY_WEIGHTS = {"DE": 22, "FR": 18, "UK": 10, "NL": 8, "IT": 8, "ES": 8, "BE": 5, "AT": 5}
OTHER_COUNTRY_WEIGHT = 2
CLIENT_NOTES = (
    "Key account, quarterly review with the client.",
    "Marketplace seller (Amazon, Zalando).",
    "Onboarding documents pending from the client.",
    "Invoices go to the group's Dutch entity.",
    "Contact prefers e-mail, never phone.",
    "Took over from previous agency in 2023.",
)
CREDENTIAL_NOTES = (
    "Portal requires 2FA via the client's phone.",
    "Main credential",
    "Password rotated by the PRO every 90 days.",
    "Shared with the client's accountant.",
)
PASSWORDS = (
    "Winter-2024!",
    "c0mpl1ance#EPR",
    "S3cure!Portal",
    "Pr0-Login*77",
    "Qx7!mR2#vL9p",
    "Recycle&Report1",
    "Tr1cky$Pass",
    "Lucid#Reg2025",
)
STATUS_WEIGHTS = {
    ClientStatus.ACTIVE: 70,
    ClientStatus.ONBOARDING: 15,
    ClientStatus.INACTIVE: 10,
    ClientStatus.ARCHIVED: 5,
}
CREDENTIAL_STATUS_WEIGHTS = {
    CredentialStatus.ACTIVE: 80,
    CredentialStatus.PENDING: 8,
    CredentialStatus.INACTIVE: 8,
    CredentialStatus.INVALID: 4,
}
INTERVAL_WEIGHTS = {
    Interval.MONTHLY: 20,
    Interval.QUARTERLY: 35,
    Interval.HALF_YEARLY: 5,
    Interval.YEARLY: 30,
    None: 10,
}
# Credentials per regular client, before scaling to the requested total (mean about 2.8).
CREDENTIALS_PER_CLIENT_WEIGHTS = (4, 26, 23, 18, 12, 8, 5, 2, 2)


@dataclass(frozen=True)
class PortfolioSize:
    clients: int
    credentials: int


@dataclass(frozen=True)
class CatalogPro:
    id: int
    name: str
    country_id: object
    country_code: str
    report_type_ids: tuple[int, ...]
    report_type_codes: tuple[str, ...]


@dataclass
class Portfolio:
    """Rows ready for COPY, column tuples aligned with the `*_COLUMNS` below."""

    clients: list[tuple] = field(default_factory=list)
    aliases: list[tuple] = field(default_factory=list)
    obligations: list[tuple] = field(default_factory=list)
    credentials: list[tuple] = field(default_factory=list)
    credential_report_types: list[tuple] = field(default_factory=list)

    def extend(self, other: "Portfolio") -> None:
        for name in TABLE_ROWS:
            getattr(self, name).extend(getattr(other, name))

    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in TABLE_ROWS}


TABLE_ROWS = ("clients", "aliases", "obligations", "credentials", "credential_report_types")


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


def bench_organization() -> tuple[Organization, str]:
    """The bench organization and the token of its staff user `bench` (created if needed)."""
    organization = organization_get_or_create(name=BENCH_ORGANIZATION)
    _, token = org_user_create_or_update(
        organization=organization, username=BENCH_USERNAME, role=Role.STAFF
    )
    return organization, token.key


def portfolio_size(organization: Organization) -> PortfolioSize:
    return PortfolioSize(
        clients=Client.objects.filter(organization=organization).count(),
        credentials=Credential.objects.filter(client__organization=organization).count(),
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
                country_id=pro.country_id,
                country_code=pro.country.code,
                report_type_ids=tuple(rt_id for rt_id, _ in report_types),
                report_type_codes=tuple(code for _, code in report_types),
            )
        )
    if not catalog:
        raise RuntimeError("The catalog has no schemes: run the migrations first.")
    return catalog


def client_name(index: int) -> tuple[str, str, str]:
    """The index-th distinct company name: (full name, trading name, base for local names)."""
    combos = len(ADJECTIVES) * len(NOUNS) * len(SECTORS) * len(HOME_LEGAL_FORMS)
    combo, round_ = index % combos, index // combos
    adjective = ADJECTIVES[combo % len(ADJECTIVES)]
    combo //= len(ADJECTIVES)
    noun = NOUNS[combo % len(NOUNS)]
    combo //= len(NOUNS)
    sector = SECTORS[combo % len(SECTORS)]
    legal_form = HOME_LEGAL_FORMS[combo // len(SECTORS)]
    trading = f"{adjective} {noun}"
    base = f"{trading} {sector}" + (f" {round_ + 1}" if round_ else "")
    return f"{base} {legal_form}", trading, base


def credentials_per_client(rng: random.Random, clients: int, total: int, cap: int) -> list[int]:
    """How many credentials each regular client has, summing to exactly `total`."""
    if total > clients * cap:
        raise ValueError(
            f"{total} credentials do not fit {clients} clients with {cap} PROs each; "
            "ask for fewer credentials or more clients."
        )
    counts = rng.choices(
        range(len(CREDENTIALS_PER_CLIENT_WEIGHTS)), CREDENTIALS_PER_CLIENT_WEIGHTS, k=clients
    )
    counts = [min(count, cap) for count in counts]
    difference = total - sum(counts)
    step = 1 if difference > 0 else -1
    while difference:
        index = rng.randrange(clients)
        if (step > 0 and counts[index] < cap) or (step < 0 and counts[index] > 0):
            counts[index] += step
            difference -= step
    return counts


class Weighted:
    """A weighted choice with its cumulative weights computed once (random.choices would add
    them up again on every call, the generator's main cost)."""

    def __init__(self, weights: dict):
        self.values = list(weights)
        self.cumulative = list(itertools.accumulate(weights.values()))
        self.total = self.cumulative[-1]

    def __call__(self, rng: random.Random):
        return self.values[bisect.bisect(self.cumulative, rng.random() * self.total)]


@dataclass
class Shard:
    """The regular clients a worker builds: ids, name indices, credential counts and ids are
    drawn beforehand, so that shards build independently (in parallel) and the same size gives
    the same portfolio."""

    number: int
    organization_id: int
    client_ids: Sequence[int]
    name_indices: list[int]
    counts: list[int]
    credential_ids: Sequence[int]
    collective_by_pro: dict[int, list[int]]
    catalog: Sequence[CatalogPro]
    now: object
    ciphertexts: list[str]
    empty_ciphertext: str


def _pro_picker(catalog: Sequence[CatalogPro]) -> Weighted:
    pros_per_country: dict[str, int] = {}
    for pro in catalog:
        pros_per_country[pro.country_code] = pros_per_country.get(pro.country_code, 0) + 1
    return Weighted(
        {
            index: COUNTRY_WEIGHTS.get(pro.country_code, OTHER_COUNTRY_WEIGHT)
            / pros_per_country[pro.country_code]
            for index, pro in enumerate(catalog)
        }
    )


def _distinct_pros(rng, catalog, pick_pro: Weighted, count: int) -> list[CatalogPro]:
    chosen: dict[int, CatalogPro] = {}
    while len(chosen) < count:
        pro = catalog[pick_pro(rng)]
        chosen.setdefault(pro.id, pro)
    return list(chosen.values())


class _Credentials:
    """Appends a credential and its report types to a portfolio."""

    pick_status = Weighted(CREDENTIAL_STATUS_WEIGHTS)
    pick_interval = Weighted(INTERVAL_WEIGHTS)

    def __init__(self, rng: random.Random, portfolio: "Portfolio", now):
        self.rng, self.portfolio, self.now = rng, portfolio, now

    def add(
        self,
        *,
        credential_id,
        client_id,
        pro,
        report_type_ids,
        codes,
        login,
        password,
        collective_id,
    ):
        rng = self.rng
        created = self.now - _days(rng, 1000)
        self.portfolio.credentials.append(
            (
                credential_id,
                client_id,
                pro.country_id,
                pro.id,
                ",".join(codes),
                login,
                password,
                "" if rng.random() < 0.1 else f"{pro.country_code}{rng.randrange(10**7, 10**8)}",
                self.pick_status(rng),
                rng.choice(CREDENTIAL_NOTES) if rng.random() < 0.1 else "",
                self.pick_interval(rng),
                Jsonb({"portal_user_id": str(rng.randrange(10**6))})
                if rng.random() < 0.05
                else None,
                collective_id,
                created,
                created,
            )
        )
        self.portfolio.credential_report_types.extend(
            (credential_id, report_type_id, client_id, pro.country_id, pro.id)
            for report_type_id in report_type_ids
        )


def plan_portfolio(
    *,
    organization_id: int,
    size: PortfolioSize,
    catalog: Sequence[CatalogPro],
    ids,
    shard_clients: int = SHARD_CLIENTS,
) -> tuple[Portfolio, list[Shard]]:
    """The collective accounts (built here: the shards link to them) and the shards of
    regular clients. `ids(table_model, n)` hands out n primary keys of a table."""
    rng = random.Random(SEED)
    now = timezone.now()
    ciphertexts = [encrypt_str(password).decode() for password in PASSWORDS]
    empty_ciphertext = encrypt_str("").decode()
    portfolio = Portfolio()
    credentials = _Credentials(rng, portfolio, now)
    pick_pro = _pro_picker(catalog)

    collective_clients = max(1, round(size.clients * COLLECTIVE_SHARE)) if size.clients > 1 else 0
    regular_clients = size.clients - collective_clients
    collective_credentials = min(
        size.credentials, collective_clients * COLLECTIVE_CREDENTIALS_PER_ACCOUNT
    )
    client_ids = ids(Client, size.clients)
    credential_ids = ids(Credential, size.credentials)

    collective_by_pro: dict[int, list[int]] = {}
    for number, client_id in enumerate(client_ids[regular_clients:], start=1):
        share = collective_credentials // collective_clients + (
            1 if number <= collective_credentials % collective_clients else 0
        )
        pros = _distinct_pros(rng, catalog, pick_pro, min(share, len(catalog)))
        portfolio.clients.append(
            (
                client_id,
                organization_id,
                f"Collective Account - {pros[0].name if pros else 'Agency'} {number}",
                ClientStatus.ACTIVE,
                False,
                "Agency-owned account used by several clients.",
                None,
                True,
                now,
                now,
            )
        )
        for pro in pros:
            credential_id = credential_ids[len(portfolio.credentials)]
            credentials.add(
                credential_id=credential_id,
                client_id=client_id,
                pro=pro,
                report_type_ids=pro.report_type_ids,
                codes=pro.report_type_codes,
                login=f"collective.{number}.{pro.country_code.lower()}@agency.example",
                password=rng.choice(ciphertexts),
                collective_id=None,
            )
            collective_by_pro.setdefault(pro.id, []).append(credential_id)

    used = len(portfolio.credentials)
    counts = credentials_per_client(rng, regular_clients, size.credentials - used, len(catalog))
    name_indices = _name_indices(rng, regular_clients)
    shards = []
    for number, start in enumerate(range(0, regular_clients, shard_clients)):
        stop = min(start + shard_clients, regular_clients)
        shard_counts = counts[start:stop]
        shards.append(
            Shard(
                number=number,
                organization_id=organization_id,
                client_ids=client_ids[start:stop],
                name_indices=name_indices[start:stop],
                counts=shard_counts,
                credential_ids=credential_ids[used : used + sum(shard_counts)],
                collective_by_pro=collective_by_pro,
                catalog=catalog,
                now=now,
                ciphertexts=ciphertexts,
                empty_ciphertext=empty_ciphertext,
            )
        )
        used += sum(shard_counts)
    return portfolio, shards


def build_shard(shard: Shard) -> Portfolio:
    """The rows of a shard's regular clients, from the shard's own seeded generator."""
    rng = random.Random(f"{SEED}-{shard.number}")
    catalog = shard.catalog
    pick_pro = _pro_picker(catalog)
    pick_status = Weighted(STATUS_WEIGHTS)
    schemes = [(pro, rt_id) for pro in catalog for rt_id in pro.report_type_ids]
    portfolio = Portfolio()
    credentials = _Credentials(rng, portfolio, shard.now)
    credential_ids = iter(shard.credential_ids)
    for client_id, name_index, count in zip(
        shard.client_ids, shard.name_indices, shard.counts, strict=True
    ):
        name, trading, base = client_name(name_index)
        created = shard.now - _days(rng, 1500)
        portfolio.clients.append(
            (
                client_id,
                shard.organization_id,
                name,
                pick_status(rng),
                False,
                rng.choice(CLIENT_NOTES) if rng.random() < 0.3 else "",
                None,
                False,
                created,
                created,
            )
        )
        if rng.random() < 0.35:
            portfolio.aliases.append((client_id, GLOBAL_SCOPE, trading))

        pros = _distinct_pros(rng, catalog, pick_pro, count)
        covered: set[tuple] = set()
        obligations: set[tuple] = set()
        login_name = trading.replace(" ", ".").lower()
        for pro in pros:
            if len(pro.report_type_ids) > 1 and rng.random() < 0.6:
                index = rng.randrange(len(pro.report_type_ids))
                report_type_ids = (pro.report_type_ids[index],)
                codes = (pro.report_type_codes[index],)
            else:
                report_type_ids, codes = pro.report_type_ids, pro.report_type_codes
            credential_id = next(credential_ids)
            collective_id = None
            login = f"{login_name}.{credential_id}@{pro.country_code.lower()}.example"
            password = rng.choice(shard.ciphertexts)
            if pro.id in shard.collective_by_pro and rng.random() < LINKED_SHARE:
                collective_id = rng.choice(shard.collective_by_pro[pro.id])
                login, password = "", shard.empty_ciphertext
            credentials.add(
                credential_id=credential_id,
                client_id=client_id,
                pro=pro,
                report_type_ids=report_type_ids,
                codes=codes,
                login=login,
                password=password,
                collective_id=collective_id,
            )
            for report_type_id in report_type_ids:
                covered.add((pro.country_id, report_type_id))
                if rng.random() < 0.5:
                    obligations.add((pro.country_id, report_type_id, None))
        if rng.random() < 0.3:
            pro, report_type_id = rng.choice(schemes)
            if (pro.country_id, report_type_id) not in covered:
                obligations.add(
                    (pro.country_id, report_type_id, pro.id if rng.random() < 0.25 else None)
                )
        portfolio.obligations.extend((client_id, *obligation) for obligation in obligations)

        local_countries = {pro.country_code: pro for pro in pros}
        for country_code in list(local_countries)[: 2 if rng.random() < 0.1 else 1]:
            if rng.random() < 0.4:
                form = LOCAL_LEGAL_FORMS.get(country_code, "Ltd")
                portfolio.aliases.append((client_id, country_code, f"{base} {form}"))
    return portfolio


def build_portfolio(
    *, organization: Organization, size: PortfolioSize, catalog: Sequence[CatalogPro], ids
) -> Portfolio:
    """Every row of the portfolio in memory (the generator streams the shards instead)."""
    portfolio, shards = plan_portfolio(
        organization_id=organization.pk, size=size, catalog=catalog, ids=ids
    )
    for shard in shards:
        portfolio.extend(build_shard(shard))
    return portfolio


def _days(rng: random.Random, most: int) -> timedelta:
    return timedelta(days=rng.randrange(most), seconds=rng.randrange(86400))


def _name_indices(rng: random.Random, count: int) -> list[int]:
    combos = len(ADJECTIVES) * len(NOUNS) * len(SECTORS) * len(HOME_LEGAL_FORMS)
    if count <= combos:
        return rng.sample(range(combos), count)
    return list(range(count))


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_value(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, str):
        return value.translate(_COPY_ESCAPES)
    if isinstance(value, Jsonb):
        return json.dumps(value.obj).translate(_COPY_ESCAPES)
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def copy_text(rows: Iterable[tuple], suffix: str = "") -> bytes:
    """Rows in COPY's text format, each followed by `suffix` (the defaulted columns)."""
    return "".join("\t".join(map(copy_value, row)) + suffix + "\n" for row in rows).encode()


@dataclass(frozen=True)
class CopyTarget:
    """A table's COPY statement and the text of the columns the generator leaves to the
    model fields' defaults."""

    table: str
    statement: str
    suffix: str


def copy_target(model: type[models.Model], columns: Sequence[str]) -> CopyTarget:
    """COPY into the model's table; other non-key columns get the field's default."""
    given = set(columns)
    now = timezone.now()
    extra_columns, extra_values = [], []
    for model_field in model._meta.concrete_fields:
        if model_field.primary_key or model_field.attname in given:
            continue
        if model_field.has_default():
            value = model_field.get_default()
        elif getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False):
            value = now
        elif model_field.null:
            value = None
        else:
            raise RuntimeError(f"{model.__name__}.{model_field.name} needs a value in bench/.")
        if isinstance(model_field, models.JSONField) and value is not None:
            value = Jsonb(value)
        extra_columns.append(model_field.column)
        extra_values.append(value)
    known = {f.attname: f.column for f in model._meta.concrete_fields}
    column_list = ", ".join([known[name] for name in columns] + extra_columns)
    table = model._meta.db_table
    return CopyTarget(
        table=table,
        statement=f"COPY {table} ({column_list}) FROM STDIN",
        suffix="".join("\t" + copy_value(value) for value in extra_values),
    )


def copy_targets() -> dict[str, CopyTarget]:
    """The COPY of each of the Portfolio's row lists."""
    return {
        "clients": copy_target(Client, CLIENT_COLUMNS),
        "aliases": copy_target(Alias, ALIAS_COLUMNS),
        "obligations": copy_target(Obligation, OBLIGATION_COLUMNS),
        "credentials": copy_target(Credential, CREDENTIAL_COLUMNS),
        "credential_report_types": copy_target(
            CredentialReportType, CREDENTIAL_REPORT_TYPE_COLUMNS
        ),
    }


def portfolio_copy_text(portfolio: Portfolio, targets: dict[str, CopyTarget]) -> dict[str, bytes]:
    return {name: copy_text(getattr(portfolio, name), targets[name].suffix) for name in TABLE_ROWS}


def _shard_copy_text(
    job: tuple[Shard | Portfolio, dict[str, CopyTarget]],
) -> tuple[dict[str, int], dict[str, bytes]]:
    """A worker's job: build a shard and format it for COPY (the formatting runs in the
    worker too, so the loading process only sends bytes)."""
    shard, targets = job
    portfolio = shard if isinstance(shard, Portfolio) else build_shard(shard)
    return portfolio.counts(), portfolio_copy_text(portfolio, targets)


def _allocate_ids(cursor):
    def ids(model: type[models.Model], count: int) -> range:
        """A block of `count` consecutive keys from the table's sequence. The table is locked
        against other writers until the commit, so no other insert draws from the sequence
        between the two calls (fetching millions of nextval() one by one took a minute)."""
        if not count:
            return range(0)
        table = model._meta.db_table
        cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(
            "SELECT setval(s.name, nextval(s.name) + %s - 1) "
            "FROM (SELECT pg_get_serial_sequence(%s, %s) AS name) s",
            [count, table, model._meta.pk.column],
        )
        last = cursor.fetchone()[0]
        return range(last - count + 1, last + 1)

    return ids


def _clear_dependants(cursor, model: type[models.Model], ids_sql: str, params, skip) -> None:
    """Remove or unlink rows of other tables that point at the rows selected by `ids_sql`.

    Reverse relations are read from the models, so dependants added by other apps (access
    events, registrations) are handled too. Tables without a database constraint (history)
    are left alone.
    """
    for relation in model._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete):
            continue
        if not (relation.one_to_many or relation.one_to_one):
            continue
        related_model, fk = relation.related_model, relation.field
        # A model already being cleared (a self-reference such as collective accounts) points
        # only at rows that are deleted together with it.
        if related_model in skip or not getattr(fk, "db_constraint", True):
            continue
        table, column = related_model._meta.db_table, fk.column
        where = f"{column} IN ({ids_sql})"
        if fk.remote_field.on_delete is models.SET_NULL:
            cursor.execute(f"UPDATE {table} SET {column} = NULL WHERE {where}", params)
            continue
        pk = related_model._meta.pk.column
        _clear_dependants(
            cursor,
            related_model,
            f"SELECT {pk} FROM {table} WHERE {where}",
            params,
            skip | {related_model},
        )
        cursor.execute(f"DELETE FROM {table} WHERE {where}", params)


def portfolio_delete(organization: Organization, name_prefix: str = "") -> None:
    """Delete the organization's clients (those whose name starts with `name_prefix`, if
    given) and everything that hangs off them, set-based."""
    where = "organization_id = %s"
    params: list = [organization.pk]
    if name_prefix:
        where += " AND name LIKE %s"
        params.append(name_prefix.replace("%", r"\%").replace("_", r"\_") + "%")
    with transaction.atomic(), connection.cursor() as cursor:
        _delete_clients(cursor, where, params)


def _delete_clients(cursor, where: str, params: list) -> None:
    table = Client._meta.db_table
    _clear_dependants(cursor, Client, f"SELECT id FROM {table} WHERE {where}", params, {Client})
    cursor.execute(f"DELETE FROM {table} WHERE {where}", params)


# The tables whose triggers keep the portfolio version, the coverage and the statistics, and
# the two tables those triggers fill per client (rebuilt after a load without triggers).
WATCHED_MODELS = (Client, Alias, Obligation, Credential, CredentialReportType)
KEPT_TABLES = (portfolio_stats.COVERAGE_TABLE, portfolio_stats.FACET_TABLE)
TRIGGER_MODES = ("off", "on")


@dataclass(frozen=True)
class SecondaryIndex:
    table: str
    name: str
    definition: str
    method: str


def secondary_indexes(cursor, tables: Sequence[str]) -> list[SecondaryIndex]:
    """The indexes of `tables` that no constraint needs: neither unique nor a constraint's.
    Building one after a bulk load is much cheaper than maintaining it row by row."""
    cursor.execute(
        """
        SELECT t.relname, i.relname, pg_get_indexdef(i.oid), am.amname
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        JOIN pg_am am ON am.oid = i.relam
        WHERE x.indrelid = ANY(%s::regclass[])
          AND NOT x.indisunique AND NOT x.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        ORDER BY t.relname, i.relname
        """,
        [list(tables)],
    )
    return [SecondaryIndex(*row) for row in cursor.fetchall()]


def _load_shards(cursor, jobs: list, workers: int, log) -> dict[str, int]:
    """COPY the shards' rows as the workers build them: building (Python, in the workers)
    overlaps with loading (the database server)."""
    targets = copy_targets()
    totals = dict.fromkeys(TABLE_ROWS, 0)
    seconds = dict.fromkeys(TABLE_ROWS, 0.0)

    def load(counts: dict[str, int], texts: dict[str, bytes]) -> None:
        for name in TABLE_ROWS:
            started = time.perf_counter()
            with cursor.copy(targets[name].statement) as copy:
                copy.write(texts[name])
            seconds[name] += time.perf_counter() - started
            totals[name] += counts[name]

    if workers <= 1:
        for job in jobs:
            load(*_shard_copy_text((job, targets)))
    else:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for result in pool.imap(_shard_copy_text, [(job, targets) for job in jobs]):
                load(*result)
    for name in TABLE_ROWS:
        log(f"  {targets[name].table}: {totals[name]:,} rows, COPY {seconds[name]:.1f} s")
    return totals


def foreign_key_orphans(cursor, tables: Sequence[str]) -> list[str]:
    """The foreign keys of `tables` that some row breaks, checked set-based (one anti-join per
    key) rather than row by row as PostgreSQL checks them during a load."""
    cursor.execute(
        """
        SELECT c.conname, c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text,
               fa.attname
        FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[1]
        WHERE c.contype = 'f' AND c.conrelid = ANY(%s::regclass[]) AND cardinality(c.conkey) = 1
        """,
        [list(tables)],
    )
    broken = []
    for name, table, column, referenced, referenced_column in cursor.fetchall():
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {table} t WHERE t.{column} IS NOT NULL AND NOT EXISTS "
            f"(SELECT 1 FROM {referenced} r WHERE r.{referenced_column} = t.{column}))"
        )
        if cursor.fetchone()[0]:
            broken.append(name)
    return broken


def _run_parallel(statements: dict[str, str], workers: int, what: str, log) -> None:
    """Run the statements (name: SQL), `workers` at a time, each on a connection of its own
    in autocommit (an index build or a VACUUM uses one CPU, and VACUUM cannot run in a
    transaction)."""
    if not statements:
        return
    params = connection.get_connection_params()
    for driver_only in ("cursor_factory", "context", "prepare_threshold", "server_side_binding"):
        params.pop(driver_only, None)

    def run(name: str, statement: str) -> tuple[str, float]:
        started = time.perf_counter()
        with psycopg.connect(**params, autocommit=True) as other:
            other.execute("SET maintenance_work_mem = '512MB'")
            other.execute(statement)
        return name, time.perf_counter() - started

    started = time.perf_counter()
    failed, timings = [], []
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = {pool.submit(run, *item): item for item in statements.items()}
        for future, (_, statement) in futures.items():
            try:
                timings.append(future.result())
            except psycopg.Error as error:
                failed.append(f"{statement}; -- {error}")
    slowest = ", ".join(
        f"{name} {seconds:.1f} s" for name, seconds in sorted(timings, key=lambda t: -t[1])[:3]
    )
    log(
        f"  {what}: {len(statements)} in {time.perf_counter() - started:.1f} s (slowest: {slowest})"
    )
    if failed:
        raise RuntimeError(f"{what} failed; run these statements:\n" + "\n".join(failed))


def _rebuild(organization: Organization, log) -> None:
    """The organization's coverage and statistics from its rows, and a new portfolio version
    (in one transaction: the version changes with the statistics)."""
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        portfolio_stats.portfolio_rebuild(organization_ids=[organization.pk])
        cursor.execute("SELECT clients_portfolio_note(ARRAY[%s]::bigint[])", [organization.pk])
    log(f"  coverage and statistics rebuilt in {time.perf_counter() - started:.1f} s")


def portfolio_generate(
    organization: Organization,
    size: PortfolioSize,
    *,
    replace: bool = False,
    triggers: str = "off",
    workers: int | None = None,
    log=print,
) -> dict[str, int]:
    """Load the portfolio in one transaction (first deleting the organization's clients when
    `replace`), build the secondary indexes, then VACUUM ANALYZE the tables. Returns the rows
    per table.

    Shards of clients are built by `workers` processes (default: one per CPU) and COPYed as
    they come. The secondary indexes (neither unique nor a constraint's) are dropped in the
    transaction and built after its commit, `workers` at a time.

    `triggers="off"`: the loading transaction runs in replica mode (`session_replication_role`,
    which needs a superuser: the bench's default URL is one), so neither the portfolio triggers
    nor the row-by-row foreign key checks run; the foreign keys are then checked set-based.
    After the commit, while the indexes are built, the organization's coverage and statistics
    are rebuilt once and its portfolio version renewed (with the triggers on again: the version
    is renewed by the commit trigger of clients_portfoliochange).
    `"on"`: the statement triggers run once per COPY and the foreign keys are checked row by
    row; only the trigram indexes wait (the triggers read the others).
    """
    if connection.vendor != "postgresql":
        raise RuntimeError("The bench portfolio is generated on PostgreSQL (set DATABASE_URL).")
    if triggers not in TRIGGER_MODES:
        raise ValueError(f"triggers must be one of {TRIGGER_MODES}")
    workers = workers or os.cpu_count() or 1
    catalog = load_catalog()
    watched = [model._meta.db_table for model in WATCHED_MODELS]
    connection.ensure_connection()
    with transaction.atomic(), connection.connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        if triggers == "off":
            cursor.execute("SET LOCAL session_replication_role = replica")
        else:
            # Django's foreign keys are checked at commit by default: check each statement's
            # at its end, while the indexes the checks of the DELETEs need still exist.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        if replace:
            started = time.perf_counter()
            if triggers == "off":
                # The triggers that would forget the deleted clients' coverage are off.
                owned = f"SELECT id FROM {Client._meta.db_table} WHERE organization_id = %s"
                for table in KEPT_TABLES:
                    cursor.execute(
                        f"DELETE FROM {table} WHERE client_id IN ({owned})", [organization.pk]
                    )
            _delete_clients(cursor, "organization_id = %s", [organization.pk])
            log(f"  deleted the previous portfolio in {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        indexes = secondary_indexes(cursor, watched + list(KEPT_TABLES))
        if triggers == "on":
            indexes = [index for index in indexes if index.method == "gin"]
        for index in indexes:
            cursor.execute(f"DROP INDEX {index.name}")

        collective, shards = plan_portfolio(
            organization_id=organization.pk, size=size, catalog=catalog, ids=_allocate_ids(cursor)
        )
        log(
            f"  planned {len(shards)} shards in {time.perf_counter() - started:.1f} s; "
            f"{workers} workers"
        )
        started = time.perf_counter()
        counts = _load_shards(cursor, [collective, *shards], workers, log)
        log(f"  built and loaded in {time.perf_counter() - started:.1f} s")

        if triggers == "off":
            started = time.perf_counter()
            broken = foreign_key_orphans(cursor, watched)
            if broken:
                raise RuntimeError(f"The generated rows break foreign keys: {broken}")
            log(f"  foreign keys checked in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
    log(f"  committed in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    data_indexes = {i.name: i.definition for i in indexes if i.table not in KEPT_TABLES}
    kept_indexes = {i.name: i.definition for i in indexes if i.table in KEPT_TABLES}
    if triggers == "off":
        # The rebuild reads the loaded tables while their indexes are built beside it.
        with ThreadPoolExecutor(max_workers=1) as background:
            building = background.submit(_run_parallel, data_indexes, workers, "indexes", log)
            _rebuild(organization, log)
            building.result()
    else:
        _run_parallel(data_indexes, workers, "indexes", log)
    _run_parallel(kept_indexes, workers, "coverage indexes", log)
    _run_parallel(
        {table: f"VACUUM ANALYZE {table}" for table in watched + list(KEPT_TABLES)},
        workers,
        "VACUUM ANALYZE",
        log,
    )
    return counts
