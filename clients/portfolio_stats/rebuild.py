"""Both databases: the rebuild from the rows, the counts as kept, and the drift check."""

from collections import Counter
from dataclasses import dataclass

from django.db import connection, connections, transaction

from clients.portfolio_stats.tables import (
    CLIENT_TABLE,
    COVERAGE_COLUMNS,
    COVERAGE_SOURCES,
    COVERAGE_TABLE,
    DELTA_TABLE,
    FACET_TABLE,
    MISSING_DIMENSION,
    STAT_TABLE,
    _coverage_insert,
    _coverage_select,
    _facets_select,
)


def portfolio_rebuild(*, organization_ids: list[int] | None = None, using: str = "default") -> None:
    """Recompute coverage, facets and counts (and on PostgreSQL the search text,
    clients/search_text.py) from the rows: of the given organizations' clients, or of every
    client. Sources whose table does not exist yet (a migration in progress) are
    left out."""
    from clients.search_text import SEARCH_TEXT_TABLE, search_text_rebuild

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
        if SEARCH_TEXT_TABLE in tables:
            search_text_rebuild(organization_ids=organization_ids, using=using)


def _kept_rows(organization_id: int, condition: str = "", params=()) -> tuple[str, list]:
    """SQL of the organization's kept counts (dimension, key, clients) with this transaction's
    pending changes, where `condition` (SQL on the tables' columns, with `params`) holds."""
    where = "organization_id = %s" + (f" AND {condition}" if condition else "")
    sql = f"SELECT dimension, key, clients FROM {STAT_TABLE} WHERE {where}"
    sql_params = [organization_id, *params]
    if connection.vendor == "postgresql":
        sql += f" UNION ALL SELECT dimension, key, clients FROM {DELTA_TABLE} WHERE {where}"
        sql_params += [organization_id, *params]
    return sql, sql_params


def kept_clients(organization_id: int, dimension: str, keys=None, key_field=None) -> int:
    """The kept count of the organization's own clients (collective-account pseudo-clients
    left out) with any of `keys` in `dimension` (None: any key), with this transaction's
    pending changes.

    A sum: right for keys a client holds only one of (statuses), or for a single key.
    `key_field` is the field the keys are values of (a catalog's primary key): the keys are
    compared as the database writes that field's values as text (a UUID is written one way
    on SQLite, another on PostgreSQL)."""
    if keys is None:
        condition, params = "dimension = %s", [dimension]
    else:
        if key_field is not None:
            keys = [key_field.get_db_prep_value(key, connection) for key in keys]
        if not keys:
            return 0
        placeholders = ", ".join(["CAST(%s AS TEXT)"] * len(keys))
        condition, params = f"dimension = %s AND key IN ({placeholders})", [dimension, *keys]
    sources, params = _kept_rows(organization_id, condition, params)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(sum(s.clients), 0) FROM ({sources}) s", params)
        return int(cursor.fetchone()[0])


def organization_counts(
    organization_id: int, *, code_tables: dict[str, str] | None = None
) -> dict[str, Counter]:
    """{dimension: Counter(key: clients)} as kept, with this transaction's pending changes, in
    one query.

    `code_tables` maps a dimension whose keys are catalog ids to the catalog's table (with `id`
    and `code` columns): its counts are then keyed by code, and ids no longer in the catalog
    are left out.
    """
    sources, params = _kept_rows(organization_id)
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
    facets, or on PostgreSQL its search text, differ from its rows (reported as dimension
    "coverage", "facets" or "search", key the client id): a facet on the wrong client is found
    even when the counts agree."""
    from clients.search_text import search_text_drift

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
    drift += [
        Drift(organization, "search", str(client), 0, 0)
        for organization, client in search_text_drift(using=using)
    ]
    return drift
