"""The client list's total, read from the kept counts (or counted once per portfolio version),
is the number of clients the list's filters select; the missing-credentials filter reads the
kept facet and lists the clients the rule finds; the obligation rows' selects render the
catalog as Django's select does."""

import re

import pytest
from django import forms
from django.urls import reverse

from clients.admin.widgets import SharedChoices, SharedChoicesSelect
from clients.models import Client, Role
from clients.selectors import clients_missing_credentials
from reporting.models import Pro
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

CHANGELIST = reverse("admin:clients_client_changelist")


@pytest.fixture
def browser(client, organization):
    client.force_login(MembershipFactory(organization=organization, role=Role.STAFF).user)
    return client


@pytest.fixture
def portfolio(organization, other_organization):
    """Covered, uncovered, archived and collective clients, and another organization's."""
    uncovered = ClientFactory(organization=organization, name="Uncovered")
    CredentialFactory(client=uncovered, report_types=["WEEE"])
    ObligationFactory(client=uncovered, report_type=report_type("Batteries"))
    covered = ClientFactory(organization=organization, name="Covered")
    CredentialFactory(client=covered, report_types=["WEEE"])
    ObligationFactory(client=covered)
    archived = ClientFactory(organization=organization, name="Archived", status="archived")
    ObligationFactory(client=archived, country=country("FR"))
    ClientFactory(organization=organization, name="Nothing yet", status="onboarding")
    collective = ClientFactory(organization=organization, name="Pool", collective_account=True)
    ObligationFactory(client=collective, country=country("NL"))
    CredentialFactory(client=collective, country=country("FR"), pro=pro("FR", "Citeo"))
    ObligationFactory(client=ClientFactory(organization=other_organization, name="Theirs"))


# Query strings of the list; catalog ids are read when the test runs.
QUESTIONS = {
    "all": lambda: {},
    "archived": lambda: {"status__exact": "archived"},
    "unknown status": lambda: {"status__exact": "unknown"},
    "missing": lambda: {"missing": "yes"},
    "none missing": lambda: {"missing": "no"},
    "missing, collective too": lambda: {"missing": "yes", "collective": "all"},
    "none missing, collective only": lambda: {"missing": "no", "collective": "only"},
    "missing and archived": lambda: {"missing": "yes", "status__exact": "archived"},
    "country": lambda: {"country": str(country("FR").pk)},
    "report type": lambda: {"report_type": str(report_type("Batteries").pk)},
    "PRO": lambda: {"pro": str(pro("DE", "Stiftung EAR").pk)},
    "country, collective only": lambda: {
        "country": str(country("FR").pk),
        "collective": "only",
    },
    "collective only": lambda: {"collective": "only"},
    "not shared": lambda: {"shared__exact": "0"},
    "search": lambda: {"q": "covered"},
}


@pytest.mark.parametrize("question", QUESTIONS.values(), ids=QUESTIONS.keys())
def test_the_total_is_the_number_of_clients_listed(browser, portfolio, question):
    response = browser.get(CHANGELIST, question())

    changelist = response.context["cl"]
    assert changelist.result_count == changelist.queryset.count() == len(changelist.result_list)


@pytest.mark.parametrize("collective", ["", "all", "only"])
@pytest.mark.parametrize("missing", [True, False])
def test_the_missing_filter_lists_the_clients_the_rule_finds(
    browser, portfolio, organization, missing, collective
):
    params = {"missing": "yes" if missing else "no"}
    if collective:
        params["collective"] = collective
    shown = Client.objects.filter(organization=organization)
    if collective != "all":
        shown = shown.filter(collective_account=collective == "only")

    response = browser.get(CHANGELIST, params)

    listed = {c.name for c in response.context["cl"].result_list}
    assert listed == {c.name for c in clients_missing_credentials(shown, missing=missing)}
    assert ("Uncovered" in listed) == (missing and collective != "only")


def test_the_shared_select_renders_the_options_of_djangos_select(db):
    choices = [("", "---------"), *((p.pk, str(p)) for p in Pro.objects.order_by("name")[:5])]
    chosen = choices[3][0]
    attrs = {"id": "id_obligations-0-pro", "required": True}

    shared = SharedChoicesSelect(choices=SharedChoices(iter(choices)))
    django = forms.Select(choices=choices)

    def normal(html: str) -> str:
        return re.sub(r"\s+", " ", str(html)).replace("> <", "><")

    for value in (chosen, str(chosen), None, ""):
        assert normal(shared.render("obligations-0-pro", value, attrs)) == normal(
            django.render("obligations-0-pro", value, attrs)
        )


def test_each_obligation_row_shows_its_own_catalog_values(browser, organization):
    client_ = ClientFactory(organization=organization)
    ObligationFactory(client=client_, country=country("DE"), pro=pro("DE", "Stiftung EAR"))
    ObligationFactory(client=client_, country=country("FR"), report_type=report_type("Packaging"))

    page = browser.get(reverse("admin:clients_client_change", args=[client_.pk]))

    html = page.content.decode()
    selected = re.findall(r'<select name="obligations-(\d)-(\w+)"[^>]*>.*?</select>', html, re.S)
    assert len(selected) == 6
    for row, field, expected in [
        (0, "country", country("DE").pk),
        (0, "pro", pro("DE", "Stiftung EAR").pk),
        (1, "country", country("FR").pk),
        (1, "report_type", report_type("Packaging").pk),
    ]:
        select = re.search(rf'<select name="obligations-{row}-{field}".*?</select>', html, re.S)
        assert f'<option value="{expected}" selected>' in select.group(0)
    empty_row = re.search(r'<select name="obligations-__prefix__-pro".*?</select>', html, re.S)
    assert " selected>" not in empty_row.group(0).replace('value="" selected>', "")
