"""A real browser on the collective account's credential page, the client's History page and
the producer form's client autocomplete."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from clients.models import Role
from tests.factories import AliasFactory, ClientFactory, CredentialFactory, country, pro


@pytest.mark.django_db(transaction=True)
def test_the_collective_credential_page_lists_linked_clients_and_warns(
    page, live_server, browser_as, committed_catalog, organization
):
    collective = CredentialFactory(
        client=ClientFactory(
            organization=organization, name="Collective OPEN", collective_account=True
        ),
        country=country("NL"),
        pro=pro("NL", "Stichting OPEN"),
        report_types=["WEEE"],
        login="collective@example.com",
        password="collective-pw-1",
    )
    CredentialFactory(
        client=ClientFactory(organization=organization, name="Linked One BV"),
        country=country("NL"),
        pro=pro("NL", "Stichting OPEN"),
        login="",
        password="",
        collective_account=collective,
    )
    browser_as(Role.STAFF)

    page.goto(
        live_server.url + reverse("admin:credentials_credential_change", args=[collective.pk])
    )

    expect(page.locator("body")).to_contain_text("Linked One BV")
    expect(page.locator("#id_new_password_helptext")).to_contain_text("1 linked client(s)")
    page.screenshot(path="/tmp/a10shots/collective.png", full_page=True)


@pytest.mark.django_db(transaction=True)
def test_the_client_history_page_shows_alias_changes(
    page, live_server, browser_as, committed_catalog, organization
):
    client = ClientFactory(organization=organization, name="ABC Corporation")
    alias = AliasFactory(client=client, scope="DE", name="ABC GmbH")
    alias.name = "ABC Deutschland GmbH"
    alias.save()
    browser_as(Role.STAFF)

    page.goto(live_server.url + reverse("admin:clients_client_history", args=[client.pk]))

    section = page.locator("#alias-obligation-history")
    expect(section).to_contain_text("Alias DE: ABC Deutschland GmbH")
    expect(section).to_contain_text("name: ABC GmbH → ABC Deutschland GmbH")
    page.screenshot(path="/tmp/a10shots/client_history.png", full_page=True)


@pytest.mark.django_db(transaction=True)
def test_the_producer_client_is_found_by_typing(
    page, live_server, browser_as, committed_catalog, organization
):
    ClientFactory(organization=organization, name="ABC Corporation")
    ClientFactory(organization=organization, name="Beta BV")
    browser_as(Role.STAFF)

    page.goto(live_server.url + reverse("admin:registrations_producer_add"))
    page.locator(".field-client .select2-selection").click()
    page.locator(".select2-dropdown .select2-search__field").fill("ABC")

    expect(page.locator(".select2-results__option")).to_have_text(["ABC Corporation"])
