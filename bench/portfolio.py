"""A realistic agency portfolio on PostgreSQL, written with COPY so that 100,000 clients and
300,000 credentials load in well under a minute.

Rows are built in memory from a seeded random generator (the same size and seed give the same
portfolio) and streamed with COPY; primary keys are drawn from the tables' own sequences first so
that foreign keys can be written without reading anything back. Columns this module does not
name take the model field's default, so a new field with a default does not break it.
"""

import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import connection, models, transaction
from django.utils import timezone
from encrypted_model_fields.fields import encrypt_str
from psycopg.types.json import Jsonb

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


def pick(rng: random.Random, weights: dict):
    return rng.choices(list(weights), list(weights.values()))[0]


def build_portfolio(
    *, organization: Organization, size: PortfolioSize, catalog: Sequence[CatalogPro], ids
) -> Portfolio:
    """Every row of the portfolio. `ids(table_model, n)` hands out n primary keys of a table."""
    rng = random.Random(SEED)
    now = timezone.now()
    ciphertexts = [encrypt_str(password).decode() for password in PASSWORDS]
    empty_ciphertext = encrypt_str("").decode()
    portfolio = Portfolio()

    collective_clients = max(1, round(size.clients * COLLECTIVE_SHARE)) if size.clients > 1 else 0
    regular_clients = size.clients - collective_clients
    collective_credentials = min(
        size.credentials, collective_clients * COLLECTIVE_CREDENTIALS_PER_ACCOUNT
    )
    client_ids = ids(Client, size.clients)
    credential_ids = iter(ids(Credential, size.credentials))

    pro_weights = []
    pros_per_country: dict[str, int] = {}
    for pro in catalog:
        pros_per_country[pro.country_code] = pros_per_country.get(pro.country_code, 0) + 1
    for pro in catalog:
        weight = COUNTRY_WEIGHTS.get(pro.country_code, OTHER_COUNTRY_WEIGHT)
        pro_weights.append(weight / pros_per_country[pro.country_code])
    schemes = [(pro, rt_id) for pro in catalog for rt_id in pro.report_type_ids]

    def distinct_pros(count: int) -> list[CatalogPro]:
        chosen: dict[int, CatalogPro] = {}
        while len(chosen) < count:
            for pro in rng.choices(catalog, pro_weights, k=count * 2):
                chosen.setdefault(pro.id, pro)
                if len(chosen) == count:
                    break
        return list(chosen.values())

    def add_credential(*, client_id, pro, report_type_ids, codes, login, password, collective_id):
        credential_id = next(credential_ids)
        created = now - _days(rng, 1000)
        portfolio.credentials.append(
            (
                credential_id,
                client_id,
                pro.country_id,
                pro.id,
                ",".join(codes),
                login,
                password,
                "" if rng.random() < 0.1 else f"{pro.country_code}{rng.randrange(10**7, 10**8)}",
                pick(rng, CREDENTIAL_STATUS_WEIGHTS),
                rng.choice(CREDENTIAL_NOTES) if rng.random() < 0.1 else "",
                pick(rng, INTERVAL_WEIGHTS),
                Jsonb({"portal_user_id": str(rng.randrange(10**6))})
                if rng.random() < 0.05
                else None,
                collective_id,
                created,
                created,
            )
        )
        for report_type_id in report_type_ids:
            portfolio.credential_report_types.append(
                (credential_id, report_type_id, client_id, pro.country_id, pro.id)
            )
        return credential_id

    collective_by_pro: dict[int, list[int]] = {}
    collective_ids = client_ids[regular_clients:]
    for number, client_id in enumerate(collective_ids, start=1):
        share = collective_credentials // collective_clients + (
            1 if number <= collective_credentials % collective_clients else 0
        )
        pros = distinct_pros(min(share, len(catalog)))
        portfolio.clients.append(
            (
                client_id,
                organization.pk,
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
            credential_id = add_credential(
                client_id=client_id,
                pro=pro,
                report_type_ids=pro.report_type_ids,
                codes=pro.report_type_codes,
                login=f"collective.{number}.{pro.country_code.lower()}@agency.example",
                password=rng.choice(ciphertexts),
                collective_id=None,
            )
            collective_by_pro.setdefault(pro.id, []).append(credential_id)

    counts = credentials_per_client(
        rng, regular_clients, size.credentials - len(portfolio.credentials), len(catalog)
    )
    name_indices = _name_indices(rng, regular_clients)
    for client_id, name_index, count in zip(client_ids, name_indices, counts, strict=False):
        name, trading, base = client_name(name_index)
        created = now - _days(rng, 1500)
        portfolio.clients.append(
            (
                client_id,
                organization.pk,
                name,
                pick(rng, STATUS_WEIGHTS),
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

        pros = distinct_pros(count)
        covered: set[tuple] = set()
        obligations: set[tuple] = set()
        for pro in pros:
            if len(pro.report_type_ids) > 1 and rng.random() < 0.6:
                index = rng.randrange(len(pro.report_type_ids))
                report_type_ids = (pro.report_type_ids[index],)
                codes = (pro.report_type_codes[index],)
            else:
                report_type_ids, codes = pro.report_type_ids, pro.report_type_codes
            collective_id = None
            login = f"{trading.replace(' ', '.').lower()}.{len(portfolio.credentials)}@{pro.country_code.lower()}.example"
            password = rng.choice(ciphertexts)
            if pro.id in collective_by_pro and rng.random() < LINKED_SHARE:
                collective_id = rng.choice(collective_by_pro[pro.id])
                login, password = "", empty_ciphertext
            add_credential(
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


def _days(rng: random.Random, most: int) -> timedelta:
    return timedelta(days=rng.randrange(most), seconds=rng.randrange(86400))


def _name_indices(rng: random.Random, count: int) -> list[int]:
    combos = len(ADJECTIVES) * len(NOUNS) * len(SECTORS) * len(HOME_LEGAL_FORMS)
    if count <= combos:
        return rng.sample(range(combos), count)
    return list(range(count))


def _copy(cursor, model: type[models.Model], columns: Sequence[str], rows: Iterable[tuple]) -> None:
    """COPY rows into the model's table; other non-key columns get the field's default."""
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
    extra = tuple(extra_values)
    with cursor.copy(f"COPY {model._meta.db_table} ({column_list}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row + extra if extra else row)


def _allocate_ids(cursor):
    def ids(model: type[models.Model], count: int) -> list[int]:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]

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
    table = Client._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        _clear_dependants(cursor, Client, f"SELECT id FROM {table} WHERE {where}", params, {Client})
        cursor.execute(f"DELETE FROM {table} WHERE {where}", params)


def portfolio_generate(organization: Organization, size: PortfolioSize, log=print) -> Portfolio:
    """Build and COPY the portfolio in one transaction, then VACUUM ANALYZE the tables."""
    if connection.vendor != "postgresql":
        raise RuntimeError("The bench portfolio is generated on PostgreSQL (set DATABASE_URL).")
    catalog = load_catalog()
    connection.ensure_connection()
    with transaction.atomic(), connection.connection.cursor() as cursor:
        started = time.perf_counter()
        portfolio = build_portfolio(
            organization=organization, size=size, catalog=catalog, ids=_allocate_ids(cursor)
        )
        log(f"  built rows in {time.perf_counter() - started:.1f} s")
        for model, columns, rows in (
            (Client, CLIENT_COLUMNS, portfolio.clients),
            (Alias, ALIAS_COLUMNS, portfolio.aliases),
            (Obligation, OBLIGATION_COLUMNS, portfolio.obligations),
            (Credential, CREDENTIAL_COLUMNS, portfolio.credentials),
            (
                CredentialReportType,
                CREDENTIAL_REPORT_TYPE_COLUMNS,
                portfolio.credential_report_types,
            ),
        ):
            started = time.perf_counter()
            _copy(cursor, model, columns, rows)
            log(
                f"  {model._meta.db_table}: {len(rows):,} rows in "
                f"{time.perf_counter() - started:.1f} s"
            )
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for model in (Client, Alias, Obligation, Credential, CredentialReportType):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    log(f"  VACUUM ANALYZE in {time.perf_counter() - started:.1f} s")
    return portfolio
