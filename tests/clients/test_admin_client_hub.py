"""The client admin as staff's hub: names and obligations by country on the client's page, and
the list's portfolio columns, filters and search (the API list's selectors)."""

import pytest
from django.urls import reverse

from clients.models import Role
from tests.factories import (
    AliasFactory,
    ClientFactory,
    CredentialFactory,
    MembershipFactory,
    ObligationFactory,
    country,
    pro,
    report_type,
)

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:clients_client_changelist")


@pytest.fixture
def browser(client, organization):
    membership = MembershipFactory(organization=organization, role=Role.STAFF)
    client.force_login(membership.user)
    return client


def change_page(client_):
    return reverse("admin:clients_client_change", args=[client_.pk])


def names_listed(response) -> set[str]:
    return {row.name for row in response.context["cl"].result_list}


def section(response, template: str) -> dict:
    [found] = [s for s in response.context["client_page_sections"] if s.template == template]
    return found.context


def test_client_page_shows_local_company_names_and_obligations_by_country(browser, organization):
    acme = ClientFactory(organization=organization, name="ABC Corporation")
    AliasFactory(client=acme, scope="*", name="ABC Trading")
    AliasFactory(client=acme, scope="FR", name="ABC SAS")
    ObligationFactory(client=acme, country=country("DE"), report_type=report_type("WEEE"))

    response = browser.get(change_page(acme))

    names = section(response, "admin/clients/client/names_section.html")
    assert names["trading_name"] == "ABC Trading"
    assert [(c["code"], c["local_name"]) for c in names["countries"]] == [
        ("DE", None),
        ("FR", "ABC SAS"),
    ]
    assert names["countries"][0]["obligations"] == [
        {"country": "DE", "report_type": "WEEE", "pro": None}
    ]
    assert "ABC SAS" in response.content.decode()


def test_the_add_page_has_no_client_sections(browser):
    response = browser.get(reverse("admin:clients_client_add"))

    assert response.status_code == 200
    assert "client_page_sections" not in response.context


def test_list_shows_countries_credential_and_missing_counts(browser, organization):
    acme = ClientFactory(organization=organization, name="ABC Corporation")
    CredentialFactory(client=acme, country=country("DE"), pro=pro("DE", "Stiftung EAR"))
    ObligationFactory(client=acme, country=country("FR"), report_type=report_type("Packaging"))

    response = browser.get(CHANGELIST)

    [row] = response.context["cl"].result_list
    assert (row.portfolio_summary.countries, row.portfolio_summary.credential_count) == (
        ["DE", "FR"],
        1,
    )
    assert row.portfolio_summary.missing_count == 1
    assert "DE, FR" in response.content.decode()


def test_list_queries_do_not_grow_with_the_portfolio(
    browser, organization, django_assert_max_num_queries
):
    for _ in range(30):
        listed = ClientFactory(organization=organization)
        CredentialFactory(client=listed)
        ObligationFactory(client=listed, country=country("FR"), report_type=report_type("WEEE"))
        AliasFactory(client=listed)

    with django_assert_max_num_queries(25):
        response = browser.get(CHANGELIST)

    assert len(names_listed(response)) == 30


def test_missing_filter_lists_clients_with_an_uncovered_obligation(browser, organization):
    covered = ClientFactory(organization=organization, name="Covered")
    CredentialFactory(client=covered)
    ObligationFactory(client=covered)
    uncovered = ClientFactory(organization=organization, name="Uncovered")
    ObligationFactory(client=uncovered)
    ClientFactory(organization=organization, name="No obligations")

    assert names_listed(browser.get(CHANGELIST, {"missing": "yes"})) == {"Uncovered"}
    assert names_listed(browser.get(CHANGELIST, {"missing": "no"})) == {
        "Covered",
        "No obligations",
    }


def test_collective_accounts_are_hidden_unless_asked_for(browser, organization):
    ClientFactory(organization=organization, name="Client")
    ClientFactory(organization=organization, name="Collective Account", collective_account=True)

    assert names_listed(browser.get(CHANGELIST)) == {"Client"}
    assert names_listed(browser.get(CHANGELIST, {"collective": "only"})) == {"Collective Account"}
    assert names_listed(browser.get(CHANGELIST, {"collective": "all"})) == {
        "Client",
        "Collective Account",
    }


@pytest.mark.parametrize(
    "search", ["ABC Corp", "abc gmbh", "portal-login@example.com", "WEEE-DE-123"]
)
def test_search_finds_a_client_by_name_alias_login_or_registration_number(
    browser, organization, search
):
    acme = ClientFactory(organization=organization, name="ABC Corporation")
    AliasFactory(client=acme, scope="DE", name="ABC GmbH")
    CredentialFactory(
        client=acme, login="portal-login@example.com", registration_number="WEEE-DE-123"
    )
    ClientFactory(organization=organization, name="Unrelated")

    assert names_listed(browser.get(CHANGELIST, {"q": search})) == {"ABC Corporation"}
