"""The client admin's CSV import (upload, preview, confirm), export, and the import records."""

import csv
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clients.models import Client, Role
from credentials.models import ClientImport, Credential
from tests.factories import AliasFactory, ClientFactory, CredentialFactory, MembershipFactory

pytestmark = pytest.mark.django_db

IMPORT = reverse("admin:clients_client_import")
CONFIRM = reverse("admin:clients_client_process_import")
EXPORT = reverse("admin:clients_client_export")
CSV = (
    "name,status,country,report_type,pro,login,password,local_company_name\n"
    "ABC Corporation,active,DE,WEEE,Stiftung EAR,abc@example.com,Adm1n-Upl0ad,ABC GmbH\n"
    "ABC Corporation,,FR,Packaging,Citeo,abc-fr@example.com,Adm1n-Upl0ad-2,\n"
    "Beta BV,onboarding,NL,WEEE,,,,\n"
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


def upload(browser, content, name="clients.csv"):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return browser.post(
        IMPORT,
        {"import_file": SimpleUploadedFile(name, data), "format": "0", "resource": "0"},
    )


def confirm(browser, preview):
    initial = preview.context["confirm_form"].initial
    return browser.post(CONFIRM, {**initial, "confirm": "Confirm import"}, follow=True)


def test_upload_shows_a_preview_of_each_row_and_changes_nothing(staff_browser, organization):
    response = upload(staff_browser, CSV)

    assert response.status_code == 200
    result = response.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert [row.import_type for row in result.rows] == ["new", "update", "new"]
    page = response.content.decode()
    assert "Confirm import" in page
    assert "<ins>ABC GmbH</ins>" in page
    assert "Adm1n-Upl0ad" not in page
    assert not organization.clients.exists()
    assert not ClientImport.objects.exists()


def test_confirming_applies_the_preview_and_records_the_import(staff_browser, organization):
    preview = upload(staff_browser, CSV)

    response = confirm(staff_browser, preview)

    assert response.status_code == 200
    assert "Import finished: 2 client(s) created, 0 updated" in response.content.decode()
    assert set(organization.clients.values_list("name", flat=True)) == {
        "ABC Corporation",
        "Beta BV",
    }
    abc = organization.clients.get(name="ABC Corporation")
    assert abc.credentials.count() == 2
    assert list(abc.aliases.values_list("scope", "name")) == [("DE", "ABC GmbH")]
    record = ClientImport.objects.get()
    assert (record.source, record.user, record.file_name, record.created) == (
        "admin",
        staff_browser.user,
        "clients.csv",
        2,
    )
    assert abc.history.get().history_user == staff_browser.user


def test_invalid_rows_are_listed_inline_with_their_file_row_and_the_rest_can_be_confirmed(
    staff_browser,
):
    content = CSV + "Broken SA,paused,XX,WEEE,,,,\n"

    response = upload(staff_browser, content)

    result = response.context["result"]
    (invalid,) = result.invalid_rows
    assert invalid.number == 5
    assert set(invalid.field_specific_errors) == {"status", "country"}
    assert "Row 5, status: Unknown status." in response.content.decode()
    assert "confirm_form" in response.context
    assert not Client.objects.exists()


def test_blank_lines_keep_the_row_numbers_of_the_file(staff_browser):
    content = "name,status\nAlpha GmbH,active\n\nBeta BV,paused\n"

    response = upload(staff_browser, content)

    (invalid,) = response.context["result"].invalid_rows
    assert invalid.number == 4


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"name\n\x00\x81\x00\n", "The file is neither text nor an XLSX workbook"),
        (b"", "The submitted file is empty."),
        (b"\n , \n", "The file is empty."),
        (b"colour,size\nred,XL\n", "Unknown field in columns 1, 2."),
        (b"name,status\n", "The file has a header row but no data rows."),
        (b"name,status\nAlpha,active,extra\n", "Row 2 has 3 cells, the header 2."),
        (b"name\n" + b"x" * 200_000 + b"\n", "The file cannot be read as CSV: field larger"),
    ],
    ids=[
        "binary",
        "empty",
        "blank",
        "no known column",
        "header only",
        "ragged",
        "cell over the csv field limit",
    ],
)
def test_an_unusable_file_is_a_form_error(staff_browser, content, message):
    response = upload(staff_browser, content)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert message in response.content.decode()
    assert not Client.objects.exists()


