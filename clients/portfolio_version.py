"""The portfolio version of an organization, and answers cached under it.

A write to a client, an alias, an obligation, a credential or a credential's report type gives
the organizations that own or share the client a new `PortfolioVersion`. Database triggers do
it, so no path can forget: services, admin inlines, the bulk upload's COPY, a DELETE cascade.
A reader takes the version first and computes afterwards, so an answer stored under a version
is never older than that version. Versions are never reused.

On PostgreSQL, statement triggers (a 20,000-row COPY fires once) note the organizations in
`clients_portfoliochange`, a table whose rows only their own transaction ever sees; at commit
a deferred trigger turns each noted organization into a new version drawn from a sequence and
removes the note. The version row is thus locked only while committing, so transactions of one
organization never wait for each other's work, and the new version becomes visible with the
data. A transaction that has changed a portfolio and not yet committed sees its note, and
computes its answers without the cache.

SQLite has one writer at a time and only row triggers: they write a random 64-bit version
directly.
"""

from collections.abc import Callable
from hashlib import blake2b
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection

from clients.models import PortfolioVersion

T = TypeVar("T")

SEQUENCE = "clients_portfolio_version_seq"
VERSION_TABLE = "clients_portfolioversion"
CHANGE_TABLE = "clients_portfoliochange"
CLIENT_TABLE = "clients_client"
# Tables whose rows belong to a client through `client_id`.
CLIENT_ROW_TABLES = ("clients_alias", "clients_obligation")
# Catalog codes appear in the statistics.
CATALOG_TABLES = ("reporting_country", "reporting_reporttype")

_MISSING = object()

_POSTGRESQL_FUNCTIONS = f"""
CREATE SEQUENCE IF NOT EXISTS {SEQUENCE};

CREATE TABLE IF NOT EXISTS {CHANGE_TABLE} (
    organization_id bigint NOT NULL,
    transaction_id bigint NOT NULL DEFAULT txid_current(),
    PRIMARY KEY (organization_id, transaction_id)
);

CREATE OR REPLACE FUNCTION clients_portfolio_note(organization_ids bigint[]) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO {CHANGE_TABLE} (organization_id)
    SELECT DISTINCT id FROM unnest(organization_ids) AS id WHERE id IS NOT NULL
    ON CONFLICT DO NOTHING
$$;

CREATE OR REPLACE FUNCTION clients_portfolio_commit() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {VERSION_TABLE} (organization_id, version)
    VALUES (NEW.organization_id, nextval('{SEQUENCE}'))
    ON CONFLICT (organization_id) DO UPDATE SET version = EXCLUDED.version;
    DELETE FROM {CHANGE_TABLE}
    WHERE organization_id = NEW.organization_id AND transaction_id = NEW.transaction_id;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER {CHANGE_TABLE}_commit AFTER INSERT ON {CHANGE_TABLE}
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION clients_portfolio_commit();

CREATE OR REPLACE FUNCTION clients_client_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        PERFORM clients_portfolio_note(ARRAY(
            SELECT organization_id FROM new_rows
            UNION SELECT client_organization_id FROM new_rows));
    END IF;
    IF TG_OP <> 'INSERT' THEN
        PERFORM clients_portfolio_note(ARRAY(
            SELECT organization_id FROM old_rows
            UNION SELECT client_organization_id FROM old_rows));
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION clients_client_row_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        PERFORM clients_portfolio_note(ARRAY(
            SELECT unnest(ARRAY[c.organization_id, c.client_organization_id])
            FROM {CLIENT_TABLE} c WHERE c.id IN (SELECT client_id FROM new_rows)));
    END IF;
    IF TG_OP <> 'INSERT' THEN
        PERFORM clients_portfolio_note(ARRAY(
            SELECT unnest(ARRAY[c.organization_id, c.client_organization_id])
            FROM {CLIENT_TABLE} c WHERE c.id IN (SELECT client_id FROM old_rows)));
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION clients_catalog_code_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE n.code <> o.code
    ) THEN
        PERFORM clients_portfolio_note(ARRAY(SELECT organization_id FROM {VERSION_TABLE}));
    END IF;
    RETURN NULL;
END $$;
"""

_POSTGRESQL_DROP_FUNCTIONS = f"""
DROP FUNCTION IF EXISTS clients_catalog_code_changed();
DROP FUNCTION IF EXISTS clients_client_row_changed();
DROP FUNCTION IF EXISTS clients_client_changed();
DROP TABLE IF EXISTS {CHANGE_TABLE};
DROP FUNCTION IF EXISTS clients_portfolio_commit();
DROP FUNCTION IF EXISTS clients_portfolio_note(bigint[]);
DROP SEQUENCE IF EXISTS {SEQUENCE};
"""

_TRANSITION_TABLES = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows",
    "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "REFERENCING OLD TABLE AS old_rows",
}


def _trigger_name(table: str, event: str) -> str:
    return f"{table}_portfolio_{event.lower()}"


def _postgresql_triggers(table: str, function: str, events=("INSERT", "UPDATE", "DELETE")) -> str:
    # A trigger with transition tables takes one event only.
    return "\n".join(
        f"CREATE TRIGGER {_trigger_name(table, event)} AFTER {event} ON {table} "
        f"{_TRANSITION_TABLES[event]} FOR EACH STATEMENT EXECUTE FUNCTION {function}();"
        for event in events
    )


