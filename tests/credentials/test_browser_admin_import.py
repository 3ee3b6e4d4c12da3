"""A real browser (headless Chromium through Playwright, the `page` fixture of
tests/conftest.py) imports a CSV file in the admin."""

import csv

import pytest
from playwright.sync_api import expect

from clients.models import Role
from credentials.models import ClientImport, Credential
from tests.factories import MembershipFactory, UserFactory

PASSWORD = "correct horse battery staple"
CSV = (
    "name,status,country,report_type,pro,login,password\n"
    "ABC Corporation,active,DE,WEEE,Stiftung EAR,abc@example.com,Br0wser-Pw\n"
    "ABC Corporation,,FR,Packaging,Citeo,abc-fr@example.com,Br0wser-Pw-2\n"
    "Beta BV,onboarding,NL,WEEE,,,\n"
)


@pytest.mark.django_db(transaction=True)
def test_staff_upload_a_csv_see_the_preview_and_confirm_it(
    page, live_server, committed_catalog, organization
):
    user = UserFactory(username="importer", password=PASSWORD)
    MembershipFactory(user=user, organization=organization, role=Role.STAFF)

    page.goto(f"{live_server.url}/admin/login/?next=/admin/clients/client/")
    page.fill("#id_username", "importer")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.click("a.import_link")
    page.set_input_files(
        "#id_import_file",
        files=[{"name": "clients.csv", "mimeType": "text/csv", "buffer": CSV.encode()}],
    )
    page.click("input[type=submit][value=Submit]")

    preview = page.locator("table.import-preview")
    expect(preview).to_contain_text("ABC Corporation")
    expect(preview).to_contain_text("Beta BV")
    expect(preview.locator("tr.new")).to_have_count(2)
    expect(preview.locator("tr.update")).to_have_count(1)
    assert "Br0wser-Pw" not in page.content()
    assert not organization.clients.exists()

    page.click("input[name=confirm]")

    expect(page.locator("ul.messagelist")).to_contain_text(
        "Import finished: 2 client(s) created, 0 updated"
    )
    assert set(organization.clients.values_list("name", flat=True)) == {
        "ABC Corporation",
        "Beta BV",
    }
    assert Credential.objects.get(login="abc@example.com").password == "Br0wser-Pw"
    assert ClientImport.objects.get().user == user


GERMAN = (
    "Firma;Status;Land;Berichtsart;System;Benutzername;Passwort\r\n"
    "Müller GmbH;active;DE;WEEE;Stiftung EAR;mueller@example.com;Geh3im-Wört\r\n"
    "Société Générale;inactive;FR;;;;\r\n"
    "Kaputt AG;pausiert;XX;;;;Pl4in-Pw\r\n"
)
SCREENSHOT = "/tmp/admin-import-preview.png"


@pytest.mark.django_db(transaction=True)
def test_staff_import_a_german_excel_csv_confirm_the_valid_rows_and_download_the_rejected(
    page, live_server, committed_catalog, organization
):
    user = UserFactory(username="importer", password=PASSWORD)
    MembershipFactory(user=user, organization=organization, role=Role.STAFF)
    page.goto(f"{live_server.url}/admin/login/?next=/admin/clients/client/import/")
    page.fill("#id_username", "importer")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.set_input_files(
        "#id_import_file",
        files=[{"name": "kunden.csv", "mimeType": "text/csv", "buffer": GERMAN.encode("cp1252")}],
    )
    page.click("input[type=submit][value=Submit]")

    expect(page.locator(".import-file-info")).to_contain_text("Semicolon-separated, Windows-1252")
    expect(page.locator("#id_column_0")).to_have_value("name")
    expect(page.locator("#id_column_6")).to_have_value("password")
    expect(page.locator(".import-totals")).to_contain_text("2Valid rows")
    expect(page.locator(".import-totals")).to_contain_text("1Invalid rows")
    preview = page.locator("table.import-preview")
    expect(preview.locator("tr.invalid")).to_contain_text("Row 4, status: Unknown status.")
    expect(preview).to_contain_text("Société Générale")
    assert "Geh3im-Wört" not in page.content()
    page.screenshot(path=SCREENSHOT, full_page=True)

    with page.expect_download() as download:
        page.click("a.rejected-rows")
    with open(download.value.path(), encoding="utf-8-sig", newline="") as file:
        header, rejected = list(csv.reader(file, delimiter=";"))
    assert header[-2:] == ["row", "error"]
    # The cells a row error rejects are withheld like the password.
    assert rejected[:8] == ["Kaputt AG", "***", "***", "", "", "", "***", "4"]
    assert rejected[8].startswith("status: Unknown status.")
    page.click("input[name=confirm]")

    expect(page.locator("ul.messagelist")).to_contain_text(
        "Import finished: 2 client(s) created, 0 updated"
    )
    expect(page.locator("ul.messagelist")).to_contain_text("1 row(s) with errors were skipped")
    assert set(organization.clients.values_list("name", flat=True)) == {
        "Müller GmbH",
        "Société Générale",
    }
    assert Credential.objects.get(login="mueller@example.com").password == "Geh3im-Wört"
