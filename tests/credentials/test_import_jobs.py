"""Bulk uploads run as background jobs: the API's 202 and status route, the encrypted rows,
resuming after a stopped worker, atomic jobs, and the admin's progress display."""

import pytest
from django.contrib.auth import get_user_model
from encrypted_model_fields import fields as encrypted_fields

from clients.models import Client
from credentials.client_import import clients_import, jobs, plan
from credentials.client_import.jobs import import_job_resume, import_job_run
from credentials.models import ClientImport, Credential, ImportJob, ImportJobChunk
from credentials.tasks import client_import_job_run

pytestmark = pytest.mark.django_db

EXECUTE = "/logins/clients/bulk-upload"
MAPPING = ["name", "status", "country", "report_type", "pro", "login", "password"]
HEADER = ["Name", "Status", "Country", "Report type", "PRO", "Login", "Password"]


def credential_row(number: int, status: str = "active") -> list[str]:
    return [
        f"Client {number:03d}",
        status,
        "DE",
        "WEEE",
        "Stiftung EAR",
        f"login-{number}@example.com",
        f"Secret-{number}",
    ]


ROWS = [credential_row(n) for n in range(1, 8)]


def body(*rows, **extra) -> dict:
    return {"csvData": [HEADER, *rows], "mapping": MAPPING, "fileId": ["f-1"], **extra}


