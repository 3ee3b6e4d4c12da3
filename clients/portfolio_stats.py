"""What each client covers, and the statistics of each organization, kept by the database.

`ClientCoverage` holds, per client, the distinct (country, report type, PRO) of each source:
the client's obligations here, its credentials' report types from the credentials app (which
registers its table in its AppConfig.ready: this app names no table of another). The list
filters read it. `ClientStatFacet` holds what each client adds to its organization's statistics
(its status, each country and report type it covers, and whether an obligation of it has no
credential) and `PortfolioStat` the sums, so that `GET /logins/stats` reads a few rows whatever
the portfolio's size, and the admin's client list finds and counts the clients with missing
credentials without comparing every obligation with every credential.

Triggers keep the three tables, so every path counts: services, the admin, the bulk upload's
COPY, cascades, raw SQL. A write recomputes the coverage and facets of the clients it touches
and applies the difference of their facets to the counts.

PostgreSQL: statement triggers (a 20,000-row COPY fires once). The differences go to
`clients_portfoliostatdelta` first; a deferred trigger adds them to the counts at commit, in key
order, so that writers of one organization do not hold its counters for their whole
transaction and cannot deadlock on them. A reader adds its own transaction's pending
differences (no other transaction's are visible to it).

SQLite (development): row triggers apply the differences directly; like the portfolio version
triggers they are dropped before and installed after every `migrate`, which rebuilds the tables.

`manage.py portfolio_check [--repair]` recomputes everything from the rows and reports drift.
"""

from collections import Counter
from dataclasses import dataclass

from django.db import connection, connections, transaction

COVERAGE_TABLE = "clients_clientcoverage"
FACET_TABLE = "clients_clientstatfacet"
STAT_TABLE = "clients_portfoliostat"
DELTA_TABLE = "clients_portfoliostatdelta"
PENDING_TABLE = "clients_portfoliostatpending"
CLIENT_TABLE = "clients_client"

# source name -> table with client_id, country_id, report_type_id and pro_id columns.
COVERAGE_SOURCES: dict[str, str] = {"obligation": "clients_obligation"}

# The facet of a client with an obligation that no credential covers (StatDimension.MISSING).
MISSING_DIMENSION = "missing"
MISSING_KEY = "credentials"


def coverage_source_register(source: str, table: str) -> None:
    """Let `table`'s rows count as what its clients cover (called from AppConfig.ready)."""
    COVERAGE_SOURCES[source] = table


def _uncovered_obligation(client: str) -> str:
    """Whether the client `client` (a SQL expression) has an obligation that none of its
    credentials covers, read from its coverage: the rule of clients.selectors.
    uncovered_obligations (same country and report type, same PRO when the obligation names
    one; an obligation without a report type is covered by any credential in its country)."""
    return (
        f"EXISTS (SELECT 1 FROM {COVERAGE_TABLE} o WHERE o.client_id = {client} "
        "AND o.source = 'obligation' AND NOT EXISTS ("
        f"SELECT 1 FROM {COVERAGE_TABLE} k WHERE k.client_id = o.client_id "
        "AND k.source = 'credential' AND k.country_id = o.country_id "
        "AND (o.report_type_id IS NULL OR k.report_type_id = o.report_type_id) "
        "AND (o.pro_id IS NULL OR k.pro_id = o.pro_id)))"
    )


def _facets_select(clients: str) -> str:
    """The facets of the clients that `clients` (a SQL condition on `c`) selects."""
    counted = f"({clients}) AND NOT c.collective_account"
    return (
        "SELECT c.id AS client_id, c.organization_id AS organization_id, "
        f"'status' AS dimension, c.status AS key FROM {CLIENT_TABLE} c "
        f"WHERE {counted} "
        "UNION "
        f"SELECT c.id, c.organization_id, 'country', CAST(v.country_id AS TEXT) "
        f"FROM {CLIENT_TABLE} c JOIN {COVERAGE_TABLE} v ON v.client_id = c.id WHERE {counted} "
        "UNION "
        f"SELECT c.id, c.organization_id, 'report_type', CAST(v.report_type_id AS TEXT) "
        f"FROM {CLIENT_TABLE} c JOIN {COVERAGE_TABLE} v ON v.client_id = c.id "
        f"WHERE {counted} AND v.report_type_id IS NOT NULL "
        "UNION "
        f"SELECT c.id, c.organization_id, '{MISSING_DIMENSION}', '{MISSING_KEY}' "
        f"FROM {CLIENT_TABLE} c WHERE {counted} AND {_uncovered_obligation('c.id')}"
    )


