"""Two background jobs of one organization running at once, on PostgreSQL."""

import threading
import time

import pytest
from django.db import connection

from clients.models import Client
from credentials.client_import import clients_import, jobs, plan
from credentials.client_import.jobs import import_job_run
from credentials.models import ClientImport, Credential

pytestmark = [
    pytest.mark.postgresql,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("committed_catalog"),
]

MAPPING = ["name", "country", "report_type", "pro", "login", "password"]


def rows(login: str) -> list[list[str]]:
    return [
        [f"Shared client {n:03d}", "DE", "WEEE", "Stiftung EAR", f"{login}-{n}", "Pw"]
        for n in range(40)
    ]


def test_two_jobs_of_one_organization_never_interleave_their_writes(organization, monkeypatch):
    monkeypatch.setattr(plan, "CHUNK_ROWS", 5)
    monkeypatch.setattr(jobs, "CHUNK_ROWS", 5)
    monkeypatch.setattr(jobs, "_enqueue", lambda job_id: None)
    first, second = (
        clients_import(
            organization=organization, user=None, rows=rows(login), mapping=MAPPING, background=True
        ).job
        for login in ("first", "second")
    )
    errors = []
    planning, most_at_once = [0], [0]
    real_rows_plan = jobs.rows_plan

    def rows_plan(*args, **kwargs):
        # While one job plans and writes a chunk, the other one gets time to start its own:
        # it must be kept waiting.
        planning[0] += 1
        most_at_once[0] = max(most_at_once[0], planning[0])
        time.sleep(0.2)
        try:
            return real_rows_plan(*args, **kwargs)
        finally:
            planning[0] -= 1

    monkeypatch.setattr(jobs, "rows_plan", rows_plan)

    def run(job_id):
        try:
            import_job_run(job_id)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job.pk,)) for job in (first, second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert most_at_once[0] == 1
    assert Client.objects.filter(organization=organization).count() == 40
    assert Credential.objects.filter(client__organization=organization).count() == 40
    records = ClientImport.objects.filter(pk__in=[first.pk, second.pk])
    assert sorted((r.created, r.updated) for r in records) == [(0, 40), (40, 0)]
