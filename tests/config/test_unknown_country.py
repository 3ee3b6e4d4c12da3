"""An unknown country answers the same way on every route: 404 when a path names it, 400 when
a body or a filter does, the message naming the valid codes."""

import pytest

from reporting.selectors import Catalog
from tests.factories import ClientFactory, CredentialFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_id(organization):
    client = ClientFactory(organization=organization, name="ABC Corporation")
    CredentialFactory(client=client)
    return client.pk


@pytest.fixture
def unknown_country_message(db) -> str:
    valid = ", ".join(sorted(Catalog.load().countries))
    return f"Unknown country 'XX'. Valid countries: {valid}."


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/logins/clients/{id}/credentials/XX", None),
        ("post", "/logins/clients/{id}/credentials/XX", {"report_types": "WEEE", "pro": "x"}),
        ("put", "/logins/clients/{id}/credentials/XX/1", {"notes": "x"}),
        ("delete", "/logins/clients/{id}/credentials/XX/1", None),
        ("get", "/logins/clients/{id}/local-company-name/XX", None),
        ("post", "/logins/clients/{id}/local-company-name/XX", {"local_company_name": "x"}),
    ],
)
def test_an_unknown_country_in_a_path_answers_404_naming_the_valid_codes(
    staff_api, client_id, unknown_country_message, method, path, body
):
    response = getattr(staff_api, method)(path.format(id=client_id), body, format="json")

    assert response.status_code == 404
    assert response.json() == {"detail": unknown_country_message}


@pytest.mark.parametrize(
    ("path", "body", "errors_of"),
    [
        (
            "/logins/clients",
            {"client_name": "New", "obligations": [{"country": "XX", "report_type": "WEEE"}]},
            lambda errors: errors["obligations"],
        ),
        (
            "/logins/clients",
            {"client_name": "New", "aliases": {"XX": "New GmbH"}},
            lambda errors: errors["aliases"],
        ),
        (
            "/logins/clients/{id}/aliases",
            {"alias": "ABC", "country": "XX"},
            lambda errors: errors["country"],
        ),
    ],
)
def test_an_unknown_country_in_a_body_answers_400_naming_the_valid_codes(
    staff_api, client_id, unknown_country_message, path, body, errors_of
):
    response = staff_api.post(path.format(id=client_id), body, format="json")

    assert response.status_code == 400
    assert unknown_country_message in str(errors_of(response.json()))


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/logins/clients?country=XX"),
        ("get", "/logins/clients?country=DE&country=XX"),
        ("get", "/logins/clients/collective-accounts?country=XX"),
        ("delete", "/logins/clients/{id}/aliases/ABC?country=XX"),
    ],
)
def test_an_unknown_country_in_a_filter_answers_400_naming_the_valid_codes(
    staff_api, client_id, unknown_country_message, method, path
):
    response = getattr(staff_api, method)(path.format(id=client_id))

    assert response.status_code == 400
    [message] = response.json()["country"]
    assert message.startswith(unknown_country_message)
