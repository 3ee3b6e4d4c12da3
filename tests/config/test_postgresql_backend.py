"""The PostgreSQL backend's health check (config/postgresql): no round trip for a healthy
connection, and a connection the server ended is still replaced before the request's query."""

import pytest
from django.db import NotSupportedError, connection, connections, transaction
from django.db.backends.postgresql import base as django_postgresql
from django.test.utils import CaptureQueriesContext

from config.postgresql import prepared_cursor
from tests.factories import ClientFactory

pytestmark = [pytest.mark.postgresql, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def select_one_checks(monkeypatch):
    """Counts the checks that would send `SELECT 1` (Django's own is_usable)."""
    calls = []
    original = django_postgresql.DatabaseWrapper.is_usable

    def counted(self):
        calls.append(self.alias)
        return original(self)

    monkeypatch.setattr(django_postgresql.DatabaseWrapper, "is_usable", counted)
    return calls


@pytest.fixture
def probe_table_changed_elsewhere():
    """A table `backend_probe` holding 'first', and a function that widens its column from
    another connection, as a migration would while this connection has prepared statements."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE backend_probe (label varchar(10))")
        cursor.execute("INSERT INTO backend_probe VALUES ('first')")

    def widen():
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("ALTER TABLE backend_probe ALTER label TYPE varchar(20)")
        finally:
            other.close()

    yield widen
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE backend_probe")


def check_health():
    connection.health_check_done = False
    connection.close_if_health_check_failed()


def test_settings_select_the_backend_with_health_checks():
    assert connection.settings_dict["ENGINE"] == "config.postgresql"
    assert connection.health_check_enabled


def test_a_healthy_connection_is_kept_without_a_query(select_one_checks):
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid

    check_health()

    assert connection.connection is not None
    assert select_one_checks == []
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] == pid


def test_a_connection_the_server_ended_is_replaced(select_one_checks):
    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            # Waits (up to 5 s) until the server process has ended.
            cursor.execute("SELECT pg_terminate_backend(%s, 5000)", [pid])
            assert cursor.fetchone()[0] is True
    finally:
        other.close()

    check_health()

    assert connection.connection is None
    assert select_one_checks == ["default"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid


def prepared_statements():
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements ORDER BY prepare_time")
        return [row[0] for row in cursor.fetchall()]


def test_the_prepared_cursor_prepares_once_and_logs_its_values():
    with prepared_cursor(connection) as cursor:
        for value in (1, 2, 3):
            cursor.execute("SELECT %s::int + 40", [value])
            assert cursor.fetchone() == (value + 40,)

    assert prepared_statements() == ["SELECT $1::int + 40"]
    with CaptureQueriesContext(connection) as queries, prepared_cursor(connection) as cursor:
        cursor.execute("SELECT %s::int + 40", [7])
    assert [query["sql"] for query in queries] == ["SELECT 7::int + 40"]


def test_the_statements_of_every_request_are_prepared(staff_api, organization):
    client = ClientFactory(organization=organization)

    assert staff_api.get(f"/logins/clients/{client.pk}").status_code == 200

    statements = prepared_statements()
    assert any('FROM "authtoken_token"' in statement for statement in statements)
    assert any('FROM "clients_alias"' in statement for statement in statements)


def test_prepared_statements_can_be_turned_off(settings):
    settings.DATABASE_PREPARED_STATEMENTS = False
    with prepared_cursor(connection) as cursor:
        cursor.execute("SELECT %s::int", [1])
    assert prepared_statements() == []


def test_a_statement_whose_result_type_a_migration_changed_is_prepared_again(
    probe_table_changed_elsewhere,
):
    query = "SELECT label FROM backend_probe WHERE label = %s"
    with prepared_cursor(connection) as cursor:
        cursor.execute(query, ["first"])
    probe_table_changed_elsewhere()

    with prepared_cursor(connection) as cursor:
        cursor.execute(query, ["first"])
        assert cursor.fetchall() == [("first",)]


def test_inside_a_transaction_a_stale_plan_fails_once_and_is_prepared_again_after(
    probe_table_changed_elsewhere,
):
    query = "SELECT label FROM backend_probe WHERE label = %s"
    with prepared_cursor(connection) as cursor:
        cursor.execute(query, ["first"])
    probe_table_changed_elsewhere()

    with (
        pytest.raises(NotSupportedError, match="cached plan"),
        transaction.atomic(),
        prepared_cursor(connection) as cursor,
    ):
        cursor.execute(query, ["first"])

    with transaction.atomic(), prepared_cursor(connection) as cursor:
        cursor.execute(query, ["first"])
        assert cursor.fetchall() == [("first",)]


def test_a_connection_inside_a_transaction_is_checked_with_a_query(select_one_checks):
    with transaction.atomic():
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")

        assert connection.is_usable()

    assert select_one_checks == ["default"]
