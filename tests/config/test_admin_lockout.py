"""The admin login locks a username out from one address after repeated failures (django-axes)."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone

LOGIN_URL = "/admin/login/?next=/admin/"
PASSWORD = "correct-horse-battery"


@pytest.fixture
def superuser(django_user_model):
    return django_user_model.objects.create_superuser("root", "root@example.com", PASSWORD)


@pytest.fixture(autouse=True)
def failure_limit(settings):
    settings.AXES_FAILURE_LIMIT = 3
    return settings.AXES_FAILURE_LIMIT


def log_in(password: str, address: str = "203.0.113.7", username: str = "root"):
    client = Client(REMOTE_ADDR=address)
    response = client.post(LOGIN_URL, {"username": username, "password": password})
    return client, response


def is_logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def fail(times: int, address: str = "203.0.113.7") -> None:
    for _ in range(times):
        log_in("wrong", address)


@pytest.mark.django_db
def test_a_correct_password_before_the_limit_logs_in(superuser, failure_limit):
    fail(failure_limit - 1)

    client, response = log_in(PASSWORD)

    assert response.status_code == 302
    assert is_logged_in(client)


@pytest.mark.django_db
def test_after_the_limit_the_correct_password_is_refused_too(superuser, failure_limit):
    fail(failure_limit)

    client, response = log_in(PASSWORD)

    assert response.status_code == 429
    assert not is_logged_in(client)


@pytest.mark.django_db
def test_the_lockout_holds_only_for_the_address_that_failed(superuser, failure_limit):
    fail(failure_limit, address="203.0.113.7")

    client, response = log_in(PASSWORD, address="198.51.100.9")

    assert response.status_code == 302
    assert is_logged_in(client)


@pytest.mark.django_db
def test_the_lockout_ends_after_the_cool_off(superuser, failure_limit, settings):
    fail(failure_limit)
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(minutes=1)
    )

    client, response = log_in(PASSWORD)

    assert response.status_code == 302
    assert is_logged_in(client)


@pytest.mark.django_db
def test_a_locked_out_user_keeps_using_the_api_with_a_token(admin_api, failure_limit, organization):
    admin_api.user.set_password(PASSWORD)
    admin_api.user.save()
    username = admin_api.user.username
    for _ in range(failure_limit):
        log_in("wrong", address="127.0.0.1", username=username)
    assert log_in(PASSWORD, address="127.0.0.1", username=username)[1].status_code == 429

    response = admin_api.get("/logins/clients")

    assert response.status_code == 200


@pytest.mark.django_db
def test_a_recorded_attempt_masks_the_password(superuser):
    fail(1)

    attempt = AccessAttempt.objects.get()

    assert attempt.username == "root"
    assert attempt.ip_address == "203.0.113.7"
    assert "password=" in attempt.post_data
    assert "wrong" not in attempt.post_data
