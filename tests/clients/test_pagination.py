"""offset/limit of GET /logins/clients (clients.api.pagination.ClientPagination)."""

import pytest

from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def twelve_clients(organization):
    return [ClientFactory(organization=organization, name=f"Client {n:02d}") for n in range(12)]


def page(api, query=""):
    body = api.get(f"/logins/clients?{query}").json()
    return body, [client["name"] for client in body["clients"]]


def test_defaults_are_offset_0_and_limit_10(staff_api, twelve_clients):
    body, names = page(staff_api)

    assert (body["total"], body["offset"], body["limit"]) == (12, 0, 10)
    assert names == [f"Client {n:02d}" for n in range(10)]


def test_offset_and_limit_select_a_window(staff_api, twelve_clients):
    body, names = page(staff_api, "offset=3&limit=2")

    assert names == ["Client 03", "Client 04"]
    assert (body["total"], body["offset"], body["limit"]) == (12, 3, 2)


def test_the_last_page_may_be_short(staff_api, twelve_clients):
    _, names = page(staff_api, "offset=10&limit=10")

    assert names == ["Client 10", "Client 11"]


@pytest.mark.parametrize("offset", [12, 13, 1_000_000, 10**30])
def test_an_offset_at_or_past_the_end_answers_an_empty_page_with_the_total(
    staff_api, twelve_clients, offset
):
    body, names = page(staff_api, f"offset={offset}")

    assert names == []
    assert (body["total"], body["offset"]) == (12, offset)


def test_limit_0_answers_only_the_total(staff_api, twelve_clients):
    body, names = page(staff_api, "limit=0")

    assert names == []
    assert (body["total"], body["limit"]) == (12, 0)


def test_a_limit_above_100_is_capped_and_the_answer_says_so(staff_api, organization):
    for n in range(101):
        ClientFactory(organization=organization, name=f"Many {n:03d}")

    body, names = page(staff_api, "limit=1000")

    assert len(names) == 100
    assert (body["total"], body["limit"]) == (101, 100)


@pytest.mark.parametrize("query", ["limit=-1", "limit=abc", "limit=1e3", "offset=-1", "offset=x"])
def test_negative_or_non_numeric_values_answer_400(staff_api, twelve_clients, query):
    parameter, value = query.split("=")

    response = staff_api.get(f"/logins/clients?{query}")

    assert response.status_code == 400
    assert response.json() == {parameter: [f"Must be a whole number of 0 or more, not '{value}'."]}


def test_empty_values_mean_the_defaults(staff_api, twelve_clients):
    body, _ = page(staff_api, "offset=&limit=")

    assert (body["offset"], body["limit"]) == (0, 10)


def test_filters_and_pagination_combine(staff_api, twelve_clients):
    body, names = page(staff_api, "search=Client%201&limit=1&offset=1")

    assert body["total"] == 2
    assert names == ["Client 11"]
