"""A real browser (headless Chromium through Playwright) follows a background upload's
progress on its import page in the admin, from queued to done."""

import pytest
from playwright.sync_api import expect

from clients.models import Role
from credentials.admin import ClientImportAdmin
from credentials.client_import import clients_import, jobs
from credentials.models import ClientImport, ImportJob

MAPPING = ["name", "country", "report_type", "pro", "login", "password"]
ROWS = [
    MAPPING,
    *[[f"Client {n}", "DE", "WEEE", "Stiftung EAR", f"login-{n}", f"Pw-{n}"] for n in range(6)],
]


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("committed_catalog")
def test_staff_watch_a_background_upload_run_to_its_end(
    page, live_server, browser_as, organization, monkeypatch
):
    monkeypatch.setattr(jobs, "_enqueue", lambda job_id: None)
    monkeypatch.setattr(ClientImportAdmin, "JOB_REFRESH_SECONDS", 1)
    user = browser_as(Role.STAFF)
    job = clients_import(
        organization=organization, user=user, rows=ROWS, mapping=MAPPING, background=True
    ).job
    record = ClientImport.objects.get(job=job)

    page.goto(f"{live_server.url}/admin/credentials/clientimport/{record.pk}/change/")
    expect(page.locator("body")).to_contain_text("Queued: 0 of 6 rows")
    assert not organization.clients.exists()

    jobs.import_job_run(job.pk)

    # The page reloads itself while the job runs, and shows the end without a click.
    expect(page.locator("body")).to_contain_text("Done: 6 of 6 rows", timeout=15_000)
    page.screenshot(path="/tmp/import-job-progress.png")
    assert ImportJob.objects.get(pk=job.pk).state == ImportJob.State.DONE
    assert organization.clients.count() == 6
