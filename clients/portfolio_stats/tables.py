"""The tables the triggers keep, the coverage sources, and the SQL both databases' triggers and
the rebuild share (clients/portfolio_stats/__init__.py tells the whole design)."""

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
