import pytest
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory
from rest_framework.views import APIView

from clients.authentication import ApiKeyAuthentication
from clients.models import ApiKey
from clients.permissions import HasOrganizationApiKey
from clients.services import api_key_create


class OrganizationProbeView(APIView):
    authentication_classes = [ApiKeyAuthentication]
    permission_classes = [HasOrganizationApiKey]

    def get(self, request):
        return Response({"organization": request.auth.organization.name})


def call_probe(authorization: str | None):
    headers = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}
    request = APIRequestFactory().get("/probe", **headers)
    return OrganizationProbeView.as_view()(request)


@pytest.mark.django_db
def test_raw_api_key_in_authorization_header_authenticates_its_organization(organization):
    _, raw_key = api_key_create(organization=organization, name="bubble")

    response = call_probe(raw_key)

    assert response.status_code == 200
    assert response.data == {"organization": "Acme Compliance"}


@pytest.mark.django_db
def test_api_key_is_stored_only_as_a_digest(organization):
    api_key, raw_key = api_key_create(organization=organization, name="bubble")

    stored = ApiKey.objects.values().get(pk=api_key.pk)

    assert raw_key not in [str(value) for value in stored.values()]
    assert stored["key_hash"] == ApiKey.hash_key(raw_key)


@pytest.mark.django_db
@pytest.mark.parametrize("header", [None, "", "not-a-key", "Token abc"])
def test_missing_or_wrong_api_key_answers_401(organization, header):
    api_key_create(organization=organization, name="bubble")

    assert call_probe(header).status_code == 401


@pytest.mark.django_db
def test_revoked_api_key_answers_401(organization):
    api_key, raw_key = api_key_create(organization=organization, name="bubble")
    ApiKey.objects.filter(pk=api_key.pk).update(revoked=True)

    assert call_probe(raw_key).status_code == 401


@pytest.mark.django_db
def test_use_of_a_key_is_recorded(organization):
    api_key, raw_key = api_key_create(organization=organization, name="bubble")

    call_probe(raw_key)

    api_key.refresh_from_db()
    assert api_key.last_used_at is not None


@pytest.mark.django_db
def test_session_of_an_organization_member_reaches_the_logins_api(client, organization):
    from tests.factories import MembershipFactory

    membership = MembershipFactory(organization=organization, role="viewer")
    client.force_login(membership.user)

    assert client.get("/logins/report_types").status_code == 200


@pytest.mark.django_db
def test_wrong_token_answers_401(anonymous_api):
    anonymous_api.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef")

    assert anonymous_api.get("/logins/report_types").status_code == 401
