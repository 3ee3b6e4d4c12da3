"""The search text: what the client list's search compares of each client, kept by PostgreSQL.

One `ClientSearchText` row per client holds its name, notes and aliases, and what other apps
register (the credentials: each login, a linked credential's collective account login, each
registration number), folded as the search folds (lower(f_unaccent), clients/search.py) and
joined by SEPARATOR. One trigram index on that text finds a search's clients in one table: the
sources searched one by one read every matching credential and alias as well (at a million
clients, 115,000 rows for a common word). The row also holds what the list orders and filters
by (organization, collective flag, status, lower(name)), so that a search is answered from it
and, for a catalog filter, from its matches' coverage, without reading the clients.

Statement triggers keep it in the writing transaction, whatever the path (services, the admin,
the bulk upload's COPY, cascades): a write recomputes the text of the clients it touches, after
locking them as the coverage triggers do (clients/portfolio_stats/), so that two writers of one
client take turns. `manage.py portfolio_check` compares it with the rows.

SQLite has no trigram index: there the search compares the source columns themselves
(`clients_matching`), and the table stays empty.
"""

from dataclasses import dataclass

from django.db import connections, transaction

from clients.portfolio_stats import _TRANSITION_TABLES, CLIENT_LOCK, CLIENT_TABLE

SEARCH_TEXT_TABLE = "clients_clientsearchtext"
SEARCH_TEXT_INDEX = "clients_searchtext_trgm"
# Between two searched values: a control character no search is expected to contain (a search
# that does is compared with the source columns instead, so that it never spans two values).
SEPARATOR = "\x1f"
_SQL_SEPARATOR = "chr(31)"
SEARCH_TEXT_INDEX_CREATE = (
    f"CREATE INDEX IF NOT EXISTS {SEARCH_TEXT_INDEX} ON {SEARCH_TEXT_TABLE} "
    "USING gin (text gin_trgm_ops)"
)


@dataclass(frozen=True)
class SearchSource:
    """Rows of `table` (with `id` and `client_id`) that add to their client's search text.

    `text`: SQL of what one row `t` adds. `columns`: the columns whose change changes it.
    `followers`: SQL of the clients whose text also reads the rows whose ids are the array
    `rows` (a linked credential reads its collective account's login), with `followed` the
    columns those clients read.
    """

    table: str
    text: str
    columns: tuple[str, ...]
    followers: str = ""
    followed: tuple[str, ...] = ()


SEARCH_SOURCES: dict[str, SearchSource] = {
    "clients_alias": SearchSource(table="clients_alias", text="t.name", columns=("name",)),
}


def search_source_register(source: SearchSource) -> None:
    """Let `source.table`'s rows count in their clients' search text (from AppConfig.ready)."""
    SEARCH_SOURCES[source.table] = source


def _sources(tables: set[str]) -> list[SearchSource]:
    return [source for source in SEARCH_SOURCES.values() if source.table in tables]


def search_text_select(clients: str, tables: set[str]) -> str:
    """The search rows (COLUMNS) of the
    clients that `clients` (a SQL condition on `c`) selects, reading the sources in `tables`.

    Each source is read grouped by client, for the selected clients only: through the
    source's client index for a few clients (a trigger), in one pass for many (a rebuild, or
    the bench's load before its indexes exist). A client's values come in row order, so that
    every path writes the same text."""
    selected = f"SELECT c.id FROM {CLIENT_TABLE} c WHERE {clients}"
    parts, joins = ["c.name", "NULLIF(c.notes, '')"], []
    for number, source in enumerate(_sources(tables)):
        parts.append(f"s{number}.text")
        joins.append(
            f"LEFT JOIN (SELECT t.client_id, "
            f"string_agg({source.text}, {_SQL_SEPARATOR} ORDER BY t.id) AS text "
            f"FROM {source.table} t WHERE t.client_id IN ({selected}) GROUP BY t.client_id) "
            f"s{number} ON s{number}.client_id = c.id"
        )
    return (
        "SELECT c.id AS client_id, c.organization_id AS organization_id, "
        "c.collective_account AS collective_account, c.status AS status, "
        "lower(c.name) AS name_key, "
        f"lower(f_unaccent(concat_ws({_SQL_SEPARATOR}, {', '.join(parts)}))) AS text "
        f"FROM {CLIENT_TABLE} c {' '.join(joins)} WHERE {clients}"
    )


