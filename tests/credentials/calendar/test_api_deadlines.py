import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from clients.models import Role
from tests.factories import ClientFactory, CredentialFactory, ObligationFactory, country, pro

pytestmark = pytest.mark.django_db

URL = "/logins/deadlines"


@pytest.fixture(autouse=True)
def first_of_march(freeze_now):
    freeze_now(datetime.datetime(2026, 3, 1, 9, 0))


def test_the_list_answers_the_deadlines_of_the_default_window(staff_api, organization):
    client = ClientFactory(organization=organization, name="Alpha")
    credential = CredentialFactory(client=client)

    response = staff_api.get(URL)

    assert response.status_code == 200
    assert response.json() == {
        "count": 2,
        "total": 2,
        "offset": 0,
        "limit": 10,
        "results": [
            {
                "client_id": client.pk,
                "client_name": "Alpha",
                "country": "DE",
                "pro": "Stiftung EAR",
                "report_type": "WEEE",
                "period": period,
                "due_date": due,
                "status": status,
                "credential_id": credential.pk,
                "submission_id": None,
            }
            for period, due, status in [
                ("2026-02", "2026-03-15", "due_soon"),
                ("2026-03", "2026-04-15", "upcoming"),
            ]
        ],
    }


def test_a_window_can_be_given_with_from_and_to(staff_api, organization):
    CredentialFactory(client=ClientFactory(organization=organization))

    response = staff_api.get(URL, {"from": "2026-01-01", "to": "2026-01-31"})

    assert [(r["period"], r["status"]) for r in response.json()["results"]] == [
        ("2025-12", "overdue")
    ]


def test_offset_and_limit_page_through_the_deadlines(staff_api, organization):
    CredentialFactory(client=ClientFactory(organization=organization))

    response = staff_api.get(URL, {"offset": 1, "limit": 1})

    body = response.json()
    assert (body["count"], body["offset"], body["limit"]) == (2, 1, 1)
    assert [r["period"] for r in body["results"]] == ["2026-03"]


def test_a_limit_above_100_is_capped(staff_api):
    assert staff_api.get(URL, {"limit": 1000}).json()["limit"] == 100


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": "-1"}, "limit"),
        ({"offset": "x"}, "offset"),
        ({"from": "2026-13-01"}, "from"),
        ({"status": "late"}, "status"),
        ({"country": "XX"}, "country"),
        ({"pro": "Nobody"}, "pro"),
        ({"report_type": "Cars"}, "report_type"),
        ({"client": "abc"}, "client"),
    ],
)
def test_bad_parameters_answer_400_naming_the_parameter(staff_api, query, field):
    response = staff_api.get(URL, query)

    assert response.status_code == 400
    assert field in response.json()


def test_an_unknown_status_names_the_valid_ones(staff_api):
    response = staff_api.get(URL, {"status": "late"})

    assert response.json() == {
        "status": ["Unknown status late. Valid statuses: submitted, overdue, due_soon, upcoming."]
    }


def test_from_after_to_is_a_400(staff_api):
    response = staff_api.get(URL, {"from": "2026-05-01", "to": "2026-04-01"})

    assert response.status_code == 400
    assert response.json() == {"from": ["`from` is after `to`."]}


def test_a_ten_year_window_is_a_400_saying_the_limit(staff_api):
    response = staff_api.get(URL, {"from": "2026-01-01", "to": "2035-12-31"})

    assert response.status_code == 400
    assert "at most two years" in response.json()["to"][0]


def test_another_organizations_client_id_is_a_400_as_an_unknown_one(staff_api, other_organization):
    other = ClientFactory(organization=other_organization)

    response = staff_api.get(URL, {"client": str(other.pk)})

    assert response.json() == {"client": [f"No client with id {other.pk} here."]}


def test_repeated_parameters_merge(staff_api, organization):
    CredentialFactory(client=ClientFactory(organization=organization))

    response = staff_api.get(f"{URL}?from=2026-02-01&to=2026-03-31&status=overdue&status=due_soon")

    assert [r["status"] for r in response.json()["results"]] == ["overdue", "due_soon"]


def test_catalog_filters_narrow_the_list(staff_api, organization):
    CredentialFactory(client=ClientFactory(organization=organization, name="Alpha"))
    ObligationFactory(client=ClientFactory(organization=organization, name="Beta"))

    response = staff_api.get(
        URL, {"country": "de", "pro": "stiftung ear", "report_type": "weee", "status": "due_soon"}
    )

    assert [r["client_name"] for r in response.json()["results"]] == ["Alpha", "Beta"]


