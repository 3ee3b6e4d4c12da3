import pytest
from django.db.models import ProtectedError
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from config.exceptions import api_exception_handler


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
