"""Upserts racing each other (or another writer) on PostgreSQL, in real concurrent transactions.

Each race is forced, not hoped for: the first writer inserts and keeps its transaction open;
the second request runs in its own thread and connection until PostgreSQL makes it wait on the
first one's row; only then does the first commit.
"""

import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from registrations.models import Registration
from registrations.services import registrations_upsert
from tests.factories import FrontendUserFactory, ProducerFactory, scheme

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_catalog"),
]

# How long the race may take to set up before the test gives up (it never waits that long
# when the second request blocks as expected).
SETUP_DEADLINE_SECONDS = 30


def another_backend_waits_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            " AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


class Thread(threading.Thread):
    """Runs `target` on its own database connection; keeps its result or its exception."""

    def __init__(self, target: Callable):
        super().__init__(daemon=True)
        self.work = target
        self.result = None
        self.error: BaseException | None = None

    def run(self):
        try:
            self.result = self.work()
        except BaseException as error:
            self.error = error
        finally:
            connection.close()


def race(first_write: Callable, second: Callable):
    """`first_write` inside a transaction kept open until `second` (another connection) waits
    on a lock it holds; then it commits. Answers `second`'s result."""
    wrote, release = threading.Event(), threading.Event()

    def first():
        with transaction.atomic():
            first_write()
            wrote.set()
            assert release.wait(SETUP_DEADLINE_SECONDS), "the second request never started"

    first_thread = Thread(first)
    first_thread.start()
    assert wrote.wait(SETUP_DEADLINE_SECONDS), f"the first write failed: {first_thread.error!r}"
    second_thread = Thread(second)
    second_thread.start()
    deadline = time.monotonic() + SETUP_DEADLINE_SECONDS
    while not another_backend_waits_on_a_lock():
        assert second_thread.is_alive(), "the second request finished without waiting"
        assert time.monotonic() < deadline, "the second request never waited on the first"
        time.sleep(0.01)
    release.set()
    first_thread.join()
    second_thread.join()
    assert first_thread.error is None, first_thread.error
    assert second_thread.error is None, second_thread.error
    return second_thread.result


@pytest.fixture
def frontend_user(organization):
    return FrontendUserFactory(organization=organization)


@pytest.fixture
def producers(organization, frontend_user):
    return [ProducerFactory(organization=organization, users=[frontend_user]) for _ in range(2)]


@pytest.fixture
def refashion():
    return scheme("FR", "Refashion", "Textiles")


@pytest.fixture
def post_upsert(api_key_for, organization, frontend_user):
    key = api_key_for(organization)

    def post(producer, items):
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=key)
        url = f"/users/{frontend_user.bubble_id}/producers/{producer.nrn}/registrations"
        return lambda: api.post(url, items, format="json")

    return post


def test_a_concurrent_upsert_of_the_same_new_bubble_id_for_the_same_producer_updates_it(
    producers, refashion, post_upsert
):
    producer = producers[0]

    response = race(
        lambda: registrations_upsert(
            producer=producer,
            items=[{"bubble_id": "1711x1", "scheme_pro_id": refashion.pk, "status": "first"}],
        ),
        post_upsert(producer, [{"bubbleId": "1711x1", "status": "second"}]),
    )

    assert response.status_code == 200
    stored = Registration.objects.get()
    assert (response.json()[0]["id"], stored.bubble_id, stored.status) == (
        str(stored.pk),
        "1711x1",
        "second",
    )


def test_a_concurrent_upsert_of_another_producers_new_bubble_id_answers_400_not_500(
    producers, refashion, post_upsert
):
    first_producer, second_producer = producers

    response = race(
        lambda: registrations_upsert(
            producer=first_producer,
            items=[{"bubble_id": "1711x1", "scheme_pro_id": refashion.pk, "status": "first"}],
        ),
        post_upsert(
            second_producer,
            [{"bubbleId": "1711x1", "schemeProId": str(refashion.pk), "status": "second"}],
        ),
    )

    assert response.status_code == 400
    assert response.json() == {
        "error": "ALGOREP_005",
        "message": "Bad Request",
        "details": {"0": {"bubbleId": ["The registration '1711x1' belongs to another producer."]}},
    }
    assert list(Registration.objects.values_list("producer", "bubble_id", "status")) == [
        (first_producer.pk, "1711x1", "first")
    ]


def test_an_upsert_racing_another_writer_for_the_same_scheme_updates_its_registration(
    producers, refashion, post_upsert
):
    producer = producers[0]

    response = race(
        lambda: Registration.objects.create(producer=producer, scheme=refashion, status="admin"),
        post_upsert(producer, [{"schemeProId": str(refashion.pk), "status": "upsert"}]),
    )

    assert response.status_code == 200
    stored = Registration.objects.get()
    assert (response.json()[0]["id"], stored.status) == (str(stored.pk), "upsert")
