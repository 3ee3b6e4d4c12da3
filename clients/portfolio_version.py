"""The portfolio version of an organization, and answers cached under it.

A write to a client, an alias, an obligation, a credential or a credential's report type gives
the organizations that own or share the client a new `PortfolioVersion`; so does a changed
collective account, for the clients linked to it. Database triggers do it, so no path can
forget: services, admin inlines, the bulk upload's COPY, a DELETE cascade, raw SQL. A reader
takes the version first and computes afterwards, so an answer stored under a version is never
older than that version. Versions are random 60-bit numbers: they do not repeat after a
rollback, a migration or a restored backup, nor between databases sharing one cache.

PostgreSQL (clients migration 0004, credentials 0005): statement triggers (a 20,000-row COPY
fires once) note the organizations in `clients_portfoliochange`, whose rows only their own
transaction sees; at commit a deferred trigger turns the notes into new versions. Transactions
of one organization therefore never wait for each other's work, and a new version becomes
visible together with the data. A transaction that has changed a portfolio and not yet
committed sees its notes, and computes its answers without the cache.

SQLite (development): row triggers write versions directly. SQLite drops a table's triggers
when Django rebuilds the table in a migration, so they are dropped before and installed after
every `migrate`, and every version is renewed then.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from hashlib import blake2b
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction

from clients import portfolio_stats
from clients.models import PortfolioVersion
from config.postgresql import prepared_cursor
from reporting.catalog_version import CATALOG_VERSION_SQL

T = TypeVar("T")

logger = logging.getLogger(__name__)

VERSION_TABLE = "clients_portfolioversion"
CHANGE_TABLE = "clients_portfoliochange"
_MISSING = object()

# The tables whose rows the client list reads, each with how to find the organizations whose
# portfolio a changed row touches. Defined once for both databases: SQLite's triggers are built
# from it; PostgreSQL's are installed by the owning app's migration (`postgresql_function`), and
# tests/clients/test_portfolio_version.py checks that every table the list reads is here and
# has its triggers on the database in use. An app watches its own tables (AppConfig.ready):
# this module names no table of another app.


@dataclass(frozen=True)
class WatchedTable:
    table: str
    # SQLite: a query of one organization column (`{column}`: owner or client_organization) of
    # the clients a changed row (`{row}`: NEW or OLD) touches.
    sqlite_organizations: str
    # PostgreSQL: the trigger function the app's migration attached to the table.
    postgresql_function: str
    # When given, only an update that changes one of these columns renews the version (on
    # PostgreSQL the trigger function compares them).
    update_columns: tuple[str, ...] = ()


WATCHED_TABLES: dict[str, WatchedTable] = {}

# A row with a client_id: the organizations of that client.
CLIENT_OF_ROW = "SELECT {column} FROM clients_client WHERE id = {row}.client_id"


def table_watch(
    table: str,
    *,
    sqlite_organizations: str,
    postgresql_function: str,
    update_columns: tuple[str, ...] = (),
) -> None:
    """Give the organizations a changed row of `table` touches a new portfolio version."""
    WATCHED_TABLES[table] = WatchedTable(
        table, sqlite_organizations, postgresql_function, update_columns
    )


table_watch(
    "clients_client",
    sqlite_organizations="SELECT {row}.{column}",
    postgresql_function="clients_client_changed",
)
for _table in ("clients_alias", "clients_obligation"):
    table_watch(
        _table,
        sqlite_organizations=CLIENT_OF_ROW,
        postgresql_function="clients_client_row_changed",
    )

_SQLITE_CATALOG_TABLES = ("reporting_country", "reporting_reporttype")
_SQLITE_RANDOM_VERSION = "(random() >> 4)"
_SQLITE_EVENTS = {"INSERT": ("NEW",), "UPDATE": ("NEW", "OLD"), "DELETE": ("OLD",)}


def _sqlite_organization_ids(table: str, row: str) -> str:
    return " UNION ".join(
        WATCHED_TABLES[table].sqlite_organizations.format(column=column, row=row)
        for column in ("organization_id", "client_organization_id")
    )


def _sqlite_trigger_statements() -> list[str]:
    statements = []
    for table, watched in WATCHED_TABLES.items():
        for event, rows in _SQLITE_EVENTS.items():
            # WHERE before ON CONFLICT: SQLite's parser needs it to read an upsert after a SELECT.
            body = " ".join(
                f"INSERT INTO {VERSION_TABLE} (organization_id, version) "
                f"SELECT id, {_SQLITE_RANDOM_VERSION} FROM clients_organization "
                f"WHERE id IN ({_sqlite_organization_ids(table, row)}) "
                "ON CONFLICT (organization_id) DO UPDATE SET version = excluded.version;"
                for row in rows
            )
            columns = watched.update_columns if event == "UPDATE" else ()
            when = (
                " WHEN " + " OR ".join(f"NEW.{column} IS NOT OLD.{column}" for column in columns)
                if columns
                else ""
            )
            statements.append(
                f"CREATE TRIGGER IF NOT EXISTS {table}_portfolio_{event.lower()} "
                f"AFTER {event} ON {table}{when} BEGIN {body} END"
            )
    statements += [
        f"CREATE TRIGGER IF NOT EXISTS {table}_portfolio_update AFTER UPDATE OF code ON {table} "
        f"WHEN NEW.code <> OLD.code BEGIN "
        f"UPDATE {VERSION_TABLE} SET version = {_SQLITE_RANDOM_VERSION}; END"
        for table in _SQLITE_CATALOG_TABLES
    ]
    return statements


def _sqlite_trigger_names() -> list[str]:
    return [
        f"{table}_portfolio_{event.lower()}" for table in WATCHED_TABLES for event in _SQLITE_EVENTS
    ] + [f"{table}_portfolio_update" for table in _SQLITE_CATALOG_TABLES]


def sqlite_triggers_drop(using: str = "default", **kwargs) -> None:
    """pre_migrate: a migration may rebuild a watched table (SQLite has no ALTER for most
    changes), and a trigger naming a table being rebuilt breaks the rebuild."""
    from django.db import connections

    db = connections[using]
    if db.vendor != "sqlite":
        return
    with db.cursor() as cursor:
        for name in _sqlite_trigger_names() + portfolio_stats.sqlite_trigger_names():
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def sqlite_triggers_install(using: str = "default", **kwargs) -> None:
    """post_migrate: (re)install the triggers, rebuild the coverage and statistics and renew
    every version, since the migrations wrote without them."""
    from django.db import connections

    db = connections[using]
    if db.vendor != "sqlite":
        return
    tables = set(db.introspection.table_names())
    needed = {
        VERSION_TABLE,
        *WATCHED_TABLES,
        *_SQLITE_CATALOG_TABLES,
        *portfolio_stats.sqlite_tables(),
    }
    if not needed <= tables:
        return
    portfolio_stats.portfolio_rebuild(using=using)
    with db.cursor() as cursor:
        for statement in _sqlite_trigger_statements() + portfolio_stats.sqlite_trigger_statements():
            cursor.execute(statement)
        cursor.execute(
            f"INSERT INTO {VERSION_TABLE} (organization_id, version) "
            f"SELECT id, {_SQLITE_RANDOM_VERSION} FROM clients_organization WHERE true "
            "ON CONFLICT (organization_id) DO UPDATE SET version = excluded.version"
        )


def portfolio_version(organization_id: int) -> int | None:
    """The organization's current portfolio version (0: its portfolio was never written).

    On PostgreSQL, None while the current transaction has changed that portfolio and not yet
    committed: the committed version does not describe what this transaction sees.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT (SELECT version FROM {VERSION_TABLE} WHERE organization_id = %s), "
                f"EXISTS (SELECT 1 FROM {CHANGE_TABLE} WHERE organization_id = %s)",
                [organization_id, organization_id],
            )
            version, changing = cursor.fetchone()
        return None if changing else version or 0
    version = (
        PortfolioVersion.objects.filter(organization_id=organization_id)
        .values_list("version", flat=True)
        .first()
    )
    return version or 0