COVERAGE_COLUMNS = (
    "client_id, organization_id, collective_account, source, country_id, report_type_id, pro_id"
)


def _coverage_select(source: str, table: str, clients: str) -> str:
    """The coverage of `source` for the rows of `table` that `clients` (a SQL condition on `t`)
    selects, in COVERAGE_COLUMNS order: the client's organization and collective flag with
    each distinct (country, report type, PRO)."""
    return (
        f"SELECT DISTINCT t.client_id, c.organization_id, c.collective_account, '{source}', "
        f"t.country_id, t.report_type_id, t.pro_id "
        f"FROM {table} t JOIN {CLIENT_TABLE} c ON c.id = t.client_id WHERE {clients}"
    )


def _coverage_insert(source: str, table: str, clients: str) -> str:
    return f"INSERT INTO {COVERAGE_TABLE} ({COVERAGE_COLUMNS}) " + _coverage_select(
        source, table, clients
    )


def _coverage_follow_clients(clients: str) -> str:
    """Copy the organization and collective flag of the clients `clients` (a SQL condition on
    `c`) selects to their coverage rows where they differ (a status change rewrites none)."""
    own = f"c.id = {COVERAGE_TABLE}.client_id"
    return (
        f"UPDATE {COVERAGE_TABLE} SET "
        f"organization_id = (SELECT c.organization_id FROM {CLIENT_TABLE} c WHERE {own}), "
        f"collective_account = (SELECT c.collective_account FROM {CLIENT_TABLE} c WHERE {own}) "
        f"WHERE {COVERAGE_TABLE}.client_id IN (SELECT c.id FROM {CLIENT_TABLE} c WHERE {clients}) "
        f"AND EXISTS (SELECT 1 FROM {CLIENT_TABLE} c WHERE {own} AND ("
        f"c.organization_id <> {COVERAGE_TABLE}.organization_id "
        f"OR c.collective_account <> {COVERAGE_TABLE}.collective_account))"
    )


# PostgreSQL ------------------------------------------------------------------------------------

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


# SQLite ----------------------------------------------------------------------------------------


def _sqlite_stats_refresh(client: str) -> str:
    return " ".join(
        [
            f"UPDATE {STAT_TABLE} SET clients = clients - 1 WHERE id IN ("
            f"SELECT s.id FROM {STAT_TABLE} s JOIN {FACET_TABLE} f "
            "ON f.organization_id = s.organization_id AND f.dimension = s.dimension "
            f"AND f.key = s.key WHERE f.client_id = {client});",
            f"DELETE FROM {FACET_TABLE} WHERE client_id = {client};",
            f"INSERT INTO {FACET_TABLE} (client_id, organization_id, dimension, key) "
            f"{_facets_select(f'c.id = {client}')};",
            # WHERE before ON CONFLICT: SQLite's parser needs it to read an upsert after a SELECT.
            f"INSERT INTO {STAT_TABLE} (organization_id, dimension, key, clients) "
            f"SELECT organization_id, dimension, key, 1 FROM {FACET_TABLE} "
            f"WHERE client_id = {client} "
            "ON CONFLICT (organization_id, dimension, key) DO UPDATE SET clients = clients + 1;",
        ]
    )


def _sqlite_coverage_refresh(source: str, table: str, client: str) -> str:
    return " ".join(
        [
            f"DELETE FROM {COVERAGE_TABLE} WHERE client_id = {client} AND source = '{source}';",
            _coverage_insert(source, table, f"t.client_id = {client}") + ";",
            _sqlite_stats_refresh(client),
        ]
    )


_SQLITE_EVENTS = {"INSERT": ("NEW",), "UPDATE": ("NEW", "OLD"), "DELETE": ("OLD",)}


