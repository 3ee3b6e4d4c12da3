"""Django's PostgreSQL backend, with two savings for the statements every request runs.

- A health check that costs no round trip. With CONN_HEALTH_CHECKS Django's backend sends
  `SELECT 1` before the first query of every request. A connection the server has ended (a
  restart, `pg_terminate_backend`, an idle timeout) is told apart without it: the server's
  farewell message, or the closed socket, is waiting to be read on a connection that should
  have nothing to read. Only then is `SELECT 1` sent, and it decides.
- `prepared_cursor()`: a cursor whose statements are prepared on the connection the first time
  it runs them. PostgreSQL then parses them once, and after a few runs keeps a generic plan
  when it is not dearer than planning each run. For the short statements of every request
  (the caller, a client's page) planning costs more than running them. psycopg forgets its
  prepared statements at a rollback, and prepares them again. Other statements keep Django's
  client-side binding, unprepared. A pooler that hands one server connection to several
  clients in turn must keep prepared statements (PgBouncer 1.22 or later with
  `max_prepared_statements` above 0, the default from 1.24); otherwise
  `DATABASE_PREPARED_STATEMENTS=0` turns them off.
"""

import selectors

import psycopg
from django.conf import settings
from django.db.backends.postgresql import base
from django.utils.asyncio import async_unsafe
from psycopg.pq import TransactionStatus

# psycopg's default, which turns its prepared statements on for server-binding cursors (only
# PreparedCursor here, which asks for them at a statement's first run).
PREPARE_THRESHOLD = 5


STALE_PLAN = "cached plan must not change result type"


class PreparedCursor(base.ServerBindingCursor):
    """Prepares each statement the first time the connection runs it."""

    def execute(self, query, params=None, *, prepare=True, **kwargs):
        try:
            return super().execute(query, params, prepare=prepare, **kwargs)
        except psycopg.errors.FeatureNotSupported as error:
            # A migration run from another connection changed a column this statement
            # returns. Outside a transaction it is prepared again: psycopg forgets its
            # prepared statements when it sees DEALLOCATE ALL succeed (the failed statement
            # was one of them). Inside one, the transaction's rollback makes psycopg forget
            # them, and the next transaction prepares again.
            if (
                error.diag.message_primary != STALE_PLAN
                or self.connection.info.transaction_status != TransactionStatus.IDLE
            ):
                raise
            super().execute("DEALLOCATE ALL", prepare=False)
            return super().execute(query, params, prepare=prepare, **kwargs)


class DatabaseOperations(base.DatabaseOperations):
    def last_executed_query(self, cursor, sql, params):
        # A prepared statement's text holds placeholders, not values: what the query log
        # shows is composed from both, as Django does for server-side binding.
        if isinstance(cursor, PreparedCursor):
            try:
                return self.compose_sql(sql, params)
            except psycopg.errors.DataError:
                return None
        return super().last_executed_query(cursor, sql, params)


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def get_connection_params(self):
        params = super().get_connection_params()
        # Django turns psycopg's prepared statements off (a threshold of None) unless OPTIONS
        # set one; only PreparedCursor asks for them, as Django's cursors bind client-side.
        if settings.DATABASE_PREPARED_STATEMENTS and params.get("prepare_threshold") is None:
            params["prepare_threshold"] = PREPARE_THRESHOLD
        return params

    def is_usable(self):
        if self.connection is None or self.connection.closed:
            return False
        if self.connection.info.transaction_status != TransactionStatus.IDLE:
            # Left in a transaction or in the middle of a command: Django's check decides.
            return super().is_usable()
        try:
            with selectors.DefaultSelector() as selector:
                selector.register(self.connection.fileno(), selectors.EVENT_READ)
                waiting = bool(selector.select(timeout=0))
        except (OSError, ValueError):
            return False
        # An idle connection has nothing to read unless the server said something: most
        # likely that it is closing (a notice or a notification is also possible).
        return super().is_usable() if waiting else True

    @async_unsafe
    def prepared_cursor(self):
        """As `cursor()`, with prepared statements (see the module's text)."""
        if not settings.DATABASE_PREPARED_STATEMENTS:
            return self.cursor()
        self.close_if_health_check_failed()
        self.ensure_connection()
        with self.wrap_database_errors:
            cursor = PreparedCursor(self.connection)
            # As create_cursor() does for its cursors.
            tzloader = self.connection.adapters.get_loader(base.TIMESTAMPTZ_OID, base.Format.TEXT)
            if self.timezone != tzloader.timezone:
                base.register_tzloader(self.timezone, cursor)
            return self._prepare_cursor(cursor)
