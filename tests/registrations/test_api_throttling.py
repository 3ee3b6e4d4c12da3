"""Request rates of the `/users` routes: per API key, and per client address without a valid
one, answered in the route family's error shape."""

import pytest
from rest_framework.test import APIClient


def wrong_key_client(address: str = "203.0.113.7") -> APIClient:
    client = APIClient(REMOTE_ADDR=address)
    client.credentials(HTTP_AUTHORIZATION="fsk_wrong")
    return client


def assert_throttled_in_contract_shape(response) -> None:
    assert response.status_code == 429
    body = response.json()
    assert set(body) == {"error", "message", "details"}
    assert body["error"] == "ALGOREP_029"
    assert body["message"].startswith("Request was throttled.")
    assert int(response["Retry-After"]) > 0
    assert body["details"] == {"retryAfter": int(response["Retry-After"])}


@pytest.mark.django_db
def test_a_wrong_key_past_the_address_budget_answers_429_algorep_029(throttle_rates, upsert_url):
    throttle_rates(anon="3/min")
    client = wrong_key_client()
    statuses = [client.post(upsert_url, [], format="json").status_code for _ in range(3)]

    response = client.post(upsert_url, [], format="json")

    assert statuses == [401, 401, 401]
    assert_throttled_in_contract_shape(response)


@pytest.mark.django_db
def test_an_api_key_past_its_budget_answers_429_algorep_029(throttle_rates, users_api, upsert_url):
    throttle_rates(api_key="2/min")
    for _ in range(2):
        assert users_api.post(upsert_url, [], format="json").status_code == 200

    response = users_api.post(upsert_url, [], format="json")

    assert_throttled_in_contract_shape(response)


@pytest.mark.django_db
def test_two_api_keys_from_one_address_have_separate_budgets(
    throttle_rates, key_api, organization, upsert_url
):
    throttle_rates(api_key="2/min")
    first, second = key_api(organization), key_api(organization)
    for _ in range(3):
        first.post(upsert_url, [], format="json")

    response = second.post(upsert_url, [], format="json")

    assert response.status_code == 200


@pytest.mark.django_db
def test_a_valid_key_is_not_refused_for_its_address_wrong_keys(
    throttle_rates, users_api, upsert_url
):
    throttle_rates(anon="3/min")
    for _ in range(4):
        wrong_key_client("127.0.0.1").post(upsert_url, [], format="json")

    response = users_api.post(upsert_url, [], format="json")

    assert response.status_code == 200