def portfolio_versions_renew(organization_ids) -> None:
    """New portfolio versions for these organizations, so that no answer cached under their
    old ones is read again: after a repair of their coverage and statistics, which the
    triggers do not watch."""
    ids = sorted({int(pk) for pk in organization_ids})
    if not ids:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Noted like any write: the new versions are made at commit.
            cursor.execute("SELECT clients_portfolio_note(%s::bigint[])", [ids])
            return
        # Integers only (int() above): safe to write into the statement.
        listed = ", ".join(str(pk) for pk in ids)
        cursor.execute(
            f"INSERT INTO {VERSION_TABLE} (organization_id, version) "
            f"SELECT id, {_SQLITE_RANDOM_VERSION} FROM clients_organization WHERE id IN ({listed}) "
            "ON CONFLICT (organization_id) DO UPDATE SET version = excluded.version"
        )


def portfolio_repair(organization_ids) -> None:
    """Rebuild the organizations' coverage, statistics and search text from their rows and
    renew their portfolio versions, in one transaction: the list's cached answers were computed
    from what is rebuilt."""
    with transaction.atomic():
        portfolio_stats.portfolio_rebuild(organization_ids=list(organization_ids))
        portfolio_versions_renew(organization_ids)


@dataclass(frozen=True)
class PortfolioState:
    """What a list request reads before its answer, in one query (`portfolio_state`)."""

    # portfolio_version's answer.
    version: int | None
    # Whether any client is shared with the organization (ClientQuerySet.readable_by's second
    # half: shared and naming the organization as its client organization).
    shares_received: bool
    # reporting.catalog_version's answer, for Catalog.current.
    catalog_version: int | None


