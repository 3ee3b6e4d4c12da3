"""Loading the portfolio into PostgreSQL in one transaction, and deleting it, set-based."""

import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import psycopg
from django.db import connection, models, transaction

from bench.portfolio.build import plan_portfolio
from bench.portfolio.copying import _shard_copy_text, copy_targets
from bench.portfolio.rows import PortfolioSize, load_catalog
from clients import portfolio_stats
from clients.models import Alias, Client, Obligation, Organization
from clients.search_text import SEARCH_TEXT_TABLE, search_text_rebuild
from credentials.models import Credential, CredentialReportType


def _allocate_ids(cursor):
    def ids(model: type[models.Model], count: int) -> range:
        """A block of `count` consecutive keys from the table's sequence. The table is locked
        against other writers until the commit, so no other insert draws from the sequence
        between the two calls (fetching millions of nextval() one by one took a minute)."""
        if not count:
            return range(0)
        table = model._meta.db_table
        cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(
            "SELECT setval(s.name, nextval(s.name) + %s - 1) "
            "FROM (SELECT pg_get_serial_sequence(%s, %s) AS name) s",
            [count, table, model._meta.pk.column],
        )
        last = cursor.fetchone()[0]
        return range(last - count + 1, last + 1)

    return ids


def _dependants(model: type[models.Model], skip):
    """(model, foreign key) of each table whose rows point at the model's with a database
    constraint, the models in `skip` left out: a model already being cleared (a
    self-reference such as collective accounts) points only at rows deleted with it."""
    for relation in model._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and not relation.concrete):
            continue
        if not (relation.one_to_many or relation.one_to_one):
            continue
        related_model, fk = relation.related_model, relation.field
        if related_model in skip or not getattr(fk, "db_constraint", True):
            continue
        yield related_model, fk


def _clear_dependants(cursor, model: type[models.Model], ids_sql: str, params, skip) -> None:
    """Remove or unlink rows of other tables that point at the rows selected by `ids_sql`.

    Reverse relations are read from the models, so dependants added by other apps (access
    events, registrations) are handled too. Tables without a database constraint (history)
    are left alone.
    """
    for related_model, fk in _dependants(model, skip):
        table, column = related_model._meta.db_table, fk.column
        where = f"{column} IN ({ids_sql})"
        if fk.remote_field.on_delete is models.SET_NULL:
            cursor.execute(f"UPDATE {table} SET {column} = NULL WHERE {where}", params)
            continue
        pk = related_model._meta.pk.column
        _clear_dependants(
            cursor,
            related_model,
            f"SELECT {pk} FROM {table} WHERE {where}",
            params,
            skip | {related_model},
        )
        cursor.execute(f"DELETE FROM {table} WHERE {where}", params)


def portfolio_delete(organization: Organization, name_prefix: str = "") -> None:
    """Delete the organization's clients (those whose name starts with `name_prefix`, if
    given) and everything that hangs off them, set-based."""
    where = "organization_id = %s"
    params: list = [organization.pk]
    if name_prefix:
        where += " AND name LIKE %s"
        params.append(name_prefix.replace("%", r"\%").replace("_", r"\_") + "%")
    with transaction.atomic(), connection.cursor() as cursor:
        _delete_clients(cursor, where, params)


def _delete_clients(cursor, where: str, params: list) -> None:
    table = Client._meta.db_table
    _clear_dependants(cursor, Client, f"SELECT id FROM {table} WHERE {where}", params, {Client})
    cursor.execute(f"DELETE FROM {table} WHERE {where}", params)


def _owned_tables(model: type[models.Model], skip: frozenset) -> set[str]:
    """The tables whose rows `_clear_dependants` deletes with the model's rows (the model's
    own included)."""
    tables = {model._meta.db_table}
    for related_model, fk in _dependants(model, skip):
        if fk.remote_field.on_delete is not models.SET_NULL:
            tables |= _owned_tables(related_model, skip | {related_model})
    return tables


