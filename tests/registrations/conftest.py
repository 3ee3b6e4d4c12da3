import pytest
from rest_framework.test import APIClient

from tests.factories import FrontendUserFactory, ProducerFactory, scheme


@pytest.fixture
def frontend_user(organization):
    return FrontendUserFactory(organization=organization)


@pytest.fixture
def producer(organization, frontend_user):
    return ProducerFactory(organization=organization, users=[frontend_user])


@pytest.fixture
def refashion(db):
    """The catalog's French textiles scheme, with a bubble id."""
    textiles = scheme("FR", "Refashion", "Textiles")
    textiles.bubble_id = "1699000000000x000000000000000001"
    textiles.save()
    return textiles


@pytest.fixture
def citeo(db):
    return scheme("FR", "Citeo", "Packaging")


@pytest.fixture
def key_api(api_key_for):
    """An APIClient sending `organization`'s API key as the raw Authorization header."""

    def make(organization) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=api_key_for(organization))
        return client

    return make


@pytest.fixture
def users_api(key_api, organization):
    return key_api(organization)


@pytest.fixture
def url_of():
    def make(user_bubble_id: str, nrn: str) -> str:
        return f"/users/{user_bubble_id}/producers/{nrn}/registrations"

    return make


@pytest.fixture
def upsert_url(url_of, frontend_user, producer):
    """The route for `frontend_user` acting on `producer`."""
    return url_of(frontend_user.bubble_id, producer.nrn)
