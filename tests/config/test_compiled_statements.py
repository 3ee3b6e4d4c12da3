"""Statements compiled once per process (config/compiled_statements.py) and the `one_of`
lookup that lets one statement take any number of ids."""

import pytest
from django.db import connection

from clients.models import Alias, Client
from config.compiled_statements import CompiledStatement
from reporting.models import Country
from tests.factories import AliasFactory, ClientFactory, country

pytestmark = pytest.mark.django_db


def test_one_of_finds_what_in_finds():
    first, second, third = ClientFactory(), ClientFactory(), ClientFactory()

    assert set(Client.objects.filter(pk__one_of=[first.pk, third.pk])) == {first, third}
    assert list(Client.objects.filter(pk__one_of=[])) == []
    assert set(Alias.objects.filter(client_id__one_of=[second.pk])) == set(
        Alias.objects.filter(client_id__in=[second.pk])
    )
    assert list(Country.objects.filter(pk__one_of=[country("DE").pk])) == [country("DE")]


def test_one_of_is_one_statement_for_any_number_of_values():
    def statement(ids):
        return Client.objects.filter(pk__one_of=ids).query.sql_with_params()

    (one, one_params), (three, three_params) = statement([1]), statement([1, 2, 3])

    assert one == three
    assert len(one_params) == len(three_params) == 1


def test_a_compiled_statement_is_built_once_and_runs_with_each_call_s_values():
    client = ClientFactory()
    other = ClientFactory()
    AliasFactory(client=client, scope="*", name="Lumen")
    AliasFactory(client=other, scope="DE", name="Nord")
    built = []

    def build(client_ids):
        built.append(client_ids)
        return Alias.objects.filter(client_id__one_of=client_ids).values_list("client_id", "name")

    statement = CompiledStatement(build, client_ids=[-1])

    assert statement.rows(client_ids=[client.pk]) == [(client.pk, "Lumen")]
    assert sorted(statement.rows(client_ids=[client.pk, other.pk])) == sorted(
        [(client.pk, "Lumen"), (other.pk, "Nord")]
    )
    assert statement.rows(client_ids=[]) == []
    assert built == [[-1]]


def test_values_must_name_every_stand_in():
    statement = CompiledStatement(
        lambda client_ids: Client.objects.filter(pk__one_of=client_ids), client_ids=[-1]
    )

    with pytest.raises(TypeError, match="client_ids"):
        statement.rows()
    with pytest.raises(TypeError, match="client_ids"):
        statement.rows(client_ids=[1], organization_id=2)


def test_a_stand_in_missing_from_the_statement_is_refused():
    statement = CompiledStatement(lambda client_id: Client.objects.filter(pk=5), client_id=-1)

    with pytest.raises(AssertionError, match="client_id"):
        statement.rows(client_id=3)


@pytest.mark.postgresql
@pytest.mark.django_db(transaction=True)
def test_the_list_s_summaries_are_one_prepared_statement_for_any_page(staff_api, organization):
    for number in range(3):
        ClientFactory(organization=organization, name=f"Client {number}")

    for limit in (1, 2, 3):
        assert staff_api.get(f"/logins/clients?limit={limit}").status_code == 200

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ['%"clients_alias"."client_id" = ANY%'],
        )
        assert cursor.fetchone()[0] == 1


def test_one_of_refuses_a_value_that_is_not_a_list():
    with pytest.raises(ValueError, match="list"):
        Client.objects.filter(pk__one_of="12")
    with pytest.raises(ValueError):
        Client.objects.filter(pk__one_of=["a"])


@pytest.mark.parametrize("lookup", ["organization__one_of=abc", "organization__id__one_of=1"])
def test_the_admin_answers_a_one_of_in_its_query_string_as_an_invalid_lookup(
    client, django_user_model, lookup
):
    client.force_login(django_user_model.objects.create_superuser("root", "root@example.com"))

    response = client.get(f"/admin/clients/client/?{lookup}")

    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")
