import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from clients.models import ApiKey, Membership, Organization


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
def test_create_api_key_prints_the_key_once_and_stores_its_digest(organization, capsys):
    call_command("create_api_key", "acme compliance", "Bubble")

    raw_key = last_line(capsys.readouterr().out)
    assert ApiKey.objects.get(key_hash=ApiKey.hash_key(raw_key)).organization == organization


@pytest.mark.django_db
def test_create_api_key_for_an_unknown_organization_fails():
    with pytest.raises(CommandError, match="No organization called 'Nobody'"):
        call_command("create_api_key", "Nobody", "Bubble")


@pytest.mark.django_db
def test_seed_demo_can_run_twice_and_prints_how_to_log_in(capsys):
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
