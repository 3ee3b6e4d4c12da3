"""ClientFilterSet: every filter alone and in combination."""

import pytest

from clients.filtersets import ClientFilterSet
from clients.models import Client
from tests.factories import (
    AliasFactory,
    ClientFactory,
    CredentialFactory,
    ObligationFactory,
    country,
    pro,
    report_type,
)

pytestmark = pytest.mark.django_db


def matching(organization, **params) -> set[str]:
    filterset = ClientFilterSet(
        data=params, queryset=Client.objects.filter(organization=organization)
    )
    assert filterset.is_valid(), filterset.errors
    return {client.name for client in filterset.qs}


def errors(organization, **params) -> dict:
    filterset = ClientFilterSet(
        data=params, queryset=Client.objects.filter(organization=organization)
    )
    assert not filterset.is_valid()
    return filterset.errors


@pytest.fixture
def portfolio(organization):
    """Named clients covering the cases below."""

    def make(name, **kwargs):
        return ClientFactory(organization=organization, name=name, **kwargs)

    weee_de = make("Weee Deutschland", notes="Quarterly filer")
    CredentialFactory(client=weee_de, login="ops@weee.example", registration_number="DE11111111")
    AliasFactory(client=weee_de, scope="DE", name="WD Elektro GmbH")

    mixed = make("Mixed Holdings")
    CredentialFactory(client=mixed, report_types=["WEEE"])  # DE / Stiftung EAR / WEEE
    ObligationFactory(
        client=mixed, country=country("FR"), report_type=report_type("Packaging"), pro=None
    )

    citeo = make("Citeo Customer SARL", status="onboarding")
    ObligationFactory(
        client=citeo,
        country=country("FR"),
        report_type=report_type("Packaging"),
        pro=pro("FR", "Citeo"),
    )

    batteries = make("Battery Works", status="archived")
    CredentialFactory(
        client=batteries,
        country=country("NL"),
        pro=pro("NL", "Stichting OPEN"),
        report_types=["WEEE", "Batteries"],
    )

    make("Nothing Yet BV", status="inactive")
    make("Collective Account - Stichting Open", collective_account=True)
    return organization


def test_no_parameters_list_every_client_but_collective_accounts(portfolio):
    assert matching(portfolio) == {
        "Weee Deutschland",
        "Mixed Holdings",
        "Citeo Customer SARL",
        "Battery Works",
        "Nothing Yet BV",
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("weee DEUTSCH", {"Weee Deutschland"}),
        ("elektro", {"Weee Deutschland"}),
        ("quarterly", {"Weee Deutschland"}),
        ("ops@weee", {"Weee Deutschland"}),
        ("DE1111", {"Weee Deutschland"}),
        ("sarl", {"Citeo Customer SARL"}),
        ("no such text", set()),
    ],
)
def test_search_matches_name_aliases_notes_logins_and_registration_numbers(
    portfolio, text, expected
):
    assert matching(portfolio, search=text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("weee deutsch", {"Weee Deutschland"}),
        ("elektro", {"Weee Deutschland"}),
        ("quarterly", set()),
        ("ops@weee", set()),
        ("DE1111", set()),
    ],
)
def test_company_name_only_search_matches_names_and_aliases_only(portfolio, text, expected):
    assert matching(portfolio, search=text, companyNameOnly="true") == expected


def test_company_name_only_false_searches_everything(portfolio):
    assert matching(portfolio, search="quarterly", companyNameOnly="false") == {"Weee Deutschland"}


def test_search_finds_a_linked_credential_by_its_collective_login(organization):
    collective = CredentialFactory(
        client=ClientFactory(organization=organization, collective_account=True),
        login="collective@example.com",
    )
    CredentialFactory(
        client=ClientFactory(organization=organization, name="Linked BV"),
        login="",
        collective_account=collective,
    )

    assert matching(organization, search="collective@example") == {"Linked BV"}


def test_a_blank_search_does_not_filter(portfolio):
    assert len(matching(portfolio, search="   ")) == 5


@pytest.mark.parametrize(
    ("countries", "expected"),
    [
        ("DE", {"Weee Deutschland", "Mixed Holdings"}),
        ("fr", {"Mixed Holdings", "Citeo Customer SARL"}),
        ("NL,FR", {"Mixed Holdings", "Citeo Customer SARL", "Battery Works"}),
        ("DE,,", {"Weee Deutschland", "Mixed Holdings"}),
        ("IT", set()),
    ],
)
def test_country_matches_credentials_and_obligations(portfolio, countries, expected):
    assert matching(portfolio, country=countries) == expected


@pytest.mark.parametrize(
    ("report_types", "expected"),
    [
        ("WEEE", {"Weee Deutschland", "Mixed Holdings", "Battery Works"}),
        ("batteries", {"Battery Works"}),
        ("Packaging", {"Mixed Holdings", "Citeo Customer SARL"}),
        ("Batteries,Packaging", {"Mixed Holdings", "Citeo Customer SARL", "Battery Works"}),
    ],
)
def test_report_type_matches_credentials_and_obligations(portfolio, report_types, expected):
    assert matching(portfolio, report_type=report_types) == expected


