"""SQLite (development): row triggers, dropped before and installed after every migrate."""

from clients.portfolio_stats.tables import (
    CLIENT_TABLE,
    COVERAGE_SOURCES,
    COVERAGE_TABLE,
    FACET_TABLE,
    STAT_TABLE,
    _coverage_follow_clients,
    _coverage_insert,
    _facets_select,
)


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
