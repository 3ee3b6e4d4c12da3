"""GET and POST /logins/clients/{client_id}/local-company-name/{country}."""

import pytest

from clients.models import Role
from tests.factories import AliasFactory, ClientFactory, OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def abc(organization):
    return ClientFactory(organization=organization, name="ABC Corporation", notes="")


def test_setting_a_local_company_name_answers_the_seed_shape(staff_api, abc):
    response = staff_api.post(
        f"/logins/clients/{abc.pk}/local-company-name/DE",
        {"local_company_name": "ABC GmbH"},
        format="json",
    )

    assert response.status_code == 200
    assert response.json() == {
        "id": abc.pk,
        "name": "ABC Corporation",
        "aliases": {"DE": "ABC GmbH"},
        "notes": None,
    }


def test_the_local_company_name_is_the_alias_of_that_country(staff_api, abc):
    AliasFactory(client=abc, scope="DE", name="Old GmbH")

    staff_api.post(
        f"/logins/clients/{abc.pk}/local-company-name/de",
        {"local_company_name": "ABC GmbH"},
        format="json",
    )

    assert list(abc.aliases.values_list("scope", "name")) == [("DE", "ABC GmbH")]


def test_getting_a_local_company_name_answers_the_seed_shape(staff_api, abc):
    AliasFactory(client=abc, scope="DE", name="ABC GmbH")

    response = staff_api.get(f"/logins/clients/{abc.pk}/local-company-name/DE")

    assert response.status_code == 200
    assert response.json() == {"local_company_name": "ABC GmbH"}


def test_getting_a_country_without_one_answers_404_with_a_clear_message(staff_api, abc):
    AliasFactory(client=abc, scope="*", name="ABC")

    response = staff_api.get(f"/logins/clients/{abc.pk}/local-company-name/DE/")

    assert response.status_code == 404
    assert response.json() == {"detail": "No local company name is set for ABC Corporation in DE."}


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_unknown_country_in_the_path_answers_404_naming_the_valid_ones(staff_api, abc, method):
    response = getattr(staff_api, method)(
        f"/logins/clients/{abc.pk}/local-company-name/XX",
        {"local_company_name": "ABC"},
        format="json",
    )

    assert response.status_code == 404
    assert response.json()["detail"].startswith("Unknown country 'XX'. Valid countries: AT,")
    assert not abc.aliases.exists()


def test_an_unknown_field_in_the_body_answers_400(staff_api, abc):
    response = staff_api.post(
        f"/logins/clients/{abc.pk}/local-company-name/DE",
        {"local_company_name": "ABC GmbH", "country": "DE"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"country": ["Unknown field. Valid fields: local_company_name."]}
    assert not abc.aliases.exists()


@pytest.mark.parametrize(
    "body", [{}, {"local_company_name": ""}, {"local_company_name": "x" * 10_000}]
)
def test_a_bad_local_company_name_answers_400(staff_api, abc, body):
    response = staff_api.post(
        f"/logins/clients/{abc.pk}/local-company-name/DE", body, format="json"
    )

    assert response.status_code == 400
    assert "local_company_name" in response.json()
    assert not abc.aliases.exists()


def test_viewer_may_read_but_not_set_a_local_company_name(viewer_api, abc):
    AliasFactory(client=abc, scope="DE", name="ABC GmbH")

    read = viewer_api.get(f"/logins/clients/{abc.pk}/local-company-name/DE")
    write = viewer_api.post(
        f"/logins/clients/{abc.pk}/local-company-name/DE",
        {"local_company_name": "X"},
        format="json",
    )

    assert (read.status_code, write.status_code) == (200, 403)
    assert abc.aliases.get().name == "ABC GmbH"


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_organizations_client_is_not_found(other_org_api, abc, method):
    AliasFactory(client=abc, scope="DE", name="ABC GmbH")

    response = getattr(other_org_api, method)(
        f"/logins/clients/{abc.pk}/local-company-name/DE",
        {"local_company_name": "Hijacked"},
        format="json",
    )

    assert response.status_code == 404
    assert abc.aliases.get().name == "ABC GmbH"


def test_a_shared_client_is_readable_but_not_writable_by_its_own_organization(
    api_client_for, organization
):
    producer = OrganizationFactory()
    client = ClientFactory(organization=organization, shared=True, client_organization=producer)
    AliasFactory(client=client, scope="FR", name="ABC SARL")
    producer_api = api_client_for(producer, Role.STAFF)

    read = producer_api.get(f"/logins/clients/{client.pk}/local-company-name/FR")
    write = producer_api.post(
        f"/logins/clients/{client.pk}/local-company-name/FR",
        {"local_company_name": "X"},
        format="json",
    )

    assert read.json() == {"local_company_name": "ABC SARL"}
    assert write.status_code == 404


def test_a_local_company_name_over_255_characters_answers_400_naming_the_limit(staff_api, abc):
    response = staff_api.post(
        f"/logins/clients/{abc.pk}/local-company-name/DE",
        {"local_company_name": "x" * 256},
        format="json",
    )

    assert response.status_code == 400
    assert "255" in response.json()["local_company_name"][0]
    assert not abc.aliases.exists()


def test_a_local_company_name_of_exactly_255_characters_is_accepted(staff_api, abc):
    response = staff_api.post(
        f"/logins/clients/{abc.pk}/local-company-name/DE",
        {"local_company_name": "x" * 255},
        format="json",
    )

    assert response.status_code == 200
    assert abc.aliases.get(scope="DE").name == "x" * 255