def _truncate_portfolio(cursor, organization: Organization) -> list[str]:
    """Empty the portfolio tables with TRUNCATE when they hold nothing but the organization's
    portfolio: its clients are every client, and every other table with a foreign key into
    them is empty (truncated too). Much cheaper than a DELETE of millions of rows, and it
    leaves no dead rows behind for the index builds to read and VACUUM to remove; a COPY into
    a table truncated in its transaction may also write its rows frozen. Returns the tables
    truncated, or none (nothing done) when other rows would go with them."""
    client_table = Client._meta.db_table
    # Other organizations' clients cannot appear before the commit.
    cursor.execute(f"LOCK TABLE {client_table} IN SHARE ROW EXCLUSIVE MODE")
    cursor.execute(
        f"SELECT EXISTS (SELECT 1 FROM {client_table} WHERE organization_id <> %s)",
        [organization.pk],
    )
    if cursor.fetchone()[0]:
        return []
    tables = _owned_tables(Client, frozenset({Client}))
    while True:
        cursor.execute(
            "SELECT DISTINCT conrelid::regclass::text FROM pg_constraint "
            "WHERE contype = 'f' AND confrelid = ANY(%s::regclass[]) "
            "AND NOT conrelid = ANY(%s::regclass[])",
            [sorted(tables), sorted(tables)],
        )
        referencing = [row[0] for row in cursor.fetchall()]
        if not referencing:
            break
        for table in referencing:
            # Locked first: no row can be added between the check and the TRUNCATE.
            cursor.execute(f"LOCK TABLE {table} IN SHARE MODE")
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
            if cursor.fetchone()[0]:
                return []
        tables.update(referencing)
    truncated = sorted(tables | set(KEPT_TABLES))
    cursor.execute(f"TRUNCATE {', '.join(truncated)}")
    return truncated


# The tables whose triggers keep the portfolio version, the coverage, the statistics and the
# search text, and the tables those triggers fill per client (the generator writes them in a
# load without triggers).
WATCHED_MODELS = (Client, Alias, Obligation, Credential, CredentialReportType)
KEPT_TABLES = (portfolio_stats.COVERAGE_TABLE, portfolio_stats.FACET_TABLE, SEARCH_TEXT_TABLE)
TRIGGER_MODES = ("off", "on")


@dataclass(frozen=True)
class SecondaryIndex:
    table: str
    name: str
    definition: str
    method: str


def secondary_indexes(cursor, tables: Sequence[str]) -> list[SecondaryIndex]:
    """The indexes of `tables` that no constraint needs: neither unique nor a constraint's.
    Building one after a bulk load is much cheaper than maintaining it row by row."""
    cursor.execute(
        """
        SELECT t.relname, i.relname, pg_get_indexdef(i.oid), am.amname
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        JOIN pg_am am ON am.oid = i.relam
        WHERE x.indrelid = ANY(%s::regclass[])
          AND NOT x.indisunique AND NOT x.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)
        ORDER BY t.relname, i.relname
        """,
        [list(tables)],
    )
    return [SecondaryIndex(*row) for row in cursor.fetchall()]


def _load_shards(cursor, jobs: list, targets: dict, workers: int, log) -> tuple[dict, Counter]:
    """COPY the shards' rows into `targets` as the workers build them: building (Python, in
    the workers) overlaps with loading (the database server). Returns the rows per table and
    the clients per statistic (dimension, key)."""
    totals = dict.fromkeys(targets, 0)
    seconds = dict.fromkeys(targets, 0.0)
    stats: Counter = Counter()

    def load(counts: dict[str, int], texts: dict[str, bytes], shard_stats: Counter) -> None:
        for name, target in targets.items():
            started = time.perf_counter()
            with cursor.copy(target.statement) as copy:
                copy.write(texts[name])
            seconds[name] += time.perf_counter() - started
            totals[name] += counts[name]
        stats.update(shard_stats)

    if workers <= 1:
        for job in jobs:
            load(*_shard_copy_text((job, targets)))
    else:
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            for result in pool.imap(_shard_copy_text, [(job, targets) for job in jobs]):
                load(*result)
    for name, target in targets.items():
        log(f"  {target.table}: {totals[name]:,} rows, COPY {seconds[name]:.1f} s")
    return totals, stats


