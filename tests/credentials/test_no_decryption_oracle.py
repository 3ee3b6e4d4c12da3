"""No door decrypts what a request sends.

Another organization's stored ciphertext (the raw column of its credential), sent as a password
through each door that takes one, is stored as the literal text that was sent: the server's key
never turns request input into a plaintext, and nothing of the other organization's password
comes back.
"""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from clients.models import Role
from credentials.models import Credential, PasswordAccessEvent
from credentials.services import credential_create
from tests.factories import ClientFactory, CredentialFactory, MembershipFactory, country, pro
from tests.factories import report_type as report_type_of

pytestmark = pytest.mark.django_db

RIVAL_PASSWORD = "Rival-Plain-Secret-4242"


def raw_password(credential: Credential) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT password FROM {Credential._meta.db_table} WHERE id = %s", [credential.pk]
        )
        return cursor.fetchone()[0]


@pytest.fixture
def rival_token(other_organization) -> str:
    """The ciphertext another organization's credential is stored as."""
    rival = CredentialFactory(
        client=ClientFactory(organization=other_organization, name="Rival Client"),
        password=RIVAL_PASSWORD,
    )
    token = raw_password(rival)
    assert token.startswith("gAAAAA") and RIVAL_PASSWORD not in token
    return token


def assert_no_rival_plaintext(content: bytes | str) -> None:
    text = content.decode() if isinstance(content, bytes) else content
    assert RIVAL_PASSWORD not in text


def stored_for(client) -> Credential:
    return Credential.objects.get(client=client)


# The service every door ends in


def test_the_service_stores_another_organizations_token_as_its_literal_text(acme, rival_token):
    credential_create(
        client=acme, country="DE", pro="Stiftung EAR", report_types="WEEE", password=rival_token
    )

    assert stored_for(acme).password == rival_token


# API create and update