COLUMNS = "client_id, organization_id, collective_account, status, name_key, text"


def _refresh_function(tables: set[str]) -> str:
    return f"""
CREATE OR REPLACE FUNCTION clients_search_text_refresh(ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    {CLIENT_LOCK}
    DELETE FROM {SEARCH_TEXT_TABLE} WHERE client_id = ANY(ids);
    INSERT INTO {SEARCH_TEXT_TABLE} ({COLUMNS}) {search_text_select("c.id = ANY(ids)", tables)};
END $$;
"""


def _changed(columns: tuple[str, ...]) -> str:
    new = ", ".join(f"n.{column}" for column in columns)
    old = ", ".join(f"o.{column}" for column in columns)
    return (
        "FROM new_rows n JOIN old_rows o ON o.id = n.id "
        f"WHERE ROW({new}) IS DISTINCT FROM ROW({old})"
    )


CLIENT_FUNCTION = f"""
CREATE OR REPLACE FUNCTION clients_client_search_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE ids bigint[];
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM {SEARCH_TEXT_TABLE} WHERE client_id IN (SELECT id FROM old_rows);
        RETURN NULL;
    ELSIF TG_OP = 'INSERT' THEN
        ids := ARRAY(SELECT id FROM new_rows);
    ELSE
        ids := ARRAY(SELECT n.id {_changed(("name", "notes", "organization_id", "collective_account", "status"))});
    END IF;
    IF cardinality(ids) > 0 THEN
        PERFORM clients_search_text_refresh(ids);
    END IF;
    RETURN NULL;
END $$;
"""


def _source_function(source: SearchSource) -> str:
    changed = _changed(("client_id", *source.columns))
    followers = ""
    if source.followers:
        followed = _changed(source.followed)
        followers = f"""
    IF TG_OP = 'UPDATE' THEN
        rows := ARRAY(SELECT n.id {followed});
    ELSIF TG_OP = 'DELETE' THEN
        rows := ARRAY(SELECT id FROM old_rows);
    END IF;
    IF cardinality(rows) > 0 THEN
        ids := ids || ARRAY({source.followers});
    END IF;"""
    return f"""
CREATE OR REPLACE FUNCTION {source.table}_search_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE ids bigint[]; rows bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        ids := ARRAY(SELECT DISTINCT client_id FROM new_rows);
    ELSIF TG_OP = 'DELETE' THEN
        ids := ARRAY(SELECT DISTINCT client_id FROM old_rows);
    ELSE
        ids := ARRAY(SELECT n.client_id {changed} UNION SELECT o.client_id {changed});
    END IF;{followers}
    ids := ARRAY(SELECT DISTINCT id FROM unnest(ids) id WHERE id IS NOT NULL);
    IF cardinality(ids) > 0 THEN
        PERFORM clients_search_text_refresh(ids);
    END IF;
    RETURN NULL;
END $$;
"""


def _triggers(table: str, function: str) -> list[str]:
    return [
        f"DROP TRIGGER IF EXISTS {table}_search_{event.lower()} ON {table}; "
        f"CREATE TRIGGER {table}_search_{event.lower()} AFTER {event} ON {table} "
        f"{references} FOR EACH STATEMENT EXECUTE FUNCTION {function}();"
        for event, references in _TRANSITION_TABLES.items()
    ]