_SHARES_RECEIVED_SQL = (
    "EXISTS (SELECT 1 FROM clients_client "
    "WHERE client_organization_id = %(organization)s AND shared)"
)


def portfolio_state(organization_id: int) -> PortfolioState:
    """The organization's portfolio version, whether anything is shared with it and the
    catalog's version, in one query."""
    # Only PostgreSQL notes the changes of a transaction not yet committed.
    changing = (
        f"EXISTS (SELECT 1 FROM {CHANGE_TABLE} WHERE organization_id = %(organization)s)"
        if connection.vendor == "postgresql"
        else "false"
    )
    with prepared_cursor(connection) as cursor:
        cursor.execute(
            f"SELECT (SELECT version FROM {VERSION_TABLE} WHERE organization_id = %(organization)s), "
            f"{changing}, {_SHARES_RECEIVED_SQL}, ({CATALOG_VERSION_SQL})",
            {"organization": organization_id},
        )
        version, changing, shares_received, catalog_version = cursor.fetchone()
    return PortfolioState(
        version=None if changing else version or 0,
        shares_received=bool(shares_received),
        catalog_version=catalog_version,
    )


def cached_for_portfolio(
    organization_id: int,
    name: str,
    parts: tuple,
    compute: Callable[[], T],
    *,
    version: int | None = _MISSING,
) -> T:
    """`compute()`, remembered under the organization's portfolio version, `name` and `parts`
    (a tuple whose repr identifies the question).

    Pass `version` when it was read before `compute`'s querysets were built. Without a usable
    version, or when the cache fails, the answer is computed and not remembered.
    """
    if version is _MISSING:
        version = portfolio_version(organization_id)
    if version is None:
        return compute()
    digest = blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    key = f"portfolio:{organization_id}:{version}:{name}:{digest}"
    try:
        value = cache.get(key, _MISSING)
    except Exception:
        logger.warning("Cache unavailable; computing %s without it.", name, exc_info=True)
        return compute()
    if value is _MISSING:
        value = compute()
        try:
            cache.set(key, value, timeout=settings.PORTFOLIO_CACHE_SECONDS)
        except Exception:
            logger.warning("Cache unavailable; %s not remembered.", name, exc_info=True)
    return value
