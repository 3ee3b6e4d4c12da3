"""The list questions the lower-bound SQL answers, read from the list's URL parameters."""

import pytest

from bench.lower_bounds import ListQuestion, list_answer_of, list_lower_bound
from tests.factories import (
    AliasFactory,
    ClientFactory,
    CredentialFactory,
    ObligationFactory,
    pro,
)


def test_a_list_question_reads_lists_search_and_page_from_the_url_parameters():
    question = ListQuestion.from_params(
        {"country": "DE, FR", "report_type": "WEEE", "search": " Nordic ", "offset": "5000"}
    )

    assert question.countries == ("DE", "FR")
    assert question.report_types == ("WEEE",)
    assert question.search == "Nordic"
    assert (question.offset, question.limit) == (5000, 10)


def test_a_list_question_caps_the_limit_as_the_list_does():
    assert ListQuestion.from_params({"limit": "500"}).limit == 100


@pytest.mark.postgresql
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"search": "nordic"},
        {"search": "ops@"},
        {"search": "nordic", "country": "DE", "report_type": "Packaging", "status": "active"},
        {"search": "nordic", "companyNameOnly": "true"},
        {"country": "DE,FR", "report_type": "WEEE"},
        {"pro": "Landbell"},
        {"status": "active,onboarding", "offset": "1", "limit": "2"},
    ],
    ids=str,
)
def test_the_lower_bound_answers_as_the_list_does(params, staff_api, organization):
    for number, status in enumerate(["active", "active", "archived", "onboarding", "active"]):
        client = ClientFactory(
            organization=organization, name=f"Nordic {number}", status=status, notes=""
        )
        CredentialFactory(
            client=client,
            report_types=["Packaging" if number % 2 else "WEEE"],
            pro=pro("DE", "Landbell" if number % 2 else "Stiftung EAR"),
            login=f"ops@{number}.example",
        )
    ObligationFactory(client=ClientFactory(organization=organization, name="Alpine"))
    AliasFactory(client=ClientFactory(organization=organization, name="Other"), name="NORDIC")

    response = staff_api.get("/logins/clients", params)
    answer = list_lower_bound(organization.pk, params)()

    assert response.status_code == 200, response.content
    assert answer == list_answer_of(response.json())
    assert answer.total > 0
