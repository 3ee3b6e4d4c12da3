"""A distinctive password goes through every door; afterwards it is nowhere it should not be."""

import io
import logging
import zipfile

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db import connection
from django.urls import reverse

from clients.models import Role
from credentials.models import Credential, CredentialPasswordHistory, PasswordAccessEvent
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Zq7-LEAK-CANARY-Xx91"
NEXT_PASSWORD = "Wv3-LEAK-CANARY-Yy42"
COLLECTIVE_PASSWORD = "Kp5-LEAK-CANARY-Cc07"
NEEDLES = ("LEAK-CANARY",)


def assert_no_secret(text: str, where: str) -> None:
    for needle in NEEDLES:
        assert needle not in text, f"a plaintext password leaked into {where}"


def every_cell_of_every_table():
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            for row in cursor.fetchall():
                for cell in row:
                    yield table, cell


@pytest.fixture
def logs(caplog):
    """Everything logged at DEBUG, SQL with its parameters included."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    connection.force_debug_cursor = True
    yield caplog
    connection.force_debug_cursor = False


@pytest.fixture
def scenario(logs, staff_api, acme, collective_client):
    """Credentials created, changed and misused through the API by staff."""
    url = f"/logins/clients/{acme.pk}/credentials"
    body = {
        "report_types": "WEEE",
        "pro": "Stiftung EAR",
        "login": "leak@example.com",
        "password": PASSWORD,
    }
    created = staff_api.post(f"{url}/DE", body, format="json").json()
    staff_api.put(f"{url}/DE/{created['id']}", {"password": NEXT_PASSWORD}, format="json")
    collective = staff_api.post(
        f"/logins/clients/{collective_client.pk}/credentials/NL",
        {
            "report_types": "WEEE",
            "pro": "Stichting OPEN",
            "login": "c@example.com",
            "password": COLLECTIVE_PASSWORD,
        },
        format="json",
    ).json()
    linked = staff_api.post(
        f"{url}/NL",
        {
            "report_types": "WEEE",
            "pro": "Stichting OPEN",
            "collective_account_id": collective["id"],
        },
        format="json",
    ).json()
    staff_api.get(f"{url}/DE")
    staff_api.get(f"{url}/NL")
    errors = [
        staff_api.post(f"{url}/DE", body | {"pro": "Citeo"}, format="json"),
        staff_api.post(f"{url}/DE", body | {"report_types": "Plastics"}, format="json"),
        staff_api.post(f"{url}/DE", body | {"extra_info": [PASSWORD]}, format="json"),
        staff_api.post(f"{url}/DE", body | {"login": "x" * 10_000}, format="json"),
        staff_api.post(f"{url}/DE", body, format="json"),
        staff_api.post(f"{url}/XX", body, format="json"),
        staff_api.put(f"{url}/NL/{linked['id']}", {"password": PASSWORD}, format="json"),
        staff_api.delete(
            f"/logins/clients/{collective_client.pk}/credentials/NL/{collective['id']}"
        ),
    ]
    assert all(400 <= response.status_code < 500 for response in errors)
    return {"acme": acme, "credential": Credential.objects.get(pk=created["id"]), "errors": errors}


def test_no_table_holds_a_plaintext_password(scenario):
    for table, cell in every_cell_of_every_table():
        assert_no_secret(str(cell), f"table {table}")


def test_the_stored_passwords_are_still_readable(scenario):
    credential = scenario["credential"]

    assert credential.password == NEXT_PASSWORD
    assert CredentialPasswordHistory.objects.get(credential=credential).password == PASSWORD


def test_no_log_line_holds_a_plaintext_password(scenario, logs):
    text = "\n".join(record.getMessage() for record in logs.get_records("setup"))

    assert 'INSERT INTO "credentials_credential"' in text
    assert "Bad Request" in text
    assert_no_secret(text, "the logs")


def test_no_error_response_holds_a_plaintext_password(scenario):
    for response in scenario["errors"]:
        assert_no_secret(response.content.decode(), f"a {response.status_code} response")


def test_masked_routes_hold_no_plaintext_password(scenario, staff_api, viewer_api):
    acme = scenario["acme"]
    responses = [
        staff_api.get(f"/logins/clients/{acme.pk}/credentials/search", {"showMissing": "true"}),
        viewer_api.get(f"/logins/clients/{acme.pk}/credentials/DE"),
        viewer_api.get(f"/logins/clients/{acme.pk}/credentials/NL"),
        staff_api.get("/logins/clients/collective-accounts"),
    ]

    for response in responses:
        assert response.status_code == 200
        assert_no_secret(response.content.decode(), response.request["PATH_INFO"])


def test_admin_pages_and_exports_hold_no_plaintext_password(scenario, client, organization):
    membership = MembershipFactory(organization=organization, role=Role.ADMIN)
    membership.user.user_permissions.add(Permission.objects.get(codename="reveal_password_history"))
    client.force_login(membership.user)
    credential = scenario["credential"]
    version = credential.history.earliest("history_date")
    pages = [
        reverse("admin:credentials_credential_changelist"),
        reverse("admin:credentials_credential_change", args=[credential.pk]),
        reverse("admin:credentials_credential_history", args=[credential.pk]),
        reverse(
            "admin:credentials_credential_simple_history", args=[credential.pk, version.history_id]
        ),
        reverse("admin:credentials_credential_reveal", args=[credential.pk]),
        reverse("admin:credentials_collectiveaccount_changelist"),
        reverse("admin:credentials_passwordaccessevent_changelist"),
        reverse("admin:clients_client_change", args=[scenario["acme"].pk]),
        reverse("admin:clients_client_history", args=[scenario["acme"].pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert_no_secret(response.content.decode(), url)

    formats = admin.site._registry[PasswordAccessEvent].get_export_formats()
    for index, file_format in enumerate(formats):
        export = client.post(
            reverse("admin:credentials_passwordaccessevent_export"), {"format": str(index)}
        )
        assert export.status_code == 200
        assert b"ABC Corporation" in readable_bytes(export.content), file_format
        assert_no_secret(
            readable_bytes(export.content).decode("utf-8", "replace"), f"the {file_format} export"
        )


def readable_bytes(content: bytes) -> bytes:
    """The file's bytes, unzipped when it is a zip (XLSX, ODS)."""
    if not content.startswith(b"PK"):
        return content
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return b"".join(archive.read(name) for name in archive.namelist())
