"""The catalog's version: a random number the database renews at any write to the catalog tables
`Catalog` reads, whatever the path (admin, catalog import, migration, raw SQL), so that each
process keeps one `Catalog` in memory and reloads it only when the number changed
(`Catalog.current`).

The number is renewed inside the writing transaction: that transaction sees its own new version
(and loads the catalog it changed), the others see it at commit, and a rollback restores the
previous number together with the previous rows. Numbers are random 60-bit values, so none
comes back after a rollback with other contents.

PostgreSQL: a statement trigger per table (reporting migration 0006). SQLite (development and
tests): row triggers, dropped before and installed after every `migrate`, since SQLite drops a
table's triggers when a migration rebuilds it.
"""

from django.db import connection, connections

VERSION_TABLE = "reporting_catalogversion"
CATALOG_TABLES = ("reporting_country", "reporting_pro", "reporting_reporttype", "reporting_scheme")

POSTGRESQL_FUNCTION = f"""
CREATE OR REPLACE FUNCTION reporting_catalog_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {VERSION_TABLE} (id, version)
    VALUES (1, floor(random() * 1152921504606846976)::bigint)
    ON CONFLICT (id) DO UPDATE SET version = excluded.version;
    RETURN NULL;
END
$$;
"""

_SQLITE_EVENTS = ("INSERT", "UPDATE", "DELETE")


def postgresql_install() -> str:
    return "\n".join(
        [POSTGRESQL_FUNCTION]
        + [
            f"CREATE TRIGGER {table}_catalog_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION reporting_catalog_changed();"
            for table in CATALOG_TABLES
        ]
        + [
            f"INSERT INTO {VERSION_TABLE} (id, version) "
            "VALUES (1, floor(random() * 1152921504606846976)::bigint) "
            "ON CONFLICT (id) DO UPDATE SET version = excluded.version;"
        ]
    )


def postgresql_uninstall() -> str:
    return "\n".join(
        [f"DROP TRIGGER IF EXISTS {table}_catalog_version ON {table};" for table in CATALOG_TABLES]
        + ["DROP FUNCTION IF EXISTS reporting_catalog_changed();"]
    )


_SQLITE_RENEW = (
    f"INSERT INTO {VERSION_TABLE} (id, version) VALUES (1, random() >> 4) "
    "ON CONFLICT (id) DO UPDATE SET version = excluded.version;"
)


def _sqlite_trigger_names() -> list[str]:
    return [
        f"{table}_catalog_version_{event.lower()}"
        for table in CATALOG_TABLES
        for event in _SQLITE_EVENTS
    ]


def sqlite_triggers_drop(using: str = "default", **kwargs) -> None:
    """pre_migrate: a trigger naming a table that a migration rebuilds breaks the rebuild."""
    db = connections[using]
    if db.vendor != "sqlite":
        return
    with db.cursor() as cursor:
        for name in _sqlite_trigger_names():
            cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def sqlite_triggers_install(using: str = "default", **kwargs) -> None:
    """post_migrate: (re)install the triggers and renew the version, since the migrations wrote
    without them."""
    db = connections[using]
    if db.vendor != "sqlite":
        return
    if not {VERSION_TABLE, *CATALOG_TABLES} <= set(db.introspection.table_names()):
        return
    with db.cursor() as cursor:
        for table in CATALOG_TABLES:
            for event in _SQLITE_EVENTS:
                cursor.execute(
                    f"CREATE TRIGGER IF NOT EXISTS {table}_catalog_version_{event.lower()} "
                    f"AFTER {event} ON {table} BEGIN {_SQLITE_RENEW} END"
                )
        cursor.execute(_SQLITE_RENEW)


CATALOG_VERSION_SQL = f"SELECT version FROM {VERSION_TABLE} WHERE id = 1"


def catalog_version() -> int | None:
    """The catalog's current version, None when it has none (its row was removed, as a test
    database flush does: the catalog is then read each time)."""
    with connection.cursor() as cursor:
        cursor.execute(CATALOG_VERSION_SQL)
        row = cursor.fetchone()
    return row[0] if row else None