@pytest.mark.parametrize(
    ("pros", "expected"),
    [
        ("Stiftung EAR", {"Weee Deutschland", "Mixed Holdings"}),
        ("citeo", {"Citeo Customer SARL"}),
        ("STICHTING open,Citeo", {"Citeo Customer SARL", "Battery Works"}),
    ],
)
def test_pro_matches_by_name_ignoring_case(portfolio, pros, expected):
    assert matching(portfolio, pro=pros) == expected


def test_an_obligation_without_a_pro_does_not_match_a_pro_filter(portfolio):
    assert "Mixed Holdings" not in matching(portfolio, pro="Citeo")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        # Mixed Holdings has DE/WEEE (credential) and FR/Packaging (obligation): not DE/Packaging.
        ({"country": "DE", "report_type": "Packaging"}, set()),
        ({"country": "DE", "report_type": "WEEE"}, {"Weee Deutschland", "Mixed Holdings"}),
        ({"country": "FR", "report_type": "Packaging"}, {"Mixed Holdings", "Citeo Customer SARL"}),
        ({"country": "FR", "report_type": "WEEE"}, set()),
        ({"country": "NL", "report_type": "Batteries", "pro": "Stichting OPEN"}, {"Battery Works"}),
        ({"country": "DE", "pro": "Citeo"}, set()),
        ({"report_type": "Packaging", "pro": "Citeo"}, {"Citeo Customer SARL"}),
        ({"country": "DE,NL", "report_type": "Batteries"}, {"Battery Works"}),
    ],
)
def test_country_report_type_and_pro_must_hold_for_one_credential_or_obligation(
    portfolio, params, expected
):
    assert matching(portfolio, **params) == expected


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ("archived", {"Battery Works"}),
        ("ONBOARDING,inactive", {"Citeo Customer SARL", "Nothing Yet BV"}),
        ("active", {"Weee Deutschland", "Mixed Holdings"}),
    ],
)
def test_status_is_a_comma_list(portfolio, statuses, expected):
    assert matching(portfolio, status=statuses) == expected


def test_collective_account_true_lists_only_collective_accounts(portfolio):
    assert matching(portfolio, collective_account="true") == {"Collective Account - Stichting Open"}


def test_collective_account_false_is_the_default(portfolio):
    assert matching(portfolio, collective_account="false") == matching(portfolio)


def test_search_status_and_country_combine(portfolio):
    assert matching(portfolio, search="e", status="active", country="FR") == {"Mixed Holdings"}


def test_every_filter_together(portfolio):
    params = {
        "search": "battery",
        "companyNameOnly": "true",
        "country": "NL",
        "report_type": "WEEE",
        "pro": "Stichting OPEN",
        "status": "archived",
        "collective_account": "false",
    }

    assert matching(portfolio, **params) == {"Battery Works"}


def test_unknown_values_are_errors_naming_the_valid_choices(organization):
    found = errors(
        organization,
        country="DE,XX,YY",
        report_type="Plastics",
        pro="Nobody",
        status="paused",
        companyNameOnly="perhaps",
    )

    assert found["country"][0].startswith("Unknown country 'XX'. Valid countries: AT,")
    assert found["country"][1].startswith("Unknown country 'YY'.")
    assert found["report_type"] == [
        "Unknown report type 'Plastics'. Valid report types: "
        "Batteries, Furniture, Packaging, Paper, Textiles, WEEE."
    ]
    assert found["pro"][0].startswith("Unknown PRO 'Nobody'. Valid PROs: ")
    assert "Citeo" in found["pro"][0]
    assert found["status"] == [
        "Unknown status paused. Valid statuses: active, onboarding, inactive, archived."
    ]
    assert found["companyNameOnly"] == ["Use true or false, not 'perhaps'."]


@pytest.mark.parametrize("value", ["1", "yes", "TRUE", "True"])
def test_booleans_accept_the_usual_spellings_of_true(portfolio, value):
    assert matching(portfolio, collective_account=value) == {"Collective Account - Stichting Open"}


# The question: what a request asks, the key of its cached answer.


def question(**params):
    filterset = ClientFilterSet(data=params, queryset=Client.objects.none())
    assert filterset.is_valid(), filterset.errors
    return filterset.question


def test_requests_spelling_the_same_filter_differently_ask_the_same_question():
    assert question(
        country="DE,FR", report_type="weee", pro="Stiftung EAR", status="active,archived"
    ) == question(
        country="fr, de", report_type="WEEE", pro="stiftung ear", status="archived,active"
    )


def test_company_name_only_without_a_search_asks_the_same_question():
    assert question(companyNameOnly="true") == question()
    assert question(companyNameOnly="true", search="Acme") != question(search="Acme")


@pytest.mark.parametrize(
    ("params", "beyond"),
    [
        ({}, False),
        ({"status": "active"}, False),
        ({"collective_account": "true"}, False),
        ({"search": "Acme"}, True),
        ({"country": "DE"}, True),
        ({"report_type": "WEEE"}, True),
        ({"pro": "Citeo"}, True),
    ],
)
def test_only_search_and_catalog_filters_look_beyond_the_clients_own_columns(params, beyond):
    assert question(**params).looks_beyond_clients is beyond
