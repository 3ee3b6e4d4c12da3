import pytest
from rest_framework.authtoken.models import Token

from clients.models import Role
from tests.factories import MembershipFactory, TokenFactory, UserFactory

TOKEN_URL = "/logins/auth/token"
ME_URL = "/logins/me"
PASSWORD = "correct horse battery staple"
REFUSED = {"non_field_errors": ["Unable to log in with the given username and password."]}

pytestmark = pytest.mark.django_db


@pytest.fixture
def jane(organization):
    user = UserFactory(
        username="jane", email="jane@agency.example", first_name="Jane", last_name="Doe"
    )
    return MembershipFactory(user=user, organization=organization, role=Role.STAFF)


def log_in(api, username="jane", password=PASSWORD):
    return api.post(TOKEN_URL, {"username": username, "password": password}, format="json")


def test_login_answers_the_token_user_organization_and_role(anonymous_api, jane, organization):
    response = log_in(anonymous_api)

    assert response.status_code == 200
    body = response.json()
    assert body["token"] == Token.objects.get(user=jane.user).key
    assert body["user"] == {
        "id": jane.user.pk,
        "username": "jane",
        "email": "jane@agency.example",
        "first_name": "Jane",
        "last_name": "Doe",
    }
    assert body["organization"] == {"id": organization.pk, "name": "Acme Compliance"}
    assert body["role"] == "staff"


def test_the_token_from_login_authenticates_api_requests(anonymous_api, jane):
    token = log_in(anonymous_api).json()["token"]
    anonymous_api.credentials(HTTP_AUTHORIZATION=f"Token {token}")

    assert anonymous_api.get("/logins/stats").status_code == 200


def test_login_answers_the_existing_token_again(anonymous_api, jane):
    existing = TokenFactory(user=jane.user)

    assert log_in(anonymous_api).json()["token"] == existing.key


def test_login_ignores_a_stale_token_in_the_headers(anonymous_api, jane):
    anonymous_api.credentials(HTTP_AUTHORIZATION="Token revoked-long-ago")

    assert log_in(anonymous_api).status_code == 200


def test_wrong_password_and_unknown_user_answer_the_same_400(anonymous_api, jane):
    wrong_password = log_in(anonymous_api, password="not the password")
    unknown_user = log_in(anonymous_api, username="nobody")

    assert wrong_password.status_code == unknown_user.status_code == 400
    assert wrong_password.json() == unknown_user.json() == REFUSED
    assert not Token.objects.exists()


def test_an_inactive_user_is_refused_like_a_wrong_password(anonymous_api, jane):
    jane.user.is_active = False
    jane.user.save()

    response = log_in(anonymous_api)

    assert response.status_code == 400
    assert response.json() == REFUSED


def test_a_user_without_an_organization_is_refused(anonymous_api):
    UserFactory(username="loner")

    response = log_in(anonymous_api, username="loner")

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["This account is not a member of any organization."]
    }
    assert not Token.objects.exists()


def test_login_without_a_password_names_the_field(anonymous_api, jane):
    response = anonymous_api.post(TOKEN_URL, {"username": "jane"}, format="json")

    assert response.status_code == 400
    assert response.json() == {"password": ["This field is required."]}


def test_login_is_throttled_after_the_configured_attempts(anonymous_api, jane, throttle_rates):
    throttle_rates(auth="3/min")
    for _ in range(3):
        assert log_in(anonymous_api, password="guess").status_code == 400

    response = log_in(anonymous_api)

    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0


def test_logout_revokes_the_token(staff_api):
    response = staff_api.delete(TOKEN_URL)

    assert response.status_code == 204
    assert not Token.objects.filter(user=staff_api.user).exists()
    assert staff_api.get("/logins/stats").status_code == 401


def test_logout_without_authentication_answers_401(anonymous_api):
    assert anonymous_api.delete(TOKEN_URL).status_code == 401


def test_logout_leaves_other_users_tokens_alone(staff_api, viewer_api):
    staff_api.delete(TOKEN_URL)

    assert viewer_api.get("/logins/stats").status_code == 200


@pytest.mark.parametrize(
    ("role", "can_write", "can_reveal", "can_manage_keys"),
    [
        (Role.ADMIN, True, True, True),
        (Role.STAFF, True, True, False),
        (Role.VIEWER, False, False, False),
    ],
)
def test_me_answers_what_the_role_may_do(
    api_client_for, organization, role, can_write, can_reveal, can_manage_keys
):
    api = api_client_for(organization, role)

    response = api.get(ME_URL)

    assert response.status_code == 200
    assert response.json() == {
        "user": {
            "id": api.user.pk,
            "username": api.user.username,
            "email": api.user.email,
            "first_name": api.user.first_name,
            "last_name": api.user.last_name,
        },
        "organization": {"id": organization.pk, "name": "Acme Compliance"},
        "role": role.value,
        "can_write": can_write,
        "can_reveal": can_reveal,
        "can_manage_keys": can_manage_keys,
    }


def test_me_answers_the_callers_own_organization(other_org_api, other_organization):
    assert other_org_api.get(ME_URL).json()["organization"]["id"] == other_organization.pk


def test_me_without_authentication_answers_401(anonymous_api):
    assert anonymous_api.get(ME_URL).status_code == 401


def test_me_for_a_user_without_an_organization_answers_403(anonymous_api):
    token = TokenFactory(user=UserFactory(username="loner"))
    anonymous_api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = anonymous_api.get(ME_URL)

    assert response.status_code == 403
    assert response.json() == {"detail": "You are not a member of any organization."}
