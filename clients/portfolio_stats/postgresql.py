"""PostgreSQL: statement triggers and the functions they call (migrations install them)."""

from django.db import connections

from clients.portfolio_stats.rebuild import portfolio_rebuild
from clients.portfolio_stats.tables import (
    CLIENT_TABLE,
    COVERAGE_SOURCES,
    COVERAGE_TABLE,
    DELTA_TABLE,
    FACET_TABLE,
    PENDING_TABLE,
    STAT_TABLE,
    _coverage_follow_clients,
    _coverage_insert,
    _facets_select,
)

# Each refresh first locks the clients it recomputes (in id order, NO KEY UPDATE: inserts that
# only reference a client are not held up). Two transactions writing one client then take turns
# over its coverage and facets, and the second reads what the first committed; writers of
# different clients of one organization never wait for each other.
CLIENT_LOCK = f"PERFORM 1 FROM {CLIENT_TABLE} WHERE id = ANY(ids) ORDER BY id FOR NO KEY UPDATE;"

POSTGRESQL_CLIENT_FUNCTION = f"""
CREATE OR REPLACE FUNCTION clients_client_stats_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE ids bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        ids := ARRAY(SELECT id FROM new_rows);
    ELSIF TG_OP = 'DELETE' THEN
        ids := ARRAY(SELECT id FROM old_rows);
        DELETE FROM {COVERAGE_TABLE} WHERE client_id = ANY(ids);
    ELSE
        ids := ARRAY(
            SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
            WHERE n.status IS DISTINCT FROM o.status
               OR n.collective_account IS DISTINCT FROM o.collective_account
               OR n.organization_id IS DISTINCT FROM o.organization_id);
        IF cardinality(ids) > 0 THEN
            {_coverage_follow_clients("c.id = ANY(ids)")};
        END IF;
    END IF;
    IF cardinality(ids) > 0 THEN
        PERFORM clients_stats_refresh(ids);
    END IF;
    RETURN NULL;
END $$;
"""

POSTGRESQL_REFRESH_FUNCTION = f"""
CREATE OR REPLACE FUNCTION clients_stats_refresh(ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE txn bigint := txid_current();
BEGIN
    {CLIENT_LOCK}
    WITH old AS (
        DELETE FROM {FACET_TABLE} WHERE client_id = ANY(ids)
        RETURNING organization_id, dimension, key
    )
    INSERT INTO {DELTA_TABLE} (transaction_id, organization_id, dimension, key, clients)
    SELECT txn, organization_id, dimension, key, -count(*) FROM old
    GROUP BY organization_id, dimension, key;

    WITH new AS (
        INSERT INTO {FACET_TABLE} (client_id, organization_id, dimension, key)
        {_facets_select("c.id = ANY(ids)")}
        RETURNING organization_id, dimension, key
    )
    INSERT INTO {DELTA_TABLE} (transaction_id, organization_id, dimension, key, clients)
    SELECT txn, organization_id, dimension, key, count(*) FROM new
    GROUP BY organization_id, dimension, key;

    INSERT INTO {PENDING_TABLE} (transaction_id) VALUES (txn) ON CONFLICT DO NOTHING;
END $$;
"""

POSTGRESQL_FUNCTIONS = f"""
CREATE TABLE {PENDING_TABLE} (transaction_id bigint PRIMARY KEY DEFAULT txid_current());

{POSTGRESQL_REFRESH_FUNCTION}

CREATE FUNCTION clients_stats_commit() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    WITH moved AS (
        DELETE FROM {DELTA_TABLE} WHERE transaction_id = txid_current()
        RETURNING organization_id, dimension, key, clients
    ), summed AS (
        SELECT organization_id, dimension, key, sum(clients) AS clients FROM moved
        GROUP BY organization_id, dimension, key HAVING sum(clients) <> 0
    )
    INSERT INTO {STAT_TABLE} (organization_id, dimension, key, clients)
    SELECT organization_id, dimension, key, clients FROM summed
    ORDER BY organization_id, dimension, key
    ON CONFLICT (organization_id, dimension, key)
    DO UPDATE SET clients = {STAT_TABLE}.clients + EXCLUDED.clients;
    DELETE FROM {PENDING_TABLE} WHERE transaction_id = txid_current();
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER {PENDING_TABLE}_commit AFTER INSERT ON {PENDING_TABLE}
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION clients_stats_commit();

{POSTGRESQL_CLIENT_FUNCTION}"""

POSTGRESQL_DROP_FUNCTIONS = f"""
DROP FUNCTION IF EXISTS clients_client_stats_changed();
DROP TABLE IF EXISTS {PENDING_TABLE};
DROP FUNCTION IF EXISTS clients_stats_commit();
DROP FUNCTION IF EXISTS clients_stats_refresh(bigint[]);
"""

_TRANSITION_TABLES = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows",
    "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "REFERENCING OLD TABLE AS old_rows",
}


def postgresql_triggers(table: str, function: str) -> str:
    """Statement triggers of `table` calling `function` on every write."""
    return "\n".join(
        f"CREATE TRIGGER {table}_stats_{event.lower()} AFTER {event} ON {table} "
        f"{references} FOR EACH STATEMENT EXECUTE FUNCTION {function}();"
        for event, references in _TRANSITION_TABLES.items()
    )


def postgresql_drop_triggers(table: str) -> str:
    return "\n".join(
        f"DROP TRIGGER IF EXISTS {table}_stats_{event} ON {table};"
        for event in ("insert", "update", "delete")
    )


def postgresql_coverage_function_body(source: str, table: str) -> str:
    """The trigger function recomputing `source`'s coverage of the clients whose `table` rows a
    statement wrote, then their statistics (CREATE OR REPLACE: a migration changing what the
    coverage holds runs it again)."""
    return f"""
CREATE OR REPLACE FUNCTION {table}_coverage_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE ids bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        ids := ARRAY(SELECT DISTINCT client_id FROM new_rows);
    ELSIF TG_OP = 'DELETE' THEN
        ids := ARRAY(SELECT DISTINCT client_id FROM old_rows);
    ELSE
        ids := ARRAY(SELECT client_id FROM new_rows UNION SELECT client_id FROM old_rows);
    END IF;
    {CLIENT_LOCK}
    DELETE FROM {COVERAGE_TABLE} WHERE client_id = ANY(ids) AND source = '{source}';
    {_coverage_insert(source, table, "t.client_id = ANY(ids)")};
    PERFORM clients_stats_refresh(ids);
    RETURN NULL;
END $$;
"""


def postgresql_coverage_function(source: str, table: str) -> str:
    """postgresql_coverage_function_body and the statement triggers of `table` calling it."""
    return f"""
{postgresql_coverage_function_body(source, table)}
{postgresql_triggers(table, f"{table}_coverage_changed")}
"""


def postgresql_functions_replace(*, using: str = "default") -> None:
    """Replace the trigger functions that write the coverage with the current ones (for the
    source tables that exist), then rebuild the coverage and statistics: for a migration that
    changes what the coverage holds."""
    db = connections[using]
    tables = set(db.introspection.table_names())
    with db.cursor() as cursor:
        cursor.execute(POSTGRESQL_REFRESH_FUNCTION)
        cursor.execute(POSTGRESQL_CLIENT_FUNCTION)
        for source, table in COVERAGE_SOURCES.items():
            if table in tables:
                cursor.execute(postgresql_coverage_function_body(source, table))
    portfolio_rebuild(using=using)


def postgresql_drop_coverage_function(table: str) -> str:
    return (
        postgresql_drop_triggers(table) + f"\nDROP FUNCTION IF EXISTS {table}_coverage_changed();"
    )
