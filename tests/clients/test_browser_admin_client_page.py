"""A real browser (headless Chromium through Playwright, the `page` fixture of
tests/conftest.py): staff find a client with missing credentials in the list, open its page and
follow "Add credential" to a form pre-filled with the missing credential's values."""

import pytest
from playwright.sync_api import expect

from clients.models import Role
from tests.factories import (
    AliasFactory,
    ClientFactory,
    CredentialFactory,
    MembershipFactory,
    ObligationFactory,
    UserFactory,
    country,
    pro,
    report_type,
)

PASSWORD = "correct horse battery staple"


@pytest.mark.django_db(transaction=True)
def test_staff_follow_a_missing_credential_to_a_pre_filled_add_form(
    page, live_server, committed_catalog, organization
):
    user = UserFactory(username="hubstaff", password=PASSWORD)
    MembershipFactory(user=user, organization=organization, role=Role.STAFF)
    acme = ClientFactory(organization=organization, name="ABC Corporation")
    AliasFactory(client=acme, scope="FR", name="ABC SAS")
    CredentialFactory(client=acme, login="abc-de@example.com", password="Hub-Secret-1")
    ObligationFactory(
        client=acme,
        country=country("FR"),
        report_type=report_type("Packaging"),
        pro=pro("FR", "Citeo"),
    )
    ClientFactory(organization=organization, name="Complete BV")

    page.goto(f"{live_server.url}/admin/login/?next=/admin/clients/client/")
    page.fill("#id_username", "hubstaff")
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.click("text=Has missing credentials")
    expect(page.locator("#result_list")).to_contain_text("ABC Corporation")
    expect(page.locator("#result_list")).not_to_contain_text("Complete BV")
    page.screenshot(path="/tmp/a10hub-client-list.png", full_page=True)

    page.click("#result_list a:text('ABC Corporation')")
    credentials = page.locator("#client-credentials")
    expect(credentials).to_contain_text("abc-de@example.com")
    expect(credentials.locator("tr.missing-credential")).to_contain_text("Packaging")
    expect(page.locator("#client-names")).to_contain_text("ABC SAS")
    assert "Hub-Secret-1" not in page.content()
    page.screenshot(path="/tmp/a10hub-client-page.png", full_page=True)

    credentials.locator("tr.missing-credential a:text('Add credential')").click()
    expect(page.locator("#id_country option:checked")).to_contain_text("France")
    expect(page.locator("#id_pro option:checked")).to_contain_text("Citeo")
    expect(page.locator("#id_report_type_choices input:checked")).to_have_count(1)
    expect(page.locator("#id_report_type_choices label:has(input:checked)")).to_contain_text(
        "Packaging"
    )
    expect(page.locator(".field-client")).to_contain_text("ABC Corporation")
