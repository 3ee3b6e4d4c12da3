"""The client's admin page: credentials by country, missing credentials with a pre-filled
"Add credential" link, and the credential add form honouring those values."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from clients.models import Role
from tests.factories import (
    ClientFactory,
    CredentialFactory,
    MembershipFactory,
    ObligationFactory,
    country,
    pro,
    report_type,
)

pytestmark = pytest.mark.django_db

SECTION = "admin/credentials/client/credentials_section.html"
ADD = reverse("admin:credentials_credential_add")


@pytest.fixture
def browser_for(client, organization):
    def login(role=Role.STAFF):
        client.force_login(MembershipFactory(organization=organization, role=role).user)
        return client

    return login


def credentials_section(response) -> dict:
    [found] = [s for s in response.context["client_page_sections"] if s.template == SECTION]
    return found.context


def page_of(browser, client_):
    return browser.get(reverse("admin:clients_client_change", args=[client_.pk]))


def test_credentials_are_grouped_by_country_with_masked_passwords(
    browser_for, acme, collective_credential
):
    fr = CredentialFactory(client=acme, country=country("FR"), pro=pro("FR", "Citeo"))
    fr_login = fr.login
    de = CredentialFactory(client=acme, login="de-login", password="De-Secret-1")
    linked = CredentialFactory(
        client=acme,
        country=country("NL"),
        pro=pro("NL", "Stichting OPEN"),
        login="",
        password="",
        collective_account=collective_credential,
    )

    response = page_of(browser_for(), acme)

    section = credentials_section(response)
    assert [(g["code"], g["credentials"]) for g in section["countries"]] == [
        ("DE", [de]),
        ("FR", [fr]),
        ("NL", [linked]),
    ]
    page = response.content.decode()
    assert "De-Secret-1" not in page and "collective-pw-1" not in page
    assert fr_login in page and "collective@example.com" in page
    assert ">collective</a>" in page
    assert reverse("admin:credentials_credential_change", args=[de.pk]) in page


def test_missing_credentials_are_the_obligations_no_credential_covers(browser_for, acme):
    CredentialFactory(client=acme)  # DE · Stiftung EAR · WEEE
    ObligationFactory(client=acme)  # covered
    ObligationFactory(
        client=acme,
        country=country("FR"),
        report_type=report_type("Packaging"),
        pro=pro("FR", "Citeo"),
    )

    section = credentials_section(page_of(browser_for(), acme))

    missing = [
        (g["code"], [m["row"].report_type for m in g["missing"]]) for g in section["countries"]
    ]
    assert missing == [("DE", []), ("FR", ["Packaging"])]
    assert section["missing_count"] == 1


def test_a_missing_credential_links_to_the_add_form_with_its_values(browser_for, acme):
    ObligationFactory(
        client=acme,
        country=country("FR"),
        report_type=report_type("Packaging"),
        pro=pro("FR", "Citeo"),
    )

    section = credentials_section(page_of(browser_for(), acme))

    [group] = section["countries"]
    url = urlsplit(group["missing"][0]["add_url"])
    assert url.path == ADD
    assert parse_qs(url.query) == {
        "client": [str(acme.pk)],
        "country": [str(country("FR").pk)],
        "pro": [str(pro("FR", "Citeo").pk)],
        "report_types": [str(report_type("Packaging").pk)],
    }


def test_viewers_get_no_add_credential_links(browser_for, acme):
    ObligationFactory(client=acme)

    response = page_of(browser_for(Role.VIEWER), acme)

    assert credentials_section(response)["add_url"] is None
    assert ADD not in response.content.decode()


def test_the_add_form_is_pre_filled_from_the_query_string_report_types_included(browser_for, acme):
    packaging, paper = report_type("Packaging"), report_type("Paper")
    query = {
        "client": acme.pk,
        "country": country("FR").pk,
        "pro": pro("FR", "Citeo").pk,
        "report_types": f"{packaging.pk},{paper.pk}",
    }

    form = browser_for().get(ADD, query).context["adminform"].form

    assert form.initial["client"] == str(acme.pk)
    assert (form.initial["country"], form.initial["pro"]) == (
        str(country("FR").pk),
        str(pro("FR", "Citeo").pk),
    )
    assert sorted(form.initial["report_type_choices"]) == sorted([str(packaging.pk), str(paper.pk)])
    widget = form["report_type_choices"].as_widget()
    checked = set(re.findall(r'value="([^"]+)" id="[^"]+" checked', widget))
    assert checked == {str(packaging.pk), str(paper.pk)}


def test_values_that_are_not_ids_leave_the_add_form_blank(browser_for):
    response = browser_for().get(ADD, {"client": "abc", "pro": "1;drop", "report_types": "x,y"})

    assert response.status_code == 200
    initial = response.context["adminform"].form.initial
    assert not {"client", "pro", "report_type_choices"} & set(initial)


def test_another_organizations_client_is_not_offered_on_the_add_form(
    browser_for, other_organization
):
    theirs = ClientFactory(organization=other_organization, name="Theirs SA")

    response = browser_for().get(ADD, {"client": theirs.pk})

    assert "Theirs SA" not in response.content.decode()


def test_client_page_queries_do_not_grow_with_its_credentials(
    browser_for, acme, django_assert_max_num_queries
):
    browser = browser_for()
    catalog = [("DE", "Stiftung EAR"), ("FR", "Citeo"), ("NL", "Stichting OPEN")]
    for code, name in catalog:
        CredentialFactory(client=acme, country=country(code), pro=pro(code, name))
        ObligationFactory(client=acme, country=country(code), report_type=report_type("Batteries"))

    with django_assert_max_num_queries(40):
        response = page_of(browser, acme)

    assert sum(len(g["credentials"]) for g in credentials_section(response)["countries"]) == 3


DEADLINES = "admin/credentials/client/deadlines_section.html"


def test_the_client_page_lists_the_clients_reporting_deadlines(browser_for, acme):
    # The shipped rule: Stiftung EAR WEEE reports monthly, due the 15th of the next month.
    credential = CredentialFactory(client=acme, report_types=["WEEE"])
    other = CredentialFactory(client=ClientFactory(organization=acme.organization))

    response = browser_for().get(reverse("admin:clients_client_change", args=[acme.pk]))

    [section] = [s for s in response.context["client_page_sections"] if s.template == DEADLINES]
    deadlines = section.context["deadlines"]
    assert deadlines
    assert {d.credential_id for d in deadlines} == {credential.pk}
    assert other.pk not in {d.credential_id for d in deadlines}
    assert [d.due_date for d in deadlines] == sorted(d.due_date for d in deadlines)
    assert {(d.pro, d.report_type, d.due_date.day) for d in deadlines} == {
        ("Stiftung EAR", "WEEE", 15)
    }
    assert b"Reporting deadlines" in response.content
