"""A real browser (headless Chromium through Playwright) imports a CSV file in the admin.

Chromium is Debian's (/usr/bin/chromium, or CHROMIUM_PATH): `make test` installs it when it is
missing. Without it this test fails, it is not skipped.
"""

import os
from pathlib import Path

import pytest
from django.db import connections
from playwright.sync_api import expect, sync_playwright

from clients.models import Role
from credentials.models import ClientImport, Credential
from tests.factories import MembershipFactory, UserFactory

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "correct horse battery staple"
CSV = (
    "name,status,country,report_type,pro,login,password\n"
    "ABC Corporation,active,DE,WEEE,Stiftung EAR,abc@example.com,Br0wser-Pw\n"
    "ABC Corporation,,FR,Packaging,Citeo,abc-fr@example.com,Br0wser-Pw-2\n"
    "Beta BV,onboarding,NL,WEEE,,,\n"
)


@pytest.fixture
def page(live_server, monkeypatch, settings):
    """A browser page; closed before the live server stops, so no request is left open."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"No Chromium at {CHROMIUM}: `make test` installs it (apt-get install chromium), "
            "or point CHROMIUM_PATH at one."
        )
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # ordinary synchronous ones all the same.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # The live server speaks plain HTTP.
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser.new_page()
        finally:
            browser.close()
            # Inside Playwright's event loop the test's queries use a connection of their own
            # (Django's connections follow the async context); close it before the test
            # database is dropped.
            connections.close_all()


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