def sqlite_trigger_statements() -> list[str]:
    statements = []
    for source, table in COVERAGE_SOURCES.items():
        for event, rows in _SQLITE_EVENTS.items():
            body = " ".join(
                _sqlite_coverage_refresh(source, table, f"{row}.client_id") for row in rows
            )
            statements.append(
                f"CREATE TRIGGER IF NOT EXISTS {table}_stats_{event.lower()} "
                f"AFTER {event} ON {table} BEGIN {body} END"
            )
    statements += [
        f"CREATE TRIGGER IF NOT EXISTS {CLIENT_TABLE}_stats_insert AFTER INSERT ON {CLIENT_TABLE} "
        f"BEGIN {_sqlite_stats_refresh('NEW.id')} END",
        f"CREATE TRIGGER IF NOT EXISTS {CLIENT_TABLE}_stats_update "
        f"AFTER UPDATE OF status, collective_account, organization_id ON {CLIENT_TABLE} "
        f"BEGIN {_coverage_follow_clients('c.id = NEW.id')}; "
        f"{_sqlite_stats_refresh('NEW.id')} END",
        f"CREATE TRIGGER IF NOT EXISTS {CLIENT_TABLE}_stats_delete AFTER DELETE ON {CLIENT_TABLE} "
        f"BEGIN DELETE FROM {COVERAGE_TABLE} WHERE client_id = OLD.id; "
        f"{_sqlite_stats_refresh('OLD.id')} END",
    ]
    return statements


def sqlite_trigger_names() -> list[str]:
    return [
        f"{table}_stats_{event.lower()}"
        for table in [*COVERAGE_SOURCES.values(), CLIENT_TABLE]
        for event in _SQLITE_EVENTS
    ]


def sqlite_tables() -> set[str]:
    return {COVERAGE_TABLE, FACET_TABLE, STAT_TABLE, CLIENT_TABLE, *COVERAGE_SOURCES.values()}


# Both databases ---------------------------------------------------------------------------------


def portfolio_rebuild(*, organization_ids: list[int] | None = None, using: str = "default") -> None:
    """Recompute coverage, facets and counts from the rows: of the given organizations' clients,
    or of every client. Sources whose table does not exist yet (a migration in progress) are
    left out."""
    db = connections[using]
    tables = set(db.introspection.table_names())
    if organization_ids is None:
        clients = f"SELECT id FROM {CLIENT_TABLE}"
        stats_where = ""
    else:
        # Integers only (int() refuses anything else): safe to write into the statements.
        listed = ", ".join(str(int(pk)) for pk in organization_ids) or "NULL"
        clients = f"SELECT id FROM {CLIENT_TABLE} WHERE organization_id IN ({listed})"
        stats_where = f" WHERE organization_id IN ({listed})"
    with transaction.atomic(using=using), db.cursor() as cursor:
        if db.vendor == "postgresql":
            # Writers wait until the rebuilt counts are committed rather than add to old ones.
            cursor.execute(
                f"LOCK TABLE {COVERAGE_TABLE}, {FACET_TABLE}, {STAT_TABLE} IN EXCLUSIVE MODE"
            )
            cursor.execute(f"DELETE FROM {DELTA_TABLE}{stats_where}")
        cursor.execute(f"DELETE FROM {COVERAGE_TABLE} WHERE client_id IN ({clients})")
        for source, table in COVERAGE_SOURCES.items():
            if table in tables:
                cursor.execute(_coverage_insert(source, table, f"t.client_id IN ({clients})"))
        cursor.execute(f"DELETE FROM {FACET_TABLE} WHERE client_id IN ({clients})")
        cursor.execute(
            f"INSERT INTO {FACET_TABLE} (client_id, organization_id, dimension, key) "
            + _facets_select(f"c.id IN ({clients})"),
        )
        cursor.execute(f"DELETE FROM {STAT_TABLE}{stats_where}")
        cursor.execute(
            f"INSERT INTO {STAT_TABLE} (organization_id, dimension, key, clients) "
            f"SELECT organization_id, dimension, key, count(*) FROM {FACET_TABLE}"
            f"{stats_where} GROUP BY organization_id, dimension, key",
        )


