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

from clients.portfolio_stats.postgresql import (
    _TRANSITION_TABLES,
    CLIENT_LOCK,
    POSTGRESQL_CLIENT_FUNCTION,
    POSTGRESQL_DROP_FUNCTIONS,
    POSTGRESQL_FUNCTIONS,
    POSTGRESQL_REFRESH_FUNCTION,
    postgresql_coverage_function,
    postgresql_coverage_function_body,
    postgresql_drop_coverage_function,
    postgresql_drop_triggers,
    postgresql_functions_replace,
    postgresql_triggers,
)
from clients.portfolio_stats.rebuild import (
    Drift,
    kept_clients,
    organization_counts,
    portfolio_drift,
    portfolio_rebuild,
)
from clients.portfolio_stats.sqlite import (
    _SQLITE_EVENTS,
    _sqlite_coverage_refresh,
    _sqlite_stats_refresh,
    sqlite_tables,
    sqlite_trigger_names,
    sqlite_trigger_statements,
)
from clients.portfolio_stats.tables import (
    CLIENT_TABLE,
    COVERAGE_COLUMNS,
    COVERAGE_SOURCES,
    COVERAGE_TABLE,
    DELTA_TABLE,
    FACET_TABLE,
    MISSING_DIMENSION,
    MISSING_KEY,
    PENDING_TABLE,
    STAT_TABLE,
    _coverage_follow_clients,
    _coverage_insert,
    _coverage_select,
    _facets_select,
    _uncovered_obligation,
    coverage_source_register,
)

__all__ = [
    "CLIENT_LOCK",
    "CLIENT_TABLE",
    "COVERAGE_COLUMNS",
    "COVERAGE_SOURCES",
    "COVERAGE_TABLE",
    "DELTA_TABLE",
    "FACET_TABLE",
    "MISSING_DIMENSION",
    "MISSING_KEY",
    "PENDING_TABLE",
    "POSTGRESQL_CLIENT_FUNCTION",
    "POSTGRESQL_DROP_FUNCTIONS",
    "POSTGRESQL_FUNCTIONS",
    "POSTGRESQL_REFRESH_FUNCTION",
    "STAT_TABLE",
    "_SQLITE_EVENTS",
    "_TRANSITION_TABLES",
    "Drift",
    "_coverage_follow_clients",
    "_coverage_insert",
    "_coverage_select",
    "_facets_select",
    "_sqlite_coverage_refresh",
    "_sqlite_stats_refresh",
    "_uncovered_obligation",
    "coverage_source_register",
    "kept_clients",
    "organization_counts",
    "portfolio_drift",
    "portfolio_rebuild",
    "postgresql_coverage_function",
    "postgresql_coverage_function_body",
    "postgresql_drop_coverage_function",
    "postgresql_drop_triggers",
    "postgresql_functions_replace",
    "postgresql_triggers",
    "sqlite_tables",
    "sqlite_trigger_names",
    "sqlite_trigger_statements",
]