def _stats_write(cursor, organization: Organization, stats: Counter, *, replace: bool) -> None:
    """Add the loaded clients' statistics to the organization's counts (which, when `replace`,
    start from zero: its previous clients are gone), as `portfolio_rebuild` counts them from
    the facets, then note the change of its portfolio. Runs in the loading transaction, with
    the triggers on again: the version is renewed by the commit trigger of
    clients_portfoliochange, together with the rows."""
    stat_table = portfolio_stats.STAT_TABLE
    cursor.execute("SET LOCAL session_replication_role = origin")
    if replace:
        for table in (portfolio_stats.DELTA_TABLE, stat_table):
            cursor.execute(f"DELETE FROM {table} WHERE organization_id = %s", [organization.pk])
    rows = [
        (organization.pk, dimension, key, clients) for (dimension, key), clients in stats.items()
    ]
    cursor.executemany(
        f"INSERT INTO {stat_table} (organization_id, dimension, key, clients) "
        "VALUES (%s, %s, %s, %s) ON CONFLICT (organization_id, dimension, key) "
        f"DO UPDATE SET clients = {stat_table}.clients + EXCLUDED.clients",
        sorted(rows),
    )
    cursor.execute("SELECT clients_portfolio_note(ARRAY[%s]::bigint[])", [organization.pk])


def foreign_key_orphans(cursor, tables: Sequence[str]) -> list[str]:
    """The foreign keys of `tables` that some row breaks, checked set-based (one anti-join per
    key) rather than row by row as PostgreSQL checks them during a load."""
    cursor.execute(
        """
        SELECT c.conname, c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text,
               fa.attname
        FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[1]
        WHERE c.contype = 'f' AND c.conrelid = ANY(%s::regclass[]) AND cardinality(c.conkey) = 1
        """,
        [list(tables)],
    )
    broken = []
    for name, table, column, referenced, referenced_column in cursor.fetchall():
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {table} t WHERE t.{column} IS NOT NULL AND NOT EXISTS "
            f"(SELECT 1 FROM {referenced} r WHERE r.{referenced_column} = t.{column}))"
        )
        if cursor.fetchone()[0]:
            broken.append(name)
    return broken


def _run_parallel(statements: dict[str, str], workers: int, what: str, log) -> None:
    """Run the statements (name: SQL), `workers` at a time, each on a connection of its own
    in autocommit (an index build or a VACUUM uses one CPU, and VACUUM cannot run in a
    transaction)."""
    if not statements:
        return
    params = connection.get_connection_params()
    for driver_only in ("cursor_factory", "context", "prepare_threshold", "server_side_binding"):
        params.pop(driver_only, None)

    def run(name: str, statement: str) -> tuple[str, float]:
        started = time.perf_counter()
        with psycopg.connect(**params, autocommit=True) as other:
            other.execute("SET maintenance_work_mem = '512MB'")
            other.execute(statement)
        return name, time.perf_counter() - started

    started = time.perf_counter()
    failed, timings = [], []
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = {pool.submit(run, *item): item for item in statements.items()}
        for future, (_, statement) in futures.items():
            try:
                timings.append(future.result())
            except psycopg.Error as error:
                failed.append(f"{statement}; -- {error}")
    slowest = ", ".join(
        f"{name} {seconds:.1f} s" for name, seconds in sorted(timings, key=lambda t: -t[1])[:3]
    )
    log(
        f"  {what}: {len(statements)} in {time.perf_counter() - started:.1f} s (slowest: {slowest})"
    )
    if failed:
        raise RuntimeError(f"{what} failed; run these statements:\n" + "\n".join(failed))


