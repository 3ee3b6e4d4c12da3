"""The client list's total read from the statistics' kept counts: for the questions they count
(statuses alone, one country, one report type, or no filter) it is the same number a count of
the rows gives, within the writer's own transaction too; any other question is counted."""

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test.utils import CaptureQueriesContext

from clients.models import ClientStatus, PortfolioStat
from clients.selectors import ClientMatches, clients_covering_count
from tests.factories import ClientFactory, CredentialFactory, ObligationFactory, country

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_catalog"),
]

KEPT = ["", "?status=active", "?status=active,onboarding", "?country=DE", "?report_type=WEEE"]
COUNTED = [
    "?country=DE,FR",
    "?country=DE&report_type=WEEE",
    "?country=DE&status=active",
    "?report_type=WEEE,Packaging",
    "?search=Lum",
    "?collective_account=true",
]


@pytest.fixture
def portfolio(organization):
    weee_de = ClientFactory(organization=organization, name="Lumen", status=ClientStatus.ACTIVE)
    CredentialFactory(client=weee_de, report_types=["WEEE"])
    ObligationFactory(client=weee_de, country=country("DE"))
    weee_fr = ClientFactory(organization=organization, status=ClientStatus.ONBOARDING)
    ObligationFactory(client=weee_fr, country=country("FR"))
    ClientFactory(organization=organization, status=ClientStatus.INACTIVE)
    collective = ClientFactory(organization=organization, collective_account=True)
    CredentialFactory(client=collective, report_types=["WEEE"])
    CredentialFactory(client=ClientFactory(), report_types=["WEEE"])  # another organization's


def totals(api, questions):
    return {
        question: api.get(f"/logins/clients{question}").json()["total"] for question in questions
    }


def reads_kept_counts(api, question) -> bool:
    from django.db import connection

    with CaptureQueriesContext(connection) as queries:
        assert api.get(f"/logins/clients{question}").status_code == 200
    return any("clients_portfoliostat" in query["sql"] for query in queries)


def test_kept_totals_equal_the_totals_counted_from_the_rows(
    staff_api, organization, portfolio, monkeypatch
):
    kept = totals(staff_api, KEPT)
    cache.clear()
    monkeypatch.setattr(ClientMatches, "_kept_total", lambda self: None)

    assert totals(staff_api, KEPT) == kept


def test_the_totals_of_the_fixture(staff_api, organization, portfolio):
    assert totals(staff_api, KEPT) == {
        "": 3,
        "?status=active": 1,
        "?status=active,onboarding": 2,
        "?country=DE": 1,
        "?report_type=WEEE": 2,
    }
    assert totals(staff_api, COUNTED) == {
        "?country=DE,FR": 2,
        "?country=DE&report_type=WEEE": 1,
        "?country=DE&status=active": 1,
        "?report_type=WEEE,Packaging": 2,
        "?search=Lum": 1,
        "?collective_account=true": 1,
    }


@pytest.mark.parametrize("question", KEPT)
def test_these_questions_read_the_kept_counts(staff_api, portfolio, question):
    assert reads_kept_counts(staff_api, question)


@pytest.mark.parametrize("question", COUNTED)
def test_other_questions_are_counted_from_the_rows(staff_api, portfolio, question):
    assert not reads_kept_counts(staff_api, question)


def test_an_organization_with_clients_shared_with_it_counts_them(
    staff_api, organization, portfolio
):
    shared = ClientFactory(client_organization=organization, shared=True)
    CredentialFactory(client=shared, report_types=["WEEE"])

    assert totals(staff_api, ["", "?status=active", "?report_type=WEEE"]) == {
        "": 4,
        "?status=active": 2,
        "?report_type=WEEE": 3,
    }
    assert not reads_kept_counts(staff_api, "?status=active")


def test_the_total_follows_the_kept_count(staff_api, organization, portfolio):
    # The same number by two ways; here the kept one is made wrong to show which is read.
    PortfolioStat.objects.filter(organization=organization, dimension="status").update(clients=10)

    assert staff_api.get("/logins/clients?status=active").json()["total"] == 10


def test_the_writers_transaction_sees_its_own_changes(organization, portfolio):
    from clients.selectors import client_list
    from clients.selectors.listing import ClientQuestion

    question = ClientQuestion(
        search="",
        company_name_only=False,
        countries=(country("DE").pk,),
        report_types=(),
        pros=(),
        statuses=(),
        collective_account=False,
        ordering="name",
    )
    with transaction.atomic():
        ObligationFactory(client=ClientFactory(organization=organization), country=country("DE"))
        matches = ClientMatches(
            organization=organization,
            version=None,
            clients=client_list(organization=organization, version=None),
            question=question,
        )
        assert matches.count() == 2
        assert (
            clients_covering_count(
                organization=organization, collective_account=False, countries=question.countries
            )
            == 2
        )
