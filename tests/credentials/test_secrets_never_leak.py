"""A distinctive password goes through every door; afterwards it is nowhere it should not be."""

import io
import logging
import zipfile

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse

from clients.models import Role
from credentials.models import (
    ClientImport,
    Credential,
    CredentialPasswordHistory,
    PasswordAccessEvent,
)
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


# A file whose mapping is off: a password lands under another field, through every import door.

MISALIGNED = "Mq4-MISALIGNED-CANARY-Jd8"
MISALIGNED_NEEDLE = "MISALIGNED-CANARY"
ALIGNED_MAPPING = [
    "name",
    "country",
    "report_type",
    "pro",
    "login",
    "password",
    "registration_number",
]
ALIGNED_ROW = [
    "Misaligned GmbH",
    "DE",
    "WEEE",
    "Stiftung EAR",
    "mis@example.com",
    MISALIGNED,
    "REG-1",
]
# The fields a password may land under that check their cells (free text such as notes or a
# login would be stored as given: there a misaligned password cannot be told from a note).
CHECKED_FIELDS = [
    "credential_status",
    "status",
    "country",
    "interval",
    "report_type",
    "pro",
    "shared",
    "id",
]


def misaligned_mapping(target: str) -> list[str]:
    """The aligned mapping with the password's column named `target` (the password mapped
    elsewhere, as a shifted mapping does)."""
    mapping = list(ALIGNED_MAPPING)
    password = mapping.index("password")
    if target in mapping:
        mapping[mapping.index(target)] = "password"
    else:
        mapping[password + 1] = "password"
    mapping[password] = target
    return mapping


def csv_text(rows) -> str:
    return "".join(",".join(row) + "\n" for row in rows)


@pytest.fixture(params=CHECKED_FIELDS)
def misaligned_imports(request, staff_api, organization, tmp_path):
    """The misaligned file through the API (preview, execute, atomic execute), the admin
    (upload, confirm, the import records' pages, a file without its header row) and
    `manage.py import_clients` (with and without --dry-run, without a header row); answers the
    texts each door showed."""
    from django.core.management import CommandError, call_command
    from django.test import Client as Browser

    from credentials.import_uploads import PendingImportStorage

    target = request.param
    mapping = misaligned_mapping(target)
    texts: dict[str, str] = {}

    body = {"csvData": [mapping, ALIGNED_ROW], "mapping": mapping}
    for name, url, extra in [
        ("API preview", "/logins/clients/bulk-upload/preview", {}),
        ("API execute", "/logins/clients/bulk-upload", {}),
        ("API atomic execute", "/logins/clients/bulk-upload", {"atomic": True}),
    ]:
        response = staff_api.post(url, body | extra, format="json")
        assert response.status_code in (200, 400), name
        texts[name] = response.content.decode()

    membership = MembershipFactory(organization=organization, role=Role.ADMIN)
    browser = Browser()
    browser.force_login(membership.user)
    import_url = reverse("admin:clients_client_import")
    for name, content in [
        ("admin upload", csv_text([mapping, ALIGNED_ROW])),
        ("admin upload without a header row", csv_text([ALIGNED_ROW])),
    ]:
        response = browser.post(
            import_url,
            {
                "import_file": SimpleUploadedFile("clients.csv", content.encode()),
                "format": "0",
                "resource": "0",
            },
        )
        assert response.status_code == 200, name
        assert "confirm_form" not in response.context, name
        texts[name] = response.content.decode()
    # A confirmation of the same file (as if the rows had changed since its preview).
    storage = PendingImportStorage(user=membership.user, organization=organization)
    storage.save(csv_text([mapping, ALIGNED_ROW]).encode())
    confirmed = browser.post(
        reverse("admin:clients_client_process_import"),
        {
            "import_file_name": storage.name,
            "original_file_name": "clients.csv",
            "format": "0",
            "resource": "0",
        },
        follow=True,
    )
    assert "Nothing was imported" in confirmed.content.decode()
    texts["admin confirm"] = confirmed.content.decode()

    path = tmp_path / "clients.csv"
    for name, content, options in [
        ("command", csv_text([mapping, ALIGNED_ROW]), []),
        ("command --dry-run", csv_text([mapping, ALIGNED_ROW]), ["--dry-run"]),
        ("command without a header row", csv_text([ALIGNED_ROW]), []),
    ]:
        path.write_text(content)
        out, err = io.StringIO(), io.StringIO()
        with pytest.raises(CommandError) as refused:
            call_command(
                "import_clients",
                str(path),
                "--organization",
                organization.name,
                *options,
                stdout=out,
                stderr=err,
            )
        texts[name] = "\n".join([out.getvalue(), err.getvalue(), str(refused.value)])

    records = ClientImport.objects.filter(organization=organization)
    assert records.count() == 4  # API execute twice, admin confirm, command
    assert all(record.errors == 1 and record.created == 0 for record in records)
    texts["import records list"] = browser.get(
        reverse("admin:credentials_clientimport_changelist")
    ).content.decode()
    for record in records:
        texts[f"import record {record.pk}"] = browser.get(
            reverse("admin:credentials_clientimport_change", args=[record.pk])
        ).content.decode()
    return {"target": target, "texts": texts, "records": records}


def test_a_misaligned_password_is_reported_by_field_without_its_value(misaligned_imports):
    target = misaligned_imports["target"]
    for record in misaligned_imports["records"]:
        assert target in {error["field"] for error in record.row_errors}


def test_no_import_door_shows_a_misaligned_password(misaligned_imports):
    for where, text in misaligned_imports["texts"].items():
        assert MISALIGNED_NEEDLE not in text, f"a misaligned password leaked into the {where}"


def test_no_table_holds_a_misaligned_password_in_plaintext(misaligned_imports):
    for table, cell in every_cell_of_every_table():
        text = bytes(cell).decode("latin-1") if isinstance(cell, bytes | memoryview) else str(cell)
        assert MISALIGNED_NEEDLE not in text, f"a misaligned password leaked into table {table}"


def test_no_log_line_holds_a_misaligned_password(logs, misaligned_imports):
    text = "\n".join(record.getMessage() for record in logs.get_records("setup"))

    assert "credentials_clientimport" in text
    assert MISALIGNED_NEEDLE not in text