def portfolio_generate(
    organization: Organization,
    size: PortfolioSize,
    *,
    replace: bool = False,
    triggers: str = "off",
    workers: int | None = None,
    log=print,
) -> dict[str, int]:
    """Load the portfolio in one transaction (first deleting the organization's clients when
    `replace`), build the secondary indexes, then VACUUM ANALYZE the tables. Returns the rows
    per table.

    Shards of clients are built by `workers` processes (default: one per CPU) and COPYed as
    they come. The secondary indexes (neither unique nor a constraint's) are dropped in the
    transaction and built after its commit, `workers` at a time.

    `triggers="off"`: the loading transaction runs in replica mode (`session_replication_role`,
    which needs a superuser: the bench's default URL is one), so neither the portfolio triggers
    nor the row-by-row foreign key checks run; the foreign keys are then checked set-based.
    The workers also build the coverage and facet rows the triggers would have written (COPYed
    with the shard) and the statistics they would have counted (written before the commit);
    the search text is written from the loaded rows by the triggers' own SQL; the
    organization's portfolio version is renewed by the same commit.
    `"on"`: the statement triggers run once per COPY and the foreign keys are checked row by
    row; only the trigram indexes wait (the triggers read the others).
    """
    if connection.vendor != "postgresql":
        raise RuntimeError("The bench portfolio is generated on PostgreSQL (set DATABASE_URL).")
    if triggers not in TRIGGER_MODES:
        raise ValueError(f"triggers must be one of {TRIGGER_MODES}")
    workers = workers or os.cpu_count() or 1
    catalog = load_catalog()
    watched = [model._meta.db_table for model in WATCHED_MODELS]
    connection.ensure_connection()
    with transaction.atomic(), connection.connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        if triggers == "off":
            cursor.execute("SET LOCAL session_replication_role = replica")
        else:
            # Django's foreign keys are checked at commit by default: check each statement's
            # at its end, while the indexes the checks of the DELETEs need still exist.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        started = time.perf_counter()
        truncated = []
        if triggers == "off" and (replace or not organization.clients.exists()):
            truncated = _truncate_portfolio(cursor, organization)
            if truncated:
                log(
                    f"  truncated {len(truncated)} tables holding only this portfolio in "
                    f"{time.perf_counter() - started:.1f} s"
                )
        if replace and not truncated:
            if triggers == "off":
                # The triggers that would forget the deleted clients' coverage are off.
                owned = f"SELECT id FROM {Client._meta.db_table} WHERE organization_id = %s"
                for table in KEPT_TABLES:
                    cursor.execute(
                        f"DELETE FROM {table} WHERE client_id IN ({owned})", [organization.pk]
                    )
            _delete_clients(cursor, "organization_id = %s", [organization.pk])
            log(f"  deleted the previous portfolio in {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        indexes = secondary_indexes(cursor, watched + list(KEPT_TABLES))
        if triggers == "on":
            indexes = [index for index in indexes if index.method == "gin"]
        for index in indexes:
            cursor.execute(f"DROP INDEX {index.name}")

        collective, shards = plan_portfolio(
            organization_id=organization.pk, size=size, catalog=catalog, ids=_allocate_ids(cursor)
        )
        log(
            f"  planned {len(shards)} shards in {time.perf_counter() - started:.1f} s; "
            f"{workers} workers"
        )
        started = time.perf_counter()
        targets = copy_targets(kept=triggers == "off", freeze=set(truncated))
        counts, stats = _load_shards(cursor, [collective, *shards], targets, workers, log)
        log(f"  built and loaded in {time.perf_counter() - started:.1f} s")

        if triggers == "off":
            started = time.perf_counter()
            broken = foreign_key_orphans(cursor, watched)
            if broken:
                raise RuntimeError(f"The generated rows break foreign keys: {broken}")
            _stats_write(cursor, organization, stats, replace=replace)
            log(
                f"  foreign keys checked and statistics written in {time.perf_counter() - started:.1f} s"
            )
            started = time.perf_counter()
            # From the rows just loaded, by the SQL the triggers run.
            search_text_rebuild(organization_ids=[organization.pk])
            log(f"  search text written in {time.perf_counter() - started:.1f} s")
        started = time.perf_counter()
    log(f"  committed in {time.perf_counter() - started:.1f} s")
    # One pool for every index, the trigram ones (the longest to build) first.
    ordered = sorted(indexes, key=lambda index: index.method != "gin")
    _run_parallel({i.name: i.definition for i in ordered}, workers, "indexes", log)
    _run_parallel(
        {table: f"VACUUM ANALYZE {table}" for table in watched + list(KEPT_TABLES)},
        workers,
        "VACUUM ANALYZE",
        log,
    )
    return counts
