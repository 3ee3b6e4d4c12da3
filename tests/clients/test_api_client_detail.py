"""GET /logins/clients/{id} reads the client with its aliases and obligations in one query
(clients.selectors.client_detail): the same answer as the serializer over the model's rows."""

import pytest

from clients.api.serializers import ClientSerializer
from clients.models import Client
from tests.factories import (
    AliasFactory,
    ClientFactory,
    ObligationFactory,
    OrganizationFactory,
    country,
    pro,
    report_type,
)

pytestmark = pytest.mark.django_db


def answer_from_the_rows(client: Client) -> dict:
    return dict(ClientSerializer(Client.objects.get(pk=client.pk)).data)


def test_the_detail_answers_what_the_serializer_answers_from_the_rows(staff_api, organization):
    client = ClientFactory(organization=organization, name="Ordered Parts", notes="")
    for scope, name in [("UK", "Parts Ltd"), ("*", "Parts"), ("AT", "Teile"), ("DE", "Teile")]:
        AliasFactory(client=client, scope=scope, name=name)
    ObligationFactory(client=client, country=country("FR"), report_type=report_type("Textiles"))
    ObligationFactory(client=client, country=country("DE"), report_type=None)
    ObligationFactory(
        client=client,
        country=country("DE"),
        report_type=report_type("Packaging"),
        pro=pro("DE", "Landbell"),
    )
    ObligationFactory(client=client, country=country("DE"), report_type=report_type("Batteries"))

    body = staff_api.get(f"/logins/clients/{client.pk}").json()

    assert body == answer_from_the_rows(client)
    assert list(body["aliases"]) == ["*", "AT", "DE", "UK"]
    assert body["notes"] is None
    assert [(row["country"], row["report_type"]) for row in body["obligations"]][-1] == (
        "FR",
        "Textiles",
    )


def test_a_client_without_aliases_or_obligations(staff_api, organization):
    client = ClientFactory(organization=organization)

    body = staff_api.get(f"/logins/clients/{client.pk}").json()

    assert body == answer_from_the_rows(client)
    assert body["aliases"] == {}
    assert body["obligations"] == []


def test_a_shared_client_answers_its_client_organization(api_client_for, organization):
    client_company = OrganizationFactory(name="Producer Itself")
    client = ClientFactory(
        organization=organization, shared=True, client_organization=client_company
    )
    AliasFactory(client=client, scope="DE", name="Producer GmbH")

    body = api_client_for(client_company).get(f"/logins/clients/{client.pk}").json()

    assert body == answer_from_the_rows(client)
    assert body["shared"] is True
    assert body["client_organization"] == client_company.pk


def test_another_organizations_client_answers_404_without_its_parts(other_org_api, organization):
    client = ClientFactory(organization=organization)
    AliasFactory(client=client, scope="DE")
    ObligationFactory(client=client)

    response = other_org_api.get(f"/logins/clients/{client.pk}")

    assert response.status_code == 404
    assert "aliases" not in response.json()


@pytest.mark.parametrize("client_id", ["0", "99999999999999999999999", "9223372036854775808"])
def test_an_unknown_id_answers_404_as_before(staff_api, client_id):
    response = staff_api.get(f"/logins/clients/{client_id}")

    assert response.status_code == 404
    assert response.json() == {"detail": "No Client matches the given query."}


def test_leading_zeros_name_the_same_client(staff_api, organization):
    client = ClientFactory(organization=organization)

    assert staff_api.get(f"/logins/clients/000{client.pk}").json()["id"] == client.pk


def test_serializers_built_once_give_each_instance_its_own_fields(organization):
    first = ClientFactory(organization=organization, name="First")
    second = ClientFactory(organization=organization, name="Second")

    one, other = ClientSerializer(first), ClientSerializer(second)

    assert one.fields["name"] is not other.fields["name"]
    assert one.fields["name"].parent is one
    assert (one.data["name"], other.data["name"]) == ("First", "Second")
    assert set(one.fields) == {
        "id",
        "name",
        "status",
        "shared",
        "aliases",
        "notes",
        "client_organization",
        "collective_account",
        "obligations",
    }
