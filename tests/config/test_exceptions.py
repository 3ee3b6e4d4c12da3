import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError
from rest_framework.exceptions import ValidationError
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from config.exceptions import api_exception_handler, fields_renamed


class Blocker:
    def __init__(self, name):
        self.name = name

    def __str__(self):
        return self.name


def handle(exc):
    request = APIRequestFactory().delete("/thing")
    return api_exception_handler(exc, {"view": APIView(), "request": request})


def test_protected_deletion_answers_409_naming_the_dependants():
    response = handle(ProtectedError("protected", {Blocker("Beta GmbH"), Blocker("Alpha SA")}))

    assert response.status_code == 409
    assert response.data["dependants"] == ["Alpha SA", "Beta GmbH"]
    assert "2 other record(s) depend on it: Alpha SA, Beta GmbH" in response.data["detail"]


def test_long_lists_of_dependants_are_summarised_in_the_message():
    response = handle(ProtectedError("protected", {Blocker(f"Client {n:02d}") for n in range(25)}))

    assert response.data["detail"].count("Client") == 20
    assert "and 5 more" in response.data["detail"]
    assert len(response.data["dependants"]) == 25


def test_a_services_field_errors_answer_400_by_field():
    response = handle(DjangoValidationError({"name": ["Taken."], "notes": ["Too long."]}))

    assert response.status_code == 400
    assert response.data == {"name": ["Taken."], "notes": ["Too long."]}


def test_a_services_error_without_a_field_answers_400_as_non_field_errors():
    response = handle(DjangoValidationError("Not now."))

    assert response.status_code == 400
    assert response.data == {"non_field_errors": ["Not now."]}


def test_fields_renamed_answers_under_the_requests_field_names():
    with pytest.raises(ValidationError) as raised, fields_renamed({"name": "client_name"}):
        raise DjangoValidationError({"name": ["Taken."], "notes": ["Too long."]})

    assert raised.value.detail == {"client_name": ["Taken."], "notes": ["Too long."]}


@pytest.mark.django_db
def test_clients_readable_by_includes_clients_shared_with_the_organization(
    organization, other_organization
):
    from clients.tenancy import clients_readable_by
    from tests.factories import ClientFactory

    own = ClientFactory(organization=organization)
    shared = ClientFactory(
        organization=other_organization, shared=True, client_organization=organization
    )
    ClientFactory(organization=other_organization, shared=False, client_organization=organization)
    ClientFactory(organization=other_organization, shared=True)

    assert set(clients_readable_by(organization)) == {own, shared}
