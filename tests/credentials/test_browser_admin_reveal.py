"""A real browser (the `page` fixture of tests/conftest.py) reveals a credential's login and
password in place, copies them, and a viewer is offered nothing to reveal."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from clients.models import Role
from credentials.models import PasswordAccessEvent
from tests.factories import ClientFactory, CredentialFactory

SECRET = "Br0wser-Reveal-Pw"


@pytest.fixture
def credential(committed_catalog, organization):
    acme = ClientFactory(organization=organization, name="ABC Corporation")
    return CredentialFactory(client=acme, password=SECRET, login="abc@example.com")


def change_url(live_server, credential):
    return live_server.url + reverse("admin:credentials_credential_change", args=[credential.pk])


@pytest.mark.django_db(transaction=True)
def test_staff_reveal_login_and_password_in_place_after_one_confirmation(
    page, live_server, browser_as, credential
):
    user = browser_as(Role.STAFF)
    page.goto(change_url(live_server, credential))
    control = page.locator(".credential-reveal")

    control.get_by_role("link", name="Reveal").click()
    expect(control).to_contain_text("recorded in the access log")
    assert not PasswordAccessEvent.objects.exists()
    control.get_by_role("button", name="Reveal the login and password").click()

    expect(control.locator(".credential-reveal-password")).to_have_text(SECRET)
    expect(control.locator(".credential-reveal-login")).to_have_text("abc@example.com")
    assert page.url == change_url(live_server, credential)
    page.screenshot(path="/tmp/a10shots/credential_revealed.png", full_page=True)
    event = PasswordAccessEvent.objects.get()
    assert (event.user, event.credential) == (user, credential)


@pytest.mark.django_db(transaction=True)
def test_staff_copy_the_revealed_password_to_the_clipboard(
    page, live_server, browser_as, credential
):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    browser_as(Role.STAFF)
    page.goto(change_url(live_server, credential))
    control = page.locator(".credential-reveal")
    control.get_by_role("link", name="Reveal").click()
    control.get_by_role("button", name="Reveal the login and password").click()

    control.get_by_role("button", name="Copy password").click()

    expect(control).to_contain_text("Password copied.")
    assert page.evaluate("navigator.clipboard.readText()") == SECRET


@pytest.mark.django_db(transaction=True)
def test_cancelling_the_confirmation_reveals_nothing(page, live_server, browser_as, credential):
    browser_as(Role.STAFF)
    page.goto(change_url(live_server, credential))
    control = page.locator(".credential-reveal")

    control.get_by_role("link", name="Reveal").click()
    control.get_by_role("button", name="Cancel").click()

    expect(control.get_by_role("link", name="Reveal")).to_be_visible()
    expect(control.locator(".credential-reveal-password")).to_have_text("")
    assert not PasswordAccessEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_staff_reveal_in_place_on_the_client_page(page, live_server, browser_as, credential):
    browser_as(Role.STAFF)
    page.goto(live_server.url + reverse("admin:clients_client_change", args=[credential.client_id]))
    control = page.locator(".credential-reveal")

    control.get_by_role("link", name="Reveal").click()
    control.get_by_role("button", name="Reveal the login and password").click()

    expect(control.locator(".credential-reveal-password")).to_have_text(SECRET)
    page.screenshot(path="/tmp/a10shots/client_revealed.png", full_page=True)
    assert PasswordAccessEvent.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_viewers_see_no_reveal_button(page, live_server, browser_as, credential):
    browser_as(Role.VIEWER)
    page.goto(change_url(live_server, credential))

    expect(page.locator("#content-main")).to_contain_text("ABC Corporation")
    expect(page.get_by_role("link", name="Reveal")).to_have_count(0)
