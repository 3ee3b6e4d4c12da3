"""The client admin's import of spreadsheets from anywhere: formats, the mapping staff may
change, the preview's totals, inline errors and cap, partial or all-or-nothing confirmation,
and the rejected rows to download."""

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clients.models import Client, Role
from credentials.models import ClientImport, Credential
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:clients_client_import")
MAPPING = reverse("admin:clients_client_import_mapping")
CONFIRM = reverse("admin:clients_client_process_import")
GERMAN = (
    "Firma;Status;Land;Berichtsart;System;Benutzername;Passwort\r\n"
    "Müller GmbH;active;DE;WEEE;Stiftung EAR;mueller@example.com;Geh3im-Wört\r\n"
    "Société Générale;inactive;FR;;;;\r\n"
    "Größe AG;onboarding;AT;;;;\r\n"
)


@pytest.fixture
def browser_for(client, organization):
    def login(role=Role.STAFF, org=None):
        membership = MembershipFactory(organization=org or organization, role=role)
        client.force_login(membership.user)
        client.user = membership.user
        return client

    return login


@pytest.fixture
def staff_browser(browser_for):
    return browser_for(Role.STAFF)


def upload(browser, content: bytes, name="clients.csv"):
    return browser.post(
        IMPORT, {"import_file": SimpleUploadedFile(name, content), "format": "0", "resource": "0"}
    )


def confirm(browser, preview, **changes):
    initial = preview.context["confirm_form"].initial
    return browser.post(CONFIRM, {**initial, **changes, "confirm": "Confirm import"}, follow=True)