def _sqlite_bump(organization_ids: str) -> str:
    # WHERE before ON CONFLICT: SQLite's parser needs it to read the upsert after a SELECT.
    return (
        f"INSERT INTO {VERSION_TABLE} (organization_id, version) "
        f"SELECT id, random() FROM clients_organization WHERE id IN ({organization_ids}) "
        "ON CONFLICT (organization_id) DO UPDATE SET version = excluded.version;"
    )


def _sqlite_client_ids(row: str) -> str:
    return f"{row}.organization_id, {row}.client_organization_id"


def _sqlite_client_row_ids(row: str) -> str:
    return (
        f"SELECT organization_id FROM {CLIENT_TABLE} WHERE id = {row}.client_id "
        f"UNION SELECT client_organization_id FROM {CLIENT_TABLE} WHERE id = {row}.client_id"
    )


def _sqlite_triggers(table: str, organization_ids: Callable[[str], str]) -> list[str]:
    rows = {"INSERT": ("NEW",), "UPDATE": ("NEW", "OLD"), "DELETE": ("OLD",)}
    return [
        f"CREATE TRIGGER {_trigger_name(table, event)} AFTER {event} ON {table} BEGIN "
        + " ".join(_sqlite_bump(organization_ids(row)) for row in names)
        + " END"
        for event, names in rows.items()
    ]


def _sqlite_catalog_trigger(table: str) -> str:
    return (
        f"CREATE TRIGGER {_trigger_name(table, 'UPDATE')} AFTER UPDATE OF code ON {table} "
        f"WHEN NEW.code <> OLD.code BEGIN UPDATE {VERSION_TABLE} SET version = random(); END"
    )


def _drop_triggers(tables, vendor: str, events=("INSERT", "UPDATE", "DELETE")) -> list[str]:
    on = " ON {table}" if vendor == "postgresql" else ""
    return [
        f"DROP TRIGGER IF EXISTS {_trigger_name(table, event)}" + on.format(table=table)
        for table in tables
        for event in events
    ]


def watch_client_tables(schema_editor) -> None:
    """Create the versioning and its triggers on the clients app's tables and the catalog."""
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(_POSTGRESQL_FUNCTIONS)
        schema_editor.execute(_postgresql_triggers(CLIENT_TABLE, "clients_client_changed"))
        for table in CLIENT_ROW_TABLES:
            schema_editor.execute(_postgresql_triggers(table, "clients_client_row_changed"))
        for table in CATALOG_TABLES:
            schema_editor.execute(
                _postgresql_triggers(table, "clients_catalog_code_changed", events=("UPDATE",))
            )
        schema_editor.execute(
            f"INSERT INTO {VERSION_TABLE} (organization_id, version) "
            f"SELECT id, nextval('{SEQUENCE}') FROM clients_organization"
        )
    elif vendor == "sqlite":
        statements = _sqlite_triggers(CLIENT_TABLE, _sqlite_client_ids)
        for table in CLIENT_ROW_TABLES:
            statements += _sqlite_triggers(table, _sqlite_client_row_ids)
        statements += [_sqlite_catalog_trigger(table) for table in CATALOG_TABLES]
        for statement in statements:
            schema_editor.execute(statement)
        schema_editor.execute(
            f"INSERT INTO {VERSION_TABLE} (organization_id, version) "
            "SELECT id, random() FROM clients_organization"
        )
    else:
        raise NotImplementedError(f"Portfolio versions need PostgreSQL or SQLite, not {vendor}.")


def unwatch_client_tables(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for statement in _drop_triggers((CLIENT_TABLE, *CLIENT_ROW_TABLES), vendor) + _drop_triggers(
        CATALOG_TABLES, vendor, events=("UPDATE",)
    ):
        schema_editor.execute(statement)
    if vendor == "postgresql":
        schema_editor.execute(_POSTGRESQL_DROP_FUNCTIONS)


def watch_client_row_tables(schema_editor, tables: tuple[str, ...]) -> None:
    """Give the owners of the client a new version when rows of `tables` (with a `client_id`
    column, in other apps) change."""
    vendor = schema_editor.connection.vendor
    for table in tables:
        if vendor == "postgresql":
            schema_editor.execute(_postgresql_triggers(table, "clients_client_row_changed"))
        elif vendor == "sqlite":
            for statement in _sqlite_triggers(table, _sqlite_client_row_ids):
                schema_editor.execute(statement)
        else:
            raise NotImplementedError(
                f"Portfolio versions need PostgreSQL or SQLite, not {vendor}."
            )


def unwatch_client_row_tables(schema_editor, tables: tuple[str, ...]) -> None:
    for statement in _drop_triggers(tables, schema_editor.connection.vendor):
        schema_editor.execute(statement)


def portfolio_version(organization_id: int) -> int | None:
    """The organization's current portfolio version (0: its portfolio was never written), or
    None while the current transaction has changed that portfolio and not yet committed."""
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


def cached_for_portfolio(
    organization_id: int, name: str, parts: tuple, compute: Callable[[], T]
) -> T:
    """`compute()`, remembered under the organization's portfolio version, `name` and `parts`
    (a tuple whose repr identifies the question)."""
    version = portfolio_version(organization_id)
    if version is None:
        return compute()
    digest = blake2b(repr(parts).encode(), digest_size=16).hexdigest()
    key = f"portfolio:{organization_id}:{version}:{name}:{digest}"
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        cache.set(key, value, timeout=settings.PORTFOLIO_CACHE_SECONDS)
    return value