def search_text_install(*, using: str = "default") -> None:
    """PostgreSQL: (re)create the trigger functions and triggers for the source tables that
    exist, rebuild every client's text, then the trigram index: for the migration that creates
    the table, and for one that adds a source (registered before it runs). Nothing on other
    databases."""
    db = connections[using]
    if db.vendor != "postgresql":
        return
    tables = set(db.introspection.table_names())
    statements = [
        # Built once the texts are written: faster than writing them through it.
        f"DROP INDEX IF EXISTS {SEARCH_TEXT_INDEX}",
        _refresh_function(tables),
        CLIENT_FUNCTION,
        *_triggers(CLIENT_TABLE, "clients_client_search_changed"),
    ]
    for source in _sources(tables):
        statements += [
            _source_function(source),
            *_triggers(source.table, f"{source.table}_search_changed"),
        ]
    with db.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
        search_text_rebuild(using=using)
        cursor.execute(SEARCH_TEXT_INDEX_CREATE)


def search_text_uninstall(*, using: str = "default") -> None:
    """PostgreSQL: drop the triggers and functions `search_text_install` created."""
    db = connections[using]
    if db.vendor != "postgresql":
        return
    existing = set(db.introspection.table_names())
    functions = {CLIENT_TABLE: "clients_client_search_changed"} | {
        table: f"{table}_search_changed" for table in SEARCH_SOURCES
    }
    with db.cursor() as cursor:
        for table, function in functions.items():
            if table in existing:
                for event in _TRANSITION_TABLES:
                    cursor.execute(
                        f"DROP TRIGGER IF EXISTS {table}_search_{event.lower()} ON {table}"
                    )
            cursor.execute(f"DROP FUNCTION IF EXISTS {function}()")
        cursor.execute("DROP FUNCTION IF EXISTS clients_search_text_refresh(bigint[])")


def search_text_rebuild(
    *, organization_ids: list[int] | None = None, using: str = "default"
) -> None:
    """PostgreSQL: recompute the search text of the given organizations' clients (all: every
    client's) from the rows."""
    db = connections[using]
    if db.vendor != "postgresql":
        return
    tables = set(db.introspection.table_names())
    if organization_ids is None:
        stale, clients = "1 = 1", "1 = 1"
    else:
        # Integers only (int() refuses anything else): safe to write into the statements.
        listed = ", ".join(str(int(pk)) for pk in organization_ids) or "NULL"
        clients = f"c.organization_id IN ({listed})"
        # The organizations' clients, and rows still naming an organization their client left.
        stale = (
            f"client_id IN (SELECT c.id FROM {CLIENT_TABLE} c WHERE {clients}) "
            f"OR organization_id IN ({listed})"
        )
    with transaction.atomic(using=using), db.cursor() as cursor:
        # Writers' triggers wait until the rebuilt rows are committed, then rewrite theirs.
        cursor.execute(f"LOCK TABLE {SEARCH_TEXT_TABLE} IN EXCLUSIVE MODE")
        cursor.execute(f"DELETE FROM {SEARCH_TEXT_TABLE} WHERE {stale}")
        cursor.execute(
            f"INSERT INTO {SEARCH_TEXT_TABLE} ({COLUMNS}) {search_text_select(clients, tables)}"
        )


def search_text_drift(*, using: str = "default") -> list[tuple[int, int]]:
    """PostgreSQL: (organization id, client id) of each client whose kept search text differs
    from its rows, or that has none; and of each kept row whose client is gone. Nothing
    elsewhere."""
    db = connections[using]
    if db.vendor != "postgresql":
        return []
    tables = set(db.introspection.table_names())
    actual = search_text_select("1 = 1", tables)
    kept = f"SELECT {COLUMNS} FROM {SEARCH_TEXT_TABLE}"
    with db.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT o.organization_id, o.client_id FROM ({actual}) a "
            f"FULL JOIN ({kept}) k ON k.client_id = a.client_id "
            "CROSS JOIN LATERAL (VALUES (a.organization_id, a.client_id), "
            "(k.organization_id, k.client_id)) o (organization_id, client_id) "
            "WHERE o.client_id IS NOT NULL AND ROW(a.*) IS DISTINCT FROM ROW(k.*) ORDER BY 1, 2"
        )
        return [(organization, client) for organization, client in cursor.fetchall()]
