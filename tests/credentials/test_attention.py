import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from clients.models import Role
from credentials.models import Credential, CredentialPasswordHistory
from tests.factories import ClientFactory, CredentialFactory, MembershipFactory, pro

pytestmark = pytest.mark.django_db

URL = "/logins/credentials/attention"


def aged(credential, days: int) -> None:
    Credential.objects.filter(pk=credential.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=days)
    )


def test_invalid_and_pending_credentials_need_attention(staff_api, organization):
    client = ClientFactory(organization=organization, name="Alpha")
    invalid = CredentialFactory(client=client, status="invalid")
    CredentialFactory(client=ClientFactory(organization=organization), status="active")

    rows = staff_api.get(URL).json()["results"]

    assert [(r["id"], r["reasons"]) for r in rows] == [(invalid.pk, ["invalid"])]


def test_passwords_are_always_masked(staff_api, organization):
    credential = CredentialFactory(
        client=ClientFactory(organization=organization), status="pending"
    )

    response = staff_api.get(URL)

    assert response.json()["results"][0]["password"] == "***"
    assert credential.password not in response.content.decode()


def test_age_alone_needs_no_attention_by_default(staff_api, organization):
    aged(CredentialFactory(client=ClientFactory(organization=organization)), 2000)

    assert staff_api.get(URL).json()["count"] == 0


def test_a_password_older_than_the_pros_maximum_needs_attention(staff_api, organization):
    ear = pro("DE", "Stiftung EAR")
    ear.password_max_age_days = 90
    ear.save()
    old = CredentialFactory(client=ClientFactory(organization=organization))
    aged(old, 91)
    aged(CredentialFactory(client=ClientFactory(organization=organization)), 89)

    rows = staff_api.get(URL).json()["results"]

    assert [(r["id"], r["reasons"]) for r in rows] == [(old.pk, ["password_age"])]


def test_a_recent_password_change_resets_the_age(staff_api, organization, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 30
    credential = CredentialFactory(client=ClientFactory(organization=organization))
    aged(credential, 400)
    CredentialPasswordHistory.objects.create(
        credential=credential,
        password="old",
        changed_at=timezone.now() - datetime.timedelta(days=2),
    )

    assert staff_api.get(URL).json()["count"] == 0


def test_the_default_maximum_applies_to_pros_without_their_own(staff_api, organization, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 30
    credential = CredentialFactory(client=ClientFactory(organization=organization))
    aged(credential, 31)

    assert [r["id"] for r in staff_api.get(URL).json()["results"]] == [credential.pk]


def test_another_organizations_credentials_are_never_listed(staff_api, other_organization):
    CredentialFactory(client=ClientFactory(organization=other_organization), status="invalid")

    assert staff_api.get(URL).json()["count"] == 0


def test_a_viewer_reads_the_list(viewer_api, organization):
    CredentialFactory(client=ClientFactory(organization=organization), status="invalid")

    assert viewer_api.get(URL).json()["count"] == 1


def test_an_anonymous_request_is_refused(anonymous_api):
    assert anonymous_api.get(URL).status_code == 401


def test_the_admin_filters_credentials_that_need_attention(client, organization):
    membership = MembershipFactory(organization=organization, role=Role.STAFF)
    client.force_login(membership.user)
    CredentialFactory(
        client=ClientFactory(organization=organization, name="Broken GmbH"), status="invalid"
    )
    CredentialFactory(client=ClientFactory(organization=organization, name="Fine GmbH"))

    page = client.get(
        reverse("admin:credentials_credential_changelist"), {"attention": "yes"}
    ).content.decode()

    assert "Broken GmbH" in page
    assert "Fine GmbH" not in page