def test_a_country_filter_leaves_out_other_countries(staff_api, organization):
    CredentialFactory(client=ClientFactory(organization=organization))

    assert staff_api.get(URL, {"country": "FR"}).json()["count"] == 0


def test_a_client_filter_keeps_only_that_client(staff_api, organization):
    alpha = ClientFactory(organization=organization, name="Alpha")
    CredentialFactory(client=alpha)
    CredentialFactory(client=ClientFactory(organization=organization, name="Beta"))

    response = staff_api.get(URL, {"client": str(alpha.pk)})

    assert {r["client_name"] for r in response.json()["results"]} == {"Alpha"}


def test_another_organizations_deadlines_are_never_listed(other_org_api, organization):
    CredentialFactory(client=ClientFactory(organization=organization))

    assert other_org_api.get(URL).json()["count"] == 0


def test_a_viewer_reads_the_deadlines(viewer_api, organization):
    CredentialFactory(client=ClientFactory(organization=organization))

    assert viewer_api.get(URL).json()["count"] == 2


def test_an_anonymous_request_is_refused(anonymous_api):
    assert anonymous_api.get(URL).status_code == 401


def test_a_trailing_slash_works_too(staff_api):
    assert staff_api.get(URL + "/").status_code == 200


def _portfolio(organization, size: int) -> None:
    for index in range(size):
        client = ClientFactory(organization=organization)
        CredentialFactory(client=client, interval="quarterly" if index % 2 else None)
        CredentialFactory(
            client=client,
            country=country("BE"),
            pro=pro("BE", "Fost Plus"),
            report_types=["Packaging"],
        )
        ObligationFactory(client=client, country=country("DE"), pro=None)


def _queries(api, query) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert api.get(URL, query).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "query",
    [
        {"from": "2026-01-01", "to": "2027-03-31"},
        {"country": "DE,BE", "pro": "Stiftung EAR", "report_type": "WEEE", "status": "overdue"},
        {"from": "2026-01-01", "status": "upcoming,overdue", "offset": "3", "limit": "2"},
        {"offset": "1000"},
        {"limit": "0"},
    ],
)
def test_the_number_of_queries_does_not_grow_with_the_portfolio(
    api_client_for, organization, other_organization, query
):
    small_api = api_client_for(organization, Role.STAFF)
    large_api = api_client_for(other_organization, Role.STAFF)
    _portfolio(organization, 2)
    _portfolio(other_organization, 25)

    assert _queries(small_api, query) == _queries(large_api, query)


def test_each_page_is_its_slice_of_the_whole_list(staff_api, organization):
    _portfolio(organization, 6)
    query = {"from": "2026-01-01", "to": "2026-12-31"}
    whole = staff_api.get(URL, {**query, "limit": "100"}).json()

    pages = [
        staff_api.get(URL, {**query, "offset": str(start), "limit": "7"}).json()
        for start in range(0, whole["total"], 7)
    ]

    assert [row for page in pages for row in page["results"]] == whole["results"]
    assert {page["total"] for page in pages} == {whole["total"]}


def test_a_page_past_the_end_answers_the_total_and_no_rows(staff_api, organization):
    _portfolio(organization, 2)
    total = staff_api.get(URL).json()["total"]

    response = staff_api.get(URL, {"offset": "500"})

    assert response.json()["results"] == []
    assert response.json()["total"] == total > 0


def test_a_limit_of_0_answers_only_the_total(staff_api, organization):
    _portfolio(organization, 2)
    total = staff_api.get(URL).json()["total"]

    response = staff_api.get(URL, {"limit": "0"})

    assert response.json()["results"] == []
    assert response.json()["total"] == total > 0


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("client=²", "client"),
        ("client=٣", "client"),
        ("client=0", "client"),
        # Every parameter reads as a comma list would: two dates are not a date.
        ("from=2026-01-01&from=2026-02-01", "from"),
        ("client=9223372036854775808", "client"),
        ("from=9999-12-01", "from"),
        ("from=9999-01-01&to=9999-12-31", "from"),
        ("from=0001-01-01&to=0001-02-01", "from"),
    ],
)
def test_values_the_calendar_cannot_compute_answer_400_naming_the_field(
    staff_api, organization, query, field
):
    CredentialFactory(client=ClientFactory(organization=organization))

    response = staff_api.get(f"{URL}?{query}")

    assert response.status_code == 400
    assert field in response.json()


def test_an_offset_past_any_portfolio_answers_an_empty_page(staff_api, organization):
    CredentialFactory(client=ClientFactory(organization=organization))

    response = staff_api.get(f"{URL}?offset=9223372036854775808")

    assert response.status_code == 200
    assert (response.json()["results"], response.json()["total"]) == ([], 2)
