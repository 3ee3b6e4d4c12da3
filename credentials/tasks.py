"""The task queue's tasks of the vault (config/celery.py runs them)."""

import logging

from celery import shared_task

from credentials.calendar.reminders import deadline_reminders_send
from credentials.client_import.jobs import import_job_fail, import_job_run

logger = logging.getLogger(__name__)


# acks_late with reject_on_worker_lost: the message of a job whose worker died is delivered
# again, and the job goes on after its last committed chunk (a chunk is never applied twice).
@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def client_import_job_run(job_id: int) -> None:
    """Apply a background bulk upload (credentials.client_import.jobs)."""
    try:
        import_job_run(job_id)
    except Exception as error:
        # The job stays at its last committed chunk; the admin can queue it again.
        logger.exception("Import job %s stopped", job_id)
        import_job_fail(job_id, error)


@shared_task(ignore_result=True)
def deadline_reminders() -> None:
    """The daily digests of `send_deadline_reminders` (idempotent per user and day)."""
    result = deadline_reminders_send()
    logger.info(
        "Deadline reminders: %s sent, %s already sent today.", result.sent, result.already_sent
    )
