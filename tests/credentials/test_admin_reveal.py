"""The in-place reveal of a credential's login and password in the admin: the JSON answer of
the reveal endpoint and the control of templates/admin/credentials/_reveal_control.html."""

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from clients.models import Role
from credentials.models import AccessReason, PasswordAccessEvent
from tests.factories import CredentialFactory, MembershipFactory, country, pro

pytestmark = pytest.mark.django_db

SECRET = "In-Place-S3cret"
JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def credential(acme):
    return CredentialFactory(client=acme, password=SECRET, login="acme-login")


def reveal(credential):
    return reverse("admin:credentials_credential_reveal", args=[credential.pk])


def change(credential):
    return reverse("admin:credentials_credential_change", args=[credential.pk])


def test_a_json_reveal_answers_the_login_and_the_password(admin_as, credential):
    response = admin_as(Role.STAFF).post(reveal(credential), **JSON)

    assert response.status_code == 200
    assert response.json() == {"login": "acme-login", "password": SECRET}


def test_a_json_reveal_is_recorded_as_an_access_event(admin_as, credential):
    staff = admin_as(Role.STAFF)

    staff.post(reveal(credential), REMOTE_ADDR="192.0.2.7", **JSON)

    event = PasswordAccessEvent.objects.get()
    assert (event.user, event.credential, event.reason, event.ip) == (
        staff.user,
        credential,
        AccessReason.ADMIN_REVEAL,
        "192.0.2.7",
    )


def test_a_json_reveal_is_not_to_be_stored(admin_as, credential):
    response = admin_as(Role.STAFF).post(reveal(credential), **JSON)

    assert "no-store" in response["Cache-Control"]


def test_a_json_reveal_of_a_linked_credential_answers_the_collective_login(
    admin_as, acme, collective_credential
):
    linked = CredentialFactory(
        client=acme,
        country=country("NL"),
        pro=pro("NL", "Stichting OPEN"),
        login="",
        password="",
        collective_account=collective_credential,
    )

    response = admin_as(Role.STAFF).post(reveal(linked), **JSON)

    assert response.json() == {"login": "collective@example.com", "password": "collective-pw-1"}


def test_a_json_reveal_needs_the_csrf_token(client, organization, credential):
    membership = MembershipFactory(organization=organization, role=Role.STAFF)
    client.handler.enforce_csrf_checks = True
    client.force_login(membership.user)

    response = client.post(reveal(credential), **JSON)

    assert response.status_code == 403
    assert not PasswordAccessEvent.objects.exists()


def test_a_viewer_json_reveal_is_refused_and_not_recorded(admin_as, credential):
    response = admin_as(Role.VIEWER).post(reveal(credential), **JSON)

    assert response.status_code == 403
    assert not PasswordAccessEvent.objects.exists()


def test_a_json_reveal_of_another_organizations_credential_answers_404(
    admin_as, credential, other_organization
):
    response = admin_as(Role.STAFF, org=other_organization).post(reveal(credential), **JSON)

    assert response.status_code == 404
    assert not PasswordAccessEvent.objects.exists()


def test_a_form_post_without_javascript_still_gets_the_reveal_page(admin_as, credential):
    response = admin_as(Role.STAFF).post(
        reveal(credential), HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8"
    )

    assert response["Content-Type"].startswith("text/html")
    assert 'id="revealed-password"' in response.content.decode()


def test_the_credential_page_offers_staff_the_in_place_reveal(admin_as, credential):
    page = admin_as(Role.STAFF).get(change(credential)).content.decode()

    assert f'data-reveal-url="{reveal(credential)}"' in page
    assert SECRET not in page


def test_viewers_see_no_reveal_button_on_the_credential_page(admin_as, credential):
    page = admin_as(Role.VIEWER).get(change(credential)).content.decode()

    assert reveal(credential) not in page
    assert "credential-reveal" not in page


def test_viewers_see_no_reveal_button_on_the_client_page(admin_as, acme, credential):
    page = admin_as(Role.VIEWER).get(reverse("admin:clients_client_change", args=[acme.pk]))

    assert reveal(credential) not in page.content.decode()


def render_control(credential, user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return render_to_string(
        "admin/credentials/_reveal_control.html", {"credential": credential}, request=request
    )


def test_the_reveal_include_offers_staff_the_control_with_the_csrf_token(credential):
    staff = MembershipFactory(organization=credential.client.organization, role=Role.STAFF).user

    html = render_control(credential, staff)

    assert f'data-reveal-url="{reveal(credential)}"' in html
    assert "data-csrf-token=" in html
    assert SECRET not in html


def test_the_reveal_include_shows_viewers_the_mask_only(credential):
    viewer = MembershipFactory(organization=credential.client.organization, role=Role.VIEWER).user

    assert render_control(credential, viewer).strip() == "***"


def test_the_reveal_include_shows_members_of_another_organization_the_mask_only(
    credential, other_organization
):
    stranger = MembershipFactory(organization=other_organization, role=Role.STAFF).user

    assert "credential-reveal" not in render_control(credential, stranger)


def test_the_reveal_include_shows_a_dash_without_a_password(acme):
    credential = CredentialFactory(client=acme, password="")
    staff = MembershipFactory(organization=acme.organization, role=Role.STAFF).user

    assert render_control(credential, staff).strip() == "—"