def test_api_create_with_another_organizations_token_stores_and_returns_the_token(
    staff_api, acme, rival_token
):
    response = staff_api.post(
        f"/logins/clients/{acme.pk}/credentials/DE",
        {"report_types": "WEEE", "pro": "Stiftung EAR", "password": rival_token},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["password"] == rival_token
    assert_no_rival_plaintext(response.content)
    assert stored_for(acme).password == rival_token


def test_api_update_with_another_organizations_token_stores_and_returns_the_token(
    staff_api, acme, rival_token
):
    credential = CredentialFactory(client=acme, password="own-password")

    response = staff_api.put(
        f"/logins/clients/{acme.pk}/credentials/DE/{credential.pk}",
        {"password": rival_token},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["password"] == rival_token
    assert_no_rival_plaintext(response.content)
    assert stored_for(acme).password == rival_token


def test_reading_back_a_token_stored_as_a_password_returns_the_token(staff_api, acme, rival_token):
    staff_api.post(
        f"/logins/clients/{acme.pk}/credentials/DE",
        {"report_types": "WEEE", "pro": "Stiftung EAR", "password": rival_token},
        format="json",
    )

    response = staff_api.get(f"/logins/clients/{acme.pk}/credentials/DE")

    assert [row["password"] for row in response.json()] == [rival_token]
    assert_no_rival_plaintext(response.content)


# Bulk upload (API) and import_clients


def test_bulk_upload_with_another_organizations_token_stores_the_token(
    staff_api, organization, rival_token
):
    response = staff_api.post(
        "/logins/clients/bulk-upload",
        {
            "csvData": [
                ["name", "country", "report_type", "pro", "password"],
                ["Uploaded Co", "DE", "WEEE", "Stiftung EAR", rival_token],
            ],
            "mapping": ["name", "country", "report_type", "pro", "password"],
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert_no_rival_plaintext(response.content)
    uploaded = organization.clients.get(name="Uploaded Co")
    assert stored_for(uploaded).password == rival_token


def test_bulk_upload_preview_of_another_organizations_token_shows_only_the_mask(
    staff_api, rival_token
):
    response = staff_api.post(
        "/logins/clients/bulk-upload/preview",
        {
            "csvData": [
                ["name", "country", "report_type", "pro", "password"],
                ["Uploaded Co", "DE", "WEEE", "Stiftung EAR", rival_token],
            ],
            "mapping": ["name", "country", "report_type", "pro", "password"],
        },
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["sample_data"][0]["password"] == "***"
    assert_no_rival_plaintext(response.content)


def test_import_clients_command_with_another_organizations_token_stores_the_token(
    tmp_path, organization, rival_token
):
    path = tmp_path / "clients.csv"
    path.write_text(
        f"name,country,report_type,pro,password\nCommand Co,DE,WEEE,Stiftung EAR,{rival_token}\n"
    )
    out, err = io.StringIO(), io.StringIO()

    call_command(
        "import_clients", str(path), "--organization", organization.name, stdout=out, stderr=err
    )

    assert_no_rival_plaintext(out.getvalue() + err.getvalue())
    imported = organization.clients.get(name="Command Co")
    assert stored_for(imported).password == rival_token


# Admin


@pytest.fixture
def staff_browser(client, organization):
    client.force_login(MembershipFactory(organization=organization, role=Role.STAFF).user)
    return client


def admin_form(**overrides) -> dict:
    return {
        "country": str(country("DE").pk),
        "pro": str(pro("DE", "Stiftung EAR").pk),
        "report_type_choices": [str(report_type_of("WEEE").pk)],
        "status": "active",
        "interval": "",
        "collective_account": "",
        "login": "form-login",
        "new_password": "",
        "registration_number": "",
        "notes": "",
        "extra_info": "null",
        "password_history-TOTAL_FORMS": "0",
        "password_history-INITIAL_FORMS": "0",
    } | overrides


def test_admin_add_form_with_another_organizations_token_stores_the_token(
    staff_browser, acme, rival_token
):
    response = staff_browser.post(
        reverse("admin:credentials_credential_add"),
        admin_form(client=str(acme.pk), new_password=rival_token),
        follow=True,
    )

    assert response.status_code == 200
    assert_no_rival_plaintext(response.content)
    assert stored_for(acme).password == rival_token


def test_admin_change_form_with_another_organizations_token_stores_the_token(
    staff_browser, acme, rival_token
):
    credential = CredentialFactory(client=acme, password="own-password")

    response = staff_browser.post(
        reverse("admin:credentials_credential_change", args=[credential.pk]),
        admin_form(new_password=rival_token),
        follow=True,
    )

    assert response.status_code == 200
    assert_no_rival_plaintext(response.content)
    assert stored_for(acme).password == rival_token


def test_admin_reveal_of_a_stored_token_shows_the_token_not_the_rival_password(
    staff_browser, acme, rival_token
):
    credential = CredentialFactory(client=acme, password=rival_token)

    response = staff_browser.post(
        reverse("admin:credentials_credential_reveal", args=[credential.pk])
    )

    assert rival_token in response.content.decode()
    assert_no_rival_plaintext(response.content)
    assert PasswordAccessEvent.objects.get().credential == credential


def test_admin_csv_import_with_another_organizations_token_stores_the_token(
    staff_browser, organization, rival_token
):
    content = (
        f"name,country,report_type,pro,password\nAdmin Co,DE,WEEE,Stiftung EAR,{rival_token}\n"
    )
    preview = staff_browser.post(
        reverse("admin:clients_client_import"),
        {
            "import_file": SimpleUploadedFile("clients.csv", content.encode()),
            "format": "0",
            "resource": "0",
        },
    )
    assert_no_rival_plaintext(preview.content)

    confirmed = staff_browser.post(
        reverse("admin:clients_client_process_import"),
        {**preview.context["confirm_form"].initial, "confirm": "Confirm import"},
        follow=True,
    )

    assert_no_rival_plaintext(confirmed.content)
    assert stored_for(organization.clients.get(name="Admin Co")).password == rival_token