def organization_counts(
    organization_id: int, *, code_tables: dict[str, str] | None = None
) -> dict[str, Counter]:
    """{dimension: Counter(key: clients)} as kept, with this transaction's pending changes, in
    one query.

    `code_tables` maps a dimension whose keys are catalog ids to the catalog's table (with `id`
    and `code` columns): its counts are then keyed by code, and ids no longer in the catalog
    are left out.
    """
    sources = f"SELECT dimension, key, clients FROM {STAT_TABLE} WHERE organization_id = %s"
    params = [organization_id]
    if connection.vendor == "postgresql":
        sources += (
            f" UNION ALL SELECT dimension, key, clients FROM {DELTA_TABLE} "
            "WHERE organization_id = %s"
        )
        params.append(organization_id)
    key, joins, wanted = "s.key", "", "1 = 1"
    if code_tables:
        # Dimension names and table names come from the code, never from input.
        coded = []
        for number, (dimension, table) in enumerate(code_tables.items()):
            joins += (
                f" LEFT JOIN {table} t{number} ON s.dimension = '{dimension}' "
                f"AND CAST(t{number}.id AS TEXT) = s.key"
            )
            coded.append(f"t{number}.code")
        key = f"COALESCE({', '.join(coded)}, s.key)"
        listed = ", ".join(f"'{dimension}'" for dimension in code_tables)
        wanted = f"(s.dimension NOT IN ({listed}) OR COALESCE({', '.join(coded)}) IS NOT NULL)"
    counts: dict[str, Counter] = {
        "status": Counter(),
        "country": Counter(),
        "report_type": Counter(),
        MISSING_DIMENSION: Counter(),
    }
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT s.dimension, {key}, sum(s.clients) FROM ({sources}) s{joins} "
            f"WHERE {wanted} GROUP BY s.dimension, {key} HAVING sum(s.clients) > 0",
            params,
        )
        for dimension, key, clients in cursor.fetchall():
            counts[dimension][key] = int(clients)
    return counts


@dataclass(frozen=True)
class Drift:
    organization_id: int
    dimension: str
    key: str
    kept: int
    actual: int


def portfolio_drift(*, using: str = "default") -> list[Drift]:
    """Where the kept counts differ from a count of the rows, and where a client's coverage or
    facets differ from its rows (reported as dimension "coverage" or "facets", key the client
    id): a facet on the wrong client is found even when the counts agree."""
    db = connections[using]
    with db.cursor() as cursor:
        coverage_rows = " UNION ".join(
            _coverage_select(source, table, "1 = 1") for source, table in COVERAGE_SOURCES.items()
        )
        kept_rows = f"SELECT {COVERAGE_COLUMNS} FROM {COVERAGE_TABLE}"
        missing = f"SELECT * FROM ({coverage_rows}) a EXCEPT SELECT * FROM ({kept_rows}) b"
        extra = f"SELECT * FROM ({kept_rows}) d EXCEPT SELECT * FROM ({coverage_rows}) e"
        cursor.execute(
            f"SELECT DISTINCT c.organization_id, x.client_id FROM ("
            f"SELECT client_id FROM ({missing}) m UNION SELECT client_id FROM ({extra}) n"
            f") x JOIN {CLIENT_TABLE} c ON c.id = x.client_id"
        )
        drift = [Drift(org, "coverage", str(client), 0, 0) for org, client in cursor.fetchall()]
        facet_rows = _facets_select("1 = 1")
        kept_facets = f"SELECT client_id, organization_id, dimension, key FROM {FACET_TABLE}"
        cursor.execute(
            f"SELECT DISTINCT c.organization_id, x.client_id FROM ("
            f"SELECT client_id FROM (SELECT * FROM ({facet_rows}) a "
            f"EXCEPT SELECT * FROM ({kept_facets}) b) m "
            f"UNION SELECT client_id FROM (SELECT * FROM ({kept_facets}) d "
            f"EXCEPT SELECT * FROM ({facet_rows}) e) n"
            f") x JOIN {CLIENT_TABLE} c ON c.id = x.client_id"
        )
        drift += [Drift(org, "facets", str(client), 0, 0) for org, client in cursor.fetchall()]
        cursor.execute(
            f"SELECT organization_id, dimension, key, count(*) FROM ({_facets_select('1 = 1')}) f "
            "GROUP BY organization_id, dimension, key"
        )
        actual = {(o, d, k): n for o, d, k, n in cursor.fetchall()}
        cursor.execute(
            f"SELECT organization_id, dimension, key, clients FROM {STAT_TABLE} WHERE clients <> 0"
        )
        kept = {(o, d, k): n for o, d, k, n in cursor.fetchall()}
    for key in sorted(actual.keys() | kept.keys()):
        if actual.get(key, 0) != kept.get(key, 0):
            drift.append(Drift(*key, kept.get(key, 0), actual.get(key, 0)))
    return drift