def test_a_viewer_may_not_import(browser_for):
    viewer = browser_for(Role.VIEWER)

    assert viewer.get(IMPORT).status_code == 403
    assert upload(viewer, CSV).status_code == 403
    assert not Client.objects.exists()


def test_a_superuser_without_an_organization_may_not_import(client, django_user_model):
    superuser = django_user_model.objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(superuser)

    assert client.get(IMPORT).status_code == 403


def test_export_has_no_passwords_and_quotes_formula_cells(staff_browser, organization):
    names = ['=HYPERLINK("http://evil")', "+1", "-2", "@SUM(A1)", "\tx", "\rx"]
    for name in names:
        client = ClientFactory(organization=organization, name=name, notes="=1+1")
        CredentialFactory(client=client, password="Exp0rt-S3cret")
    AliasFactory(client=organization.clients.get(name="+1"), scope="DE", name="=cmd")
    ClientFactory(organization=ClientFactory().organization, name="Other Org Client")

    response = staff_browser.post(EXPORT, {"format": "0", "resource": "0"})

    text = response.content.decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert "Exp0rt-S3cret" not in text
    assert "password" not in rows[0]
    assert sorted(row["name"] for row in rows) == sorted(f"'{name}" for name in names)
    assert {row["notes"] for row in rows} == {"'=1+1"}
    assert {row["local_company_names"] for row in rows} == {"", "DE: =cmd"}
    assert list(rows[0]) == [
        "id",
        "name",
        "status",
        "shared",
        "notes",
        "alias",
        "local_company_names",
        "collective_account",
        "created_at",
        "updated_at",
    ]


def test_xlsx_export_keeps_formula_cells_as_text(staff_browser, organization):
    ClientFactory(organization=organization, name="=SUM(1,2)")
    CredentialFactory(client=organization.clients.get(), password="Xlsx-S3cret")

    response = staff_browser.post(EXPORT, {"format": "1", "resource": "0"})

    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    cells = [cell.value for row in workbook.active.iter_rows() for cell in row]
    assert "'=SUM(1,2)" in cells
    assert all(cell.data_type != "f" for row in workbook.active.iter_rows() for cell in row)
    assert "Xlsx-S3cret" not in str(cells)


def test_import_records_are_listed_in_the_admin_for_the_own_organization_only(
    staff_browser, organization, other_organization
):
    ClientImport.objects.create(
        organization=organization,
        username="alice",
        source="api",
        file_ids=["file-7"],
        rows=3,
        errors=1,
        row_errors=[{"row": 3, "field": "country", "message": "Unknown country 'XX'."}],
    )
    ClientImport.objects.create(organization=other_organization, username="mallory", source="api")

    listing = staff_browser.get(reverse("admin:credentials_clientimport_changelist"))
    record = ClientImport.objects.get(username="alice")
    detail = staff_browser.get(reverse("admin:credentials_clientimport_change", args=[record.pk]))
    foreign = ClientImport.objects.get(username="mallory")
    hidden = staff_browser.get(reverse("admin:credentials_clientimport_change", args=[foreign.pk]))

    assert "alice" in listing.content.decode() and "mallory" not in listing.content.decode()
    assert "file-7" in detail.content.decode()
    assert "Unknown country &#x27;XX&#x27;." in detail.content.decode()
    assert hidden.status_code == 302


def test_credentials_imported_in_the_admin_keep_their_passwords_encrypted(
    staff_browser, organization
):
    confirm(staff_browser, upload(staff_browser, CSV))

    credential = Credential.objects.get(login="abc@example.com")
    assert credential.password == "Adm1n-Upl0ad"


def test_an_over_long_cell_is_an_error_of_its_row_and_field_naming_the_limit(staff_browser):
    content = CSV + "Gamma SA,active,DE,WEEE,Stiftung EAR,abc@example.com,pw," + "L" * 256 + "\n"

    response = upload(staff_browser, content)

    result = response.context["result"]
    (invalid,) = result.invalid_rows
    assert invalid.number == 5
    assert invalid.field_specific_errors == {
        "local_company_name": ["local_company_name is too long: at most 255 characters."]
    }
    assert "LLLL" not in response.content.decode()
    assert not Client.objects.exists()