def remap(browser, preview, **columns):
    form = preview.context["mapping_form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    return browser.post(MAPPING, {**data, **columns})


def xlsx(*rows) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def names(organization) -> set[str]:
    return set(organization.clients.values_list("name", flat=True))


@pytest.mark.parametrize(
    ("content", "described"),
    [
        (GERMAN.encode("cp1252"), "Semicolon-separated, Windows-1252"),
        (GERMAN.replace(";", "\t").encode("utf-8"), "Tab-separated, UTF-8"),
        (GERMAN.encode("utf-8-sig"), "Semicolon-separated, UTF-8 with byte-order mark"),
        (GERMAN.encode("utf-16"), "Semicolon-separated, UTF-16"),
    ],
    ids=["semicolon cp1252", "tab", "bom", "utf-16"],
)
def test_a_text_file_is_previewed_saying_what_was_detected(staff_browser, content, described):
    response = upload(staff_browser, content)

    assert response.status_code == 200
    assert described in response.content.decode()
    rows = response.context["preview_rows"]
    assert [row["type"] for row in rows] == ["new", "new", "new"]
    assert "Société Générale" in response.content.decode()
    assert not Client.objects.exists()


def test_a_semicolon_cp1252_file_with_a_german_header_imports_on_confirm(
    staff_browser, organization
):
    preview = upload(staff_browser, GERMAN.encode("cp1252"))

    confirm(staff_browser, preview)

    assert names(organization) == {"Müller GmbH", "Société Générale", "Größe AG"}
    assert Credential.objects.get(login="mueller@example.com").password == "Geh3im-Wört"
    assert Client.objects.get(name="Größe AG").obligations.get().country.code == "AT"


def test_an_xlsx_workbook_imports(staff_browser, organization):
    content = xlsx(["Company", "Status", "Land"], ["Acme GmbH", "onboarding", "DE"])

    preview = upload(staff_browser, content, name="clients.xlsx")
    confirm(staff_browser, preview)

    assert "Excel workbook (XLSX)" in preview.content.decode()
    assert Client.objects.get(organization=organization).status == "onboarding"


def test_the_detected_mapping_is_shown_as_a_select_per_column(staff_browser):
    response = upload(staff_browser, b"Unternehmen,Colour,Land\nAcme,red,DE\n")

    form = response.context["mapping_form"]
    assert [form.initial[f"column_{i}"] for i in range(3)] == ["name", "", "country"]
    assert [field.label for field in form.column_fields()] == ["Unternehmen", "Colour", "Land"]


def test_staff_may_change_the_mapping_and_the_preview_follows(staff_browser, organization):
    preview = upload(staff_browser, b"Kunde Name,Land,Bemerkung\nAcme GmbH,DE,call back\n")
    assert preview.context["result"].base_errors  # no column is the name yet

    remapped = remap(staff_browser, preview, column_0="name", column_2="notes")
    confirm(staff_browser, remapped)

    assert remapped.context["report"].valid_rows == 1
    assert Client.objects.get(organization=organization).notes == "call back"


def test_a_mapping_of_another_users_upload_is_gone(staff_browser, browser_for, client):
    preview = upload(staff_browser, GERMAN.encode("cp1252"))
    form = preview.context["mapping_form"]
    data = {name: form.initial.get(name, "") for name in form.fields}
    browser_for(Role.STAFF)  # another user of the organization logs in

    response = client.post(MAPPING, data)

    assert response.status_code == 302
    assert response.url == IMPORT


def test_the_preview_shows_totals_and_every_error_inline_with_its_row(staff_browser):
    content = GERMAN + "Broken SA;paused;XX;;;;\r\n"

    response = upload(staff_browser, content.encode("cp1252"))

    assert response.context["totals"] == [
        ("Would create", 3, "clients"),
        ("Would update", 0, "clients"),
        ("Valid", 3, "rows"),
        ("Invalid", 1, "rows"),
        ("Warnings", 0, ""),
    ]
    page = response.content.decode()
    assert "Row 5, status: Unknown status." in page
    assert "Row 5, country: Unknown country." in page


def test_a_5000_row_preview_shows_the_first_100_rows_and_every_row_with_an_error(staff_browser):
    rows = [f"Client {n};active;DE" for n in range(5000)]
    rows[2999] = "Broken;paused;DE"  # file row 3001
    content = ("Name;Status;Country\r\n" + "\r\n".join(rows) + "\r\n").encode()

    response = upload(staff_browser, content)

    shown = response.context["preview_rows"]
    assert len(shown) == 101
    assert shown[-1]["number"] == 3001
    assert response.context["preview_hidden"] == 4899
    table = response.content.decode().split('class="import-preview"')[1]
    assert table.count("<tr class=") == 101


def test_confirm_applies_the_valid_rows_and_skips_the_invalid_ones(staff_browser, organization):
    preview = upload(staff_browser, (GERMAN + "Broken SA;paused;XX;;;;\r\n").encode("cp1252"))

    response = confirm(staff_browser, preview)

    assert names(organization) == {"Müller GmbH", "Société Générale", "Größe AG"}
    record = ClientImport.objects.get()
    assert (record.applied, record.created, record.errors) == (True, 3, 1)
    assert "1 row(s) with errors were skipped" in response.content.decode()


def test_all_or_nothing_applies_nothing_when_a_row_has_an_error(staff_browser, organization):
    preview = upload(staff_browser, (GERMAN + "Broken SA;paused;XX;;;;\r\n").encode("cp1252"))

    response = confirm(staff_browser, preview, all_or_nothing="on")

    assert not organization.clients.exists()
    assert ClientImport.objects.get().applied is False
    assert "Nothing was imported (all or nothing)" in response.content.decode()


def test_a_file_without_a_valid_row_offers_no_confirmation(staff_browser):
    response = upload(staff_browser, b"name,status\nBroken,paused\n")

    assert "confirm_form" not in response.context
    assert "No row can be imported" in response.content.decode()


def rejected(browser, preview) -> list[list[str]]:
    response = browser.get(preview.context["rejected_url"])
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_the_rejected_rows_download_holds_the_invalid_rows_with_their_errors(staff_browser):
    content = GERMAN + "=cmd|' /C calc'!A0;paused;XX;WEEE;Stiftung EAR;bad@example.com;Pl4in-Pw\r\n"
    preview = upload(staff_browser, content.encode("cp1252"))

    rows = rejected(staff_browser, preview)

    assert rows[0] == [
        "Firma",
        "Status",
        "Land",
        "Berichtsart",
        "System",
        "Benutzername",
        "Passwort",
        "row",
        "error",
    ]
    assert rows[1][:7] == [
        "'=cmd|' /C calc'!A0",
        "***",  # a cell a row error rejects is withheld like a password
        "***",
        "WEEE",
        "Stiftung EAR",
        "bad@example.com",
        "***",
    ]
    assert rows[1][7] == "5"
    assert rows[1][8].startswith("status: Unknown status.")
    assert len(rows) == 2


def test_the_rejected_rows_never_hold_a_password_in_plaintext(staff_browser):
    content = GERMAN + "Broken SA;paused;XX;;;x;Pl4in-Pw\r\n"
    preview = upload(staff_browser, content.encode("cp1252"))

    response = staff_browser.get(preview.context["rejected_url"])

    assert b"Pl4in-Pw" not in response.content


def test_an_admin_confirmation_without_a_mapping_reads_the_fields_from_the_header(
    staff_browser, organization
):
    preview = upload(staff_browser, GERMAN.encode("cp1252"))

    confirm(staff_browser, preview, mapping="")

    assert "Müller GmbH" in names(organization)


def test_the_rejected_rows_are_linked_after_confirming(staff_browser):
    preview = upload(staff_browser, (GERMAN + "Broken SA;paused;XX;;;;\r\n").encode("cp1252"))

    response = confirm(staff_browser, preview)

    link = response.context["messages"]
    (message,) = list(link)
    assert "Download the rejected rows" in str(message)
    url = str(message).split('href="')[1].split('"')[0]
    assert "Broken SA" in staff_browser.get(url).content.decode("utf-8-sig")


def test_another_user_of_the_organization_cannot_download_the_rejected_rows(
    staff_browser, browser_for, client
):
    preview = upload(staff_browser, (GERMAN + "Broken SA;paused;XX;;;;\r\n").encode("cp1252"))
    browser_for(Role.STAFF)

    assert client.get(preview.context["rejected_url"]).status_code == 404


def test_staff_of_another_organization_cannot_download_the_rejected_rows(
    staff_browser, browser_for, client, other_organization
):
    preview = upload(staff_browser, (GERMAN + "Broken SA;paused;XX;;;;\r\n").encode("cp1252"))
    browser_for(Role.STAFF, org=other_organization)

    assert client.get(preview.context["rejected_url"]).status_code == 404
