"""The client list's catalog filters read the catalog this process keeps (Catalog.current):
a change to the catalog reaches the next request."""

import pytest

from reporting.models import Pro, Scheme
from tests.factories import ClientFactory, CredentialFactory, ObligationFactory, country, pro

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["name"] for row in response.json()["clients"]]


def test_a_pro_added_after_a_list_request_is_a_valid_filter_at_once(staff_api, organization):
    assert staff_api.get("/logins/clients?pro=Stiftung EAR").status_code == 200
    assert staff_api.get("/logins/clients?pro=Neue Rücknahme").status_code == 400

    added = Pro.objects.create(country=country("DE"), name="Neue Rücknahme")
    client = ClientFactory(organization=organization, name="Early Adopter")
    CredentialFactory(client=client, country=country("DE"), pro=added)
    ClientFactory(organization=organization, name="Bystander")

    response = staff_api.get("/logins/clients?pro=neue rücknahme")

    assert names(response) == ["Early Adopter"]
    assert response.json()["total"] == 1


def test_a_renamed_pro_answers_under_its_new_name_at_once(staff_api, organization):
    client = ClientFactory(organization=organization, name="Citeo Customer")
    ObligationFactory(client=client, country=country("FR"), pro=pro("FR", "Citeo"))
    assert names(staff_api.get("/logins/clients?pro=Citeo")) == ["Citeo Customer"]

    Pro.objects.filter(pk=pro("FR", "Citeo").pk).update(name="Citeo Renamed")

    assert staff_api.get("/logins/clients?pro=Citeo").status_code == 400
    assert names(staff_api.get("/logins/clients?pro=Citeo Renamed")) == ["Citeo Customer"]


def test_a_pro_name_of_two_countries_finds_the_clients_of_both(staff_api, organization):
    twin = Pro.objects.create(country=country("AT"), name="Stiftung EAR")
    Scheme.objects.create(
        pro=twin, report_type=pro("DE", "Stiftung EAR").schemes.first().report_type
    )
    german = ClientFactory(organization=organization, name="German Producer")
    CredentialFactory(client=german, country=country("DE"), pro=pro("DE", "Stiftung EAR"))
    austrian = ClientFactory(organization=organization, name="Austrian Producer")
    CredentialFactory(client=austrian, country=country("AT"), pro=twin)
    ClientFactory(organization=organization, name="Elsewhere")

    response = staff_api.get("/logins/clients?pro=Stiftung EAR")

    assert names(response) == ["Austrian Producer", "German Producer"]
    assert response.json()["total"] == 2
    only_austria = staff_api.get("/logins/clients?pro=Stiftung EAR&country=AT")
    assert names(only_austria) == ["Austrian Producer"]