@pytest.fixture
def queued(monkeypatch):
    """Jobs are created but not run (no worker takes them)."""
    monkeypatch.setattr(jobs, "_enqueue", lambda job_id: None)


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of two rows, so that a few rows make several chunks."""
    monkeypatch.setattr(plan, "CHUNK_ROWS", 2)
    monkeypatch.setattr(jobs, "CHUNK_ROWS", 2)


def job_of(organization, rows, *, atomic=False) -> ImportJob:
    report = clients_import(
        organization=organization,
        user=None,
        rows=[HEADER, *rows],
        mapping=MAPPING,
        atomic=atomic,
        background=True,
    )
    return report.job


def test_an_execute_sent_with_background_answers_202_with_its_status_url(
    staff_api, organization, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_api.post(EXECUTE, body(*ROWS, background=True), format="json")

    assert response.status_code == 202
    data = response.json()
    record = ClientImport.objects.get()
    assert data == {
        "import_id": record.pk,
        "status_url": f"http://testserver/logins/clients/bulk-upload/{record.pk}",
    }
    assert response["Location"] == data["status_url"]


def test_the_status_of_a_finished_job_carries_the_synchronous_execute_body(
    staff_api, organization, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        accepted = staff_api.post(EXECUTE, body(*ROWS, background=True), format="json").json()

    response = staff_api.get(accepted["status_url"])

    assert response.status_code == 200
    data = response.json()
    assert {k: data[k] for k in ("state", "rows_done", "rows_total", "error")} == {
        "state": "done",
        "rows_done": 7,
        "rows_total": 7,
        "error": "",
    }
    assert data["result"] == {
        "created": 7,
        "updated": 0,
        "errors": 0,
        "warnings": 0,
        "summary": "Bulk upload completed successfully. 7 clients created, 0 clients updated, "
        "0 errors encountered.",
        "applied": True,
        "import_id": accepted["import_id"],
        "row_errors": [],
        "row_errors_total": 0,
        "row_warnings": [],
        "has_header": True,
    }
    assert Credential.objects.filter(client__organization=organization).count() == 7


def test_an_upload_over_the_background_threshold_runs_as_a_job(
    staff_api, organization, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_BACKGROUND_ROWS = 6

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_api.post(EXECUTE, body(*ROWS), format="json")

    assert response.status_code == 202
    assert ImportJob.objects.get().state == ImportJob.State.DONE


def test_an_upload_at_the_background_threshold_keeps_the_synchronous_answer(
    staff_api, organization, settings
):
    settings.IMPORT_BACKGROUND_ROWS = 7

    response = staff_api.post(EXECUTE, body(*ROWS), format="json")

    assert response.status_code == 200
    assert response.json()["created"] == 7
    assert not ImportJob.objects.exists()


def test_a_queued_job_answers_its_state_and_no_result(staff_api, viewer_api, organization, queued):
    job = job_of(organization, ROWS)

    response = viewer_api.get(f"{EXECUTE}/{job.pk}")

    assert response.status_code == 200
    assert response.json() == {
        "state": "queued",
        "rows_done": 0,
        "rows_total": 7,
        "error": "",
        "result": None,
    }


def test_the_status_of_another_organizations_job_is_404(other_org_api, organization, queued):
    job = job_of(organization, ROWS)

    assert other_org_api.get(f"{EXECUTE}/{job.pk}").status_code == 404


def test_the_status_of_an_import_run_at_once_is_404(staff_api, organization):
    import_id = staff_api.post(EXECUTE, body(*ROWS), format="json").json()["import_id"]

    assert staff_api.get(f"{EXECUTE}/{import_id}").status_code == 404


def test_a_jobs_rows_wait_encrypted_and_are_deleted_once_applied(organization, queued):
    job = job_of(organization, ROWS)
    contents = list(ImportJobChunk.objects.filter(job=job).values_list("content", flat=True))

    assert contents
    assert not any("Secret-1" in content for content in contents)
    assert "Secret-1" in encrypted_fields.CRYPTER.decrypt(contents[0].encode()).decode()
    import_job_run(job.pk)
    assert not ImportJobChunk.objects.filter(job=job).exists()


def test_a_job_splits_its_rows_into_chunks_keeping_each_clients_rows_together(
    organization, queued, small_chunks
):
    second_credential = ["Client 001", "", "FR", "Packaging", "Citeo", "l-fr", "Secret-fr"]

    job = job_of(organization, [*ROWS[:3], second_credential])

    chunks = [jobs._open(c.content) for c in job.chunks.order_by("position")]
    assert [[number for number, _ in chunk] for chunk in chunks] == [[2, 5], [3, 4]]


def test_a_job_stopped_after_a_chunk_resumes_after_it_and_applies_each_row_once(
    organization, other_organization, queued, small_chunks, monkeypatch
):
    job = job_of(organization, ROWS)
    planned = []
    real_rows_plan = jobs.rows_plan

    def stop_at_the_third_chunk(upload, log, **kwargs):
        planned.append(list(upload.numbers))
        if len(planned) == 3:
            raise RuntimeError("worker lost")
        return real_rows_plan(upload, log, **kwargs)

    monkeypatch.setattr(jobs, "rows_plan", stop_at_the_third_chunk)
    with pytest.raises(RuntimeError):
        import_job_run(job.pk)
    job.refresh_from_db()
    assert (job.chunks_done, job.rows_done) == (2, 4)
    assert Client.objects.filter(organization=organization).count() == 4

    import_job_run(job.pk)

    assert planned == [[2, 3], [4, 5], [6, 7], [6, 7], [8]]
    clean = import_job_run(job_of(other_organization, ROWS).pk)
    record, clean_record = (ClientImport.objects.get(pk=j.pk) for j in (job, clean))
    counts = ("rows", "valid_rows", "created", "updated", "errors", "warnings", "applied")
    assert [getattr(record, c) for c in counts] == [getattr(clean_record, c) for c in counts]
    assert record.created == 7
    assert Credential.objects.filter(client__organization=organization).count() == 7
    assert all(c.history.count() == 1 for c in Client.objects.filter(organization=organization))


def test_an_atomic_job_with_an_invalid_row_applies_nothing(organization, queued, small_chunks):
    job = job_of(organization, [*ROWS, credential_row(99, status="paused")], atomic=True)

    import_job_run(job.pk)

    record = ClientImport.objects.get(pk=job.pk)
    assert (record.applied, record.errors, record.created) == (False, 1, 0)
    assert record.row_errors[0]["row"] == 9
    assert not Client.objects.filter(organization=organization).exists()


def test_a_job_counts_row_errors_and_warnings_across_its_chunks(organization, queued, small_chunks):
    rows = [*ROWS, credential_row(98, status="paused"), credential_row(99, status="paused")]

    import_job_run(job_of(organization, rows).pk)

    record = ClientImport.objects.get()
    assert (record.rows, record.valid_rows, record.errors, record.created) == (9, 7, 2, 7)
    assert [e["row"] for e in record.row_errors] == [9, 10]


def test_a_job_that_fails_is_marked_failed_without_quoting_its_rows(
    organization, queued, monkeypatch
):
    job = job_of(organization, ROWS)
    monkeypatch.setattr(jobs, "rows_plan", lambda *a, **k: 1 / 0)

    client_import_job_run(job.pk)

    job.refresh_from_db()
    assert job.state == ImportJob.State.FAILED
    assert "Secret" not in job.error and "Resume it" in job.error


def test_a_failed_job_resumed_is_queued_again_and_finishes(
    organization, queued, monkeypatch, django_capture_on_commit_callbacks
):
    job = job_of(organization, ROWS)
    ImportJob.objects.filter(pk=job.pk).update(state=ImportJob.State.FAILED)
    ran = []
    monkeypatch.setattr(jobs, "_enqueue", ran.append)

    with django_capture_on_commit_callbacks(execute=True):
        assert import_job_resume(job) is True

    assert ran == [job.pk]
    job.refresh_from_db()
    assert job.state == ImportJob.State.QUEUED


def test_the_admin_shows_a_jobs_progress_on_its_import_record(
    client, organization, queued, small_chunks
):
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw-Root-1")
    job = job_of(organization, ROWS)
    jobs._chunk_apply(job.pk, job.chunks.order_by("position").first().pk, jobs._reader(job))
    client.force_login(user)

    page = client.get(f"/admin/credentials/clientimport/{job.pk}/change/").content.decode()

    assert '<progress value="2" max="7">' in page
    assert "2 of 7 rows" in page
    assert 'http-equiv="refresh"' in page


def test_the_admin_page_of_a_finished_job_does_not_refresh(client, organization, queued):
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw-Root-1")
    job = import_job_run(job_of(organization, ROWS).pk)
    client.force_login(user)

    page = client.get(f"/admin/credentials/clientimport/{job.pk}/change/").content.decode()

    assert "7 of 7 rows" in page
    assert 'http-equiv="refresh"' not in page


def test_a_streamed_upload_counts_a_client_whose_rows_are_spread_over_chunks_once(
    organization, small_chunks
):
    rows = iter([HEADER, ROWS[0], *ROWS[1:5], ["Client 001", "onboarding", "", "", "", "", ""]])

    report = clients_import(organization=organization, user=None, rows=rows, mapping=MAPPING)

    assert (report.created, report.updated, report.rows) == (5, 0, 6)
    assert Client.objects.get(name="Client 001").status == "onboarding"


def test_a_streamed_preview_predicts_the_execution_and_changes_nothing(organization, small_chunks):
    rows = [HEADER, *ROWS[:5], ["Client 001", "onboarding", "", "", "", "", ""]]

    preview = clients_import(
        organization=organization, user=None, rows=iter(rows), mapping=MAPPING, dry_run=True
    )

    assert not Client.objects.exists()
    assert not ClientImport.objects.exists()
    done = clients_import(organization=organization, user=None, rows=iter(rows), mapping=MAPPING)
    assert (preview.created, preview.updated, preview.warnings) == (
        done.created,
        done.updated,
        done.warnings,
    )


def test_the_admin_page_of_an_import_id_that_is_not_a_number_is_not_an_error(client, db):
    user = get_user_model().objects.create_superuser("root", "root@example.com", "pw-Root-1")
    client.force_login(user)

    response = client.get("/admin/credentials/clientimport/abc/change/")

    assert response.status_code == 302


def test_the_status_of_an_id_past_the_databases_integers_is_404(staff_api):
    response = staff_api.get(f"{EXECUTE}/9223372036854775808")

    assert response.status_code == 404
