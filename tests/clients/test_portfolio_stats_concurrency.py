"""The kept statistics under concurrent writers of one organization, on PostgreSQL, in real
concurrent transactions: writers do not wait for each other, and the counts end equal to a
count of the rows."""

import threading

import pytest
from django.db import connection, transaction

from clients.models import Client
from clients.portfolio_stats import portfolio_drift
from clients.selectors import client_stats, client_stats_recount
from credentials.models import Credential
from tests.factories import ClientFactory, CredentialFactory, OrganizationFactory, country

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_catalog"),
]

WAIT_SECONDS = 30


def in_thread(work) -> threading.Thread:
    errors = []

    def run():
        try:
            work()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.errors = errors
    thread.start()
    return thread


def test_a_second_writer_of_the_organization_commits_while_the_first_is_open():
    organization = OrganizationFactory()
    first_client, second_client = ClientFactory.create_batch(2, organization=organization)
    wrote, release = threading.Event(), threading.Event()

    def first():
        with transaction.atomic():
            CredentialFactory(client=first_client, report_types=["WEEE"])
            wrote.set()
            assert release.wait(WAIT_SECONDS)

    first_thread = in_thread(first)
    assert wrote.wait(WAIT_SECONDS)
    second_thread = in_thread(
        lambda: CredentialFactory(client=second_client, report_types=["WEEE"])
    )
    second_thread.join(WAIT_SECONDS)
    second_finished_while_first_open = not second_thread.is_alive()
    release.set()
    first_thread.join(WAIT_SECONDS)

    assert second_finished_while_first_open
    assert first_thread.errors == second_thread.errors == []
    assert client_stats(organization=organization)["by_country"] == {"DE": 2}
    assert portfolio_drift() == []


def test_concurrent_writers_leave_no_drift():
    organization = OrganizationFactory()
    clients = ClientFactory.create_batch(6, organization=organization)
    for client in clients[:3]:
        CredentialFactory(client=client, report_types=["WEEE", "Batteries"])
    start = threading.Barrier(3)

    def add_credentials():
        start.wait(WAIT_SECONDS)
        for client in clients[3:]:
            with transaction.atomic():
                CredentialFactory(client=client, country=country("DE"), report_types=["WEEE"])

    def delete_credentials():
        start.wait(WAIT_SECONDS)
        for client in clients[:3]:
            with transaction.atomic():
                Credential.objects.filter(client=client).delete()

    def change_statuses():
        start.wait(WAIT_SECONDS)
        for client in clients:
            with transaction.atomic():
                Client.objects.filter(pk=client.pk).update(status="archived")

    threads = [in_thread(work) for work in (add_credentials, delete_credentials, change_statuses)]
    for thread in threads:
        thread.join(WAIT_SECONDS)

    assert [thread.errors for thread in threads] == [[], [], []]
    assert portfolio_drift() == []
    stats = client_stats(organization=organization)
    assert stats == client_stats_recount(organization=organization)
    assert stats["by_status"] == {"archived": 6}
    assert stats["by_country"] == {"DE": 3}
