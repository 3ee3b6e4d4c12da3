"""Request rates of the `/logins` routes: per token, and per client address without one."""

import pytest
from rest_framework.test import APIClient

CLIENTS_URL = "/logins/clients"


def wrong_token_client(address: str = "203.0.113.7") -> APIClient:
    client = APIClient(REMOTE_ADDR=address)
    client.credentials(HTTP_AUTHORIZATION="Token 0000000000000000000000000000000000000000")
    return client


def assert_throttled(response) -> None:
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["detail"].startswith("Request was throttled.")


@pytest.mark.django_db
def test_wrong_tokens_answer_401_within_the_address_budget(throttle_rates):
    throttle_rates(anon="3/min")
    client = wrong_token_client()

    statuses = [client.get(CLIENTS_URL).status_code for _ in range(3)]

    assert statuses == [401, 401, 401]


@pytest.mark.django_db
def test_a_wrong_token_past_the_address_budget_answers_429_with_retry_after(throttle_rates):
    throttle_rates(anon="3/min")
    client = wrong_token_client()
    for _ in range(3):
        client.get(CLIENTS_URL)

    response = client.get(CLIENTS_URL)

    assert_throttled(response)


@pytest.mark.django_db
def test_requests_without_credentials_spend_the_same_address_budget(throttle_rates):
    throttle_rates(anon="3/min")
    for _ in range(3):
        wrong_token_client().get(CLIENTS_URL)

    response = APIClient(REMOTE_ADDR="203.0.113.7").get(CLIENTS_URL)

    assert_throttled(response)


@pytest.mark.django_db
def test_another_address_keeps_its_own_budget_for_wrong_tokens(throttle_rates):
    throttle_rates(anon="3/min")
    for _ in range(4):
        wrong_token_client("203.0.113.7").get(CLIENTS_URL)

    response = wrong_token_client("198.51.100.9").get(CLIENTS_URL)

    assert response.status_code == 401


@pytest.mark.django_db
def test_behind_trusted_proxies_the_forwarded_address_is_counted(throttle_rates, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    throttle_rates(anon="3/min")
    for _ in range(4):
        wrong_token_client("10.0.0.2").get(CLIENTS_URL, HTTP_X_FORWARDED_FOR="203.0.113.7")

    response = wrong_token_client("10.0.0.2").get(CLIENTS_URL, HTTP_X_FORWARDED_FOR="198.51.100.9")

    assert response.status_code == 401


@pytest.mark.django_db
def test_a_valid_token_is_not_refused_for_its_address_wrong_tokens(throttle_rates, staff_api):
    throttle_rates(anon="3/min")
    for _ in range(4):
        wrong_token_client("127.0.0.1").get(CLIENTS_URL)

    response = staff_api.get(CLIENTS_URL)

    assert response.status_code == 200


@pytest.mark.django_db
def test_a_token_past_its_budget_answers_429_with_retry_after(throttle_rates, staff_api):
    throttle_rates(user="2/min")
    for _ in range(2):
        assert staff_api.get(CLIENTS_URL).status_code == 200

    response = staff_api.get(CLIENTS_URL)

    assert_throttled(response)


@pytest.mark.django_db
def test_two_tokens_from_one_address_have_separate_budgets(
    throttle_rates, api_client_for, organization
):
    throttle_rates(user="2/min")
    first, second = api_client_for(organization), api_client_for(organization)
    for _ in range(3):
        first.get(CLIENTS_URL)

    response = second.get(CLIENTS_URL)

    assert response.status_code == 200
