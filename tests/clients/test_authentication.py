import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.test import APIClient, APIRequestFactory
from rest_framework.views import APIView

from clients.authentication import ApiKeyAuthentication, MemberModelBackend, token_with_member
from clients.models import ApiKey, Membership, Role
from clients.permissions import HasOrganizationApiKey
from clients.services import api_key_create
from tests.factories import (
    AliasFactory,
    ClientFactory,
    MembershipFactory,
    ObligationFactory,
    TokenFactory,
    UserFactory,
)


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
    membership = MembershipFactory(organization=organization, role="viewer")
    client.force_login(membership.user)

    assert client.get("/logins/report_types").status_code == 200


@pytest.mark.django_db
def test_wrong_token_answers_401(anonymous_api):
    anonymous_api.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef")

    assert anonymous_api.get("/logins/report_types").status_code == 401


@pytest.fixture
def detailed_client(organization):
    client = ClientFactory(organization=organization)
    AliasFactory(client=client, scope="DE")
    ObligationFactory(client=client)
    return client


@pytest.mark.django_db
def test_token_detail_reads_the_caller_in_one_query(
    staff_api, detailed_client, django_assert_num_queries
):
    # The token with its user, membership and organization; the client with its aliases and
    # obligations (one UNION ALL).
    with django_assert_num_queries(2):
        response = staff_api.get(f"/logins/clients/{detailed_client.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == detailed_client.pk
    assert body["aliases"] == {"DE": detailed_client.aliases.get().name}
    assert body["obligations"] == [{"country": "DE", "report_type": "WEEE", "pro": None}]


@pytest.mark.django_db
def test_token_catalog_route_reads_the_caller_and_the_catalog_only(
    staff_api, django_assert_num_queries
):
    with django_assert_num_queries(2):
        response = staff_api.get("/logins/report_types")

    assert response.status_code == 200


@pytest.mark.django_db
def test_session_detail_reads_the_caller_in_one_query_after_the_session(
    client, organization, detailed_client, django_assert_num_queries
):
    client.force_login(MembershipFactory(organization=organization, role=Role.VIEWER).user)

    # The session; the user with its membership and organization; the client with its aliases
    # and obligations.
    with django_assert_num_queries(3):
        response = client.get(f"/logins/clients/{detailed_client.pk}")

    assert response.status_code == 200


@pytest.mark.django_db
def test_session_user_arrives_with_membership_and_organization(
    organization, django_assert_num_queries
):
    membership = MembershipFactory(organization=organization)

    with django_assert_num_queries(1):
        user = MemberModelBackend().get_user(membership.user.pk)
        assert user.membership.organization.name == "Acme Compliance"


@pytest.mark.django_db
def test_token_of_another_organization_still_finds_no_client(other_org_api, detailed_client):
    assert other_org_api.get(f"/logins/clients/{detailed_client.pk}").status_code == 404


@pytest.mark.django_db
def test_token_of_a_user_without_membership_is_refused(detailed_client):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {TokenFactory().key}")

    response = api.get(f"/logins/clients/{detailed_client.pk}")

    assert response.status_code == 403
    assert response.json() == {"detail": "You are not a member of any organization."}


@pytest.mark.django_db
def test_token_of_an_inactive_user_is_refused(staff_api, detailed_client):
    get_user_model().objects.filter(pk=staff_api.user.pk).update(is_active=False)

    response = staff_api.get(f"/logins/clients/{detailed_client.pk}")

    assert response.status_code == 401
    assert response.json() == {"detail": "User inactive or deleted."}


@pytest.mark.django_db
def test_session_of_an_inactive_user_is_refused(client, organization, detailed_client):
    user = MembershipFactory(organization=organization).user
    client.force_login(user)
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)

    assert client.get(f"/logins/clients/{detailed_client.pk}").status_code == 401


@pytest.mark.django_db
def test_the_hand_written_caller_query_reads_what_select_related_reads(staff_api):
    key = staff_api._credentials["HTTP_AUTHORIZATION"].split()[1]
    by_orm = Token.objects.select_related("user__membership__organization").get(key=key)

    token = token_with_member(key)

    pairs = [
        (token, by_orm),
        (token.user, by_orm.user),
        (token.user.membership, by_orm.user.membership),
        (token.user.membership.organization, by_orm.user.membership.organization),
    ]
    for read, expected in pairs:
        fields = type(expected)._meta.concrete_fields
        assert [getattr(read, f.attname) for f in fields] == [
            getattr(expected, f.attname) for f in fields
        ]
    assert token.user.membership.user is token.user
    assert token_with_member("not-a-key") is None


@pytest.mark.django_db
def test_the_caller_query_of_a_user_without_membership_caches_its_absence():
    token = TokenFactory(user=UserFactory())

    user = token_with_member(token.key).user

    with CaptureQueriesContext(connection) as queries, pytest.raises(Membership.DoesNotExist):
        user.membership  # noqa: B018
    assert len(queries) == 0
