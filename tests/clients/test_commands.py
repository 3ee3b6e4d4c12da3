import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from clients.models import ApiKey, Membership, Organization, Role
from clients.services import client_organization_invite
from tests.factories import ClientFactory, MembershipFactory


def last_line(output: str) -> str:
    return output.strip().splitlines()[-1]


@pytest.mark.django_db
def test_create_org_user_creates_the_organization_and_prints_a_working_token(capsys):
    call_command(
        "create_org_user", "Nordic EPR", "anna", "--role", "viewer", "--password", "pw-1234!"
    )

    token = last_line(capsys.readouterr().out)
    membership = Membership.objects.get(user__username="anna")
    assert (membership.organization.name, membership.role) == ("Nordic EPR", "viewer")
    assert membership.user.check_password("pw-1234!")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/logins/report_types").status_code == 200


@pytest.mark.django_db
def test_create_org_user_refuses_a_user_of_another_organization(capsys):
    call_command("create_org_user", "Nordic EPR", "anna")

    with pytest.raises(CommandError, match="already belongs to Nordic EPR"):
        call_command("create_org_user", "Other Agency", "anna")
    assert not Organization.objects.filter(name="Other Agency").exists()


@pytest.mark.django_db
def test_create_org_user_refuses_a_weak_password_with_the_validators_messages():
    with pytest.raises(CommandError) as refused:
        call_command("create_org_user", "Nordic EPR", "anna", "--password", "123")

    assert str(refused.value) == (
        "The password is refused: This password is too short. It must contain at least 8 "
        "characters. This password is too common. This password is entirely numeric."
    )
    assert not get_user_model().objects.filter(username="anna").exists()
    assert not Organization.objects.filter(name="Nordic EPR").exists()


@pytest.mark.django_db
def test_create_org_user_refuses_a_password_too_like_the_username():
    with pytest.raises(CommandError, match="too similar to the username"):
        call_command("create_org_user", "Nordic EPR", "annabelle.x", "--password", "annabelle.x1")

    assert not get_user_model().objects.filter(username="annabelle.x").exists()


@pytest.mark.django_db
def test_create_org_user_keeps_an_existing_users_password_when_the_new_one_is_weak():
    call_command("create_org_user", "Nordic EPR", "anna", "--password", "pw-1234!")

    with pytest.raises(CommandError, match="too common"):
        call_command("create_org_user", "Nordic EPR", "anna", "--password", "password")

    assert get_user_model().objects.get(username="anna").check_password("pw-1234!")


@pytest.mark.django_db
def test_create_api_key_prints_the_key_once_and_stores_its_digest(organization, capsys):
    call_command("create_api_key", "acme compliance", "Bubble")

    raw_key = last_line(capsys.readouterr().out)
    assert ApiKey.objects.get(key_hash=ApiKey.hash_key(raw_key)).organization == organization


@pytest.mark.django_db
def test_create_api_key_for_an_unknown_organization_fails():
    with pytest.raises(CommandError, match="No organization called 'Nobody'"):
        call_command("create_api_key", "Nobody", "Bubble")


@pytest.mark.django_db
def test_seed_demo_refuses_to_run_with_debug_off_and_creates_nothing(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="runs only with DEBUG=1"):
        call_command("seed_demo")

    assert not Organization.objects.filter(name="Demo Agency").exists()
    assert not get_user_model().objects.filter(username="demo").exists()


@pytest.mark.django_db
def test_seed_demo_runs_with_debug_off_when_production_is_allowed(settings):
    settings.DEBUG = False

    call_command("seed_demo", "--allow-production", stdout=io.StringIO())

    assert get_user_model().objects.get(username="demo").is_superuser


@pytest.mark.django_db
def test_seed_demo_can_run_twice_and_prints_how_to_log_in(capsys, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")

    output = capsys.readouterr().out
    assert Organization.objects.filter(name="Demo Agency").count() == 1
    assert "/admin/" in output and "API token:" in output and "API key:" in output
    assert ApiKey.objects.filter(organization__name="Demo Agency", revoked=False).count() == 1


@pytest.mark.django_db
def test_create_org_user_refuses_an_organization_name_over_255_characters():
    with pytest.raises(CommandError, match="at most 255 characters"):
        call_command("create_org_user", "x" * 256, "anna")

    assert not Organization.objects.exists()
    assert not Membership.objects.exists()


@pytest.mark.django_db
def test_create_api_key_refuses_a_name_over_100_characters(organization):
    with pytest.raises(CommandError, match="at most 100 characters"):
        call_command("create_api_key", organization.name, "x" * 101)

    assert not ApiKey.objects.exists()


def test_create_client_organization_creates_the_clients_own_organization(organization, capsys):
    mine = ClientFactory(organization=organization, name="Mine SAS")

    call_command("create_client_organization", "acme compliance", str(mine.pk))

    mine.refresh_from_db()
    assert mine.client_organization.name == "Mine SAS"
    assert "Mine SAS" in capsys.readouterr().out


@pytest.mark.django_db
def test_create_client_organization_refuses_another_agencys_client(
    organization, other_organization
):
    theirs = ClientFactory(organization=other_organization)

    with pytest.raises(CommandError, match="has no client"):
        call_command("create_client_organization", "acme compliance", str(theirs.pk))

    theirs.refresh_from_db()
    assert theirs.client_organization is None


@pytest.mark.django_db
def test_accept_client_organization_invitation_makes_the_admins_organization_the_client(
    organization, other_organization
):
    mine = ClientFactory(organization=organization)
    _, token = client_organization_invite(client=mine)
    their_admin = MembershipFactory(organization=other_organization, role=Role.ADMIN).user

    call_command(
        "accept_client_organization_invitation", their_admin.username, token, stdout=io.StringIO()
    )

    mine.refresh_from_db()
    assert mine.client_organization == other_organization


@pytest.mark.django_db
def test_accept_client_organization_invitation_refuses_a_staff_member(
    organization, other_organization
):
    mine = ClientFactory(organization=organization)
    _, token = client_organization_invite(client=mine)
    staff = MembershipFactory(organization=other_organization, role=Role.STAFF).user

    with pytest.raises(CommandError, match="Only an admin"):
        call_command("accept_client_organization_invitation", staff.username, token)

    mine.refresh_from_db()
    assert mine.client_organization is None
