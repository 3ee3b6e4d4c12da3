"""A real browser fills in the credential form: the PROs follow the country, the report types
the PRO, and a password typed into a form that came back with an error is saved."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from clients.models import Role
from credentials.models import Credential
from tests.factories import ClientFactory

TYPED = "Typed-0nce-Pw"


@pytest.fixture
def acme(committed_catalog, organization):
    return ClientFactory(organization=organization, name="ABC Corporation")


def open_add_form(page, live_server, acme):
    # The client field is an autocomplete: the client is given as the add page's initial value.
    page.goto(f"{live_server.url}{reverse('admin:credentials_credential_add')}?client={acme.pk}")


@pytest.mark.django_db(transaction=True)
def test_the_pro_choices_follow_the_country_and_the_report_types_the_pro(
    page, live_server, browser_as, acme
):
    browser_as(Role.STAFF)
    open_add_form(page, live_server, acme)

    page.select_option("#id_country", label="FR · France")
    expect(page.locator("#id_pro option", has_text="Citeo")).to_have_count(1)
    expect(page.locator("#id_pro option", has_text="Stiftung EAR")).to_have_count(0)
    page.select_option("#id_pro", label="Citeo")

    boxes = page.locator("#id_report_type_choices")
    expect(boxes).to_contain_text("Packaging")
    expect(boxes).not_to_contain_text("WEEE")
    page.screenshot(path="/tmp/a10shots/credential_form_fr.png", full_page=True)


@pytest.mark.django_db(transaction=True)
def test_a_password_typed_before_an_error_is_saved_with_the_next_submit(
    page, live_server, browser_as, acme
):
    browser_as(Role.STAFF)
    open_add_form(page, live_server, acme)
    page.select_option("#id_country", label="DE · Germany")
    page.select_option("#id_pro", label="Stiftung EAR")
    page.get_by_label("WEEE").check()
    page.fill("#id_login", "abc@example.com")
    page.fill("#id_new_password", TYPED)
    page.fill("#id_extra_info", "{customer_no: 4711}")
    page.click("input[name=_save]")

    expect(page.locator(".errorlist")).to_contain_text("not valid JSON")
    page.screenshot(path="/tmp/a10shots/credential_form_error.png", full_page=True)
    page.fill("#id_extra_info", '{"customer_no": "4711"}')
    page.click("input[name=_save]")

    expect(page.locator("ul.messagelist")).to_contain_text("was added successfully")
    saved = Credential.objects.get(client=acme)
    assert (saved.password, saved.extra_info) == (TYPED, {"customer_no": "4711"})
