"""Bulk uploads applied in the background, resumably, a chunk per transaction.

`import_job_create` plans which client each row is about (as the synchronous upload does),
stores the rows Fernet-encrypted in the chunks the synchronous upload would write one at a time
(ImportJobChunk: all rows of a client in one chunk), records the import and queues the job.
`import_job_run` (run by the task queue's worker, credentials.tasks) applies the chunks in
order, each in its own transaction that also deletes the chunk and advances the job's
checkpoint: a worker stopped anywhere leaves the job at its last committed chunk, and running
the job again goes on from there, never applying a chunk twice. Chunks of one organization's
uploads never interleave (engine.organization_imports_lock).

An atomic job first plans every chunk without writing; when a row is invalid, nothing is
applied (the report says which rows, as the synchronous upload's does).
"""

import json
import logging
import time

from cryptography.fernet import InvalidToken
from django.db import IntegrityError, transaction
from django.utils import timezone
from encrypted_model_fields import fields as encrypted_fields

from clients.models import Organization
from credentials.client_import.engine import (
    CONFLICT_MESSAGE,
    ImportConflict,
    organization_imports_lock,
    rows_plan,
    upload_fields,
)
from credentials.client_import.plan import CHUNK_ROWS, UploadRows, client_groups
from credentials.client_import.report import ClientImportReport, ImportLog
from credentials.client_import.rows import RowReader
from credentials.models import ClientImport, ImportJob, ImportJobChunk
from reporting.selectors import Catalog

logger = logging.getLogger(__name__)

# Tries of a chunk that meets a concurrent change (each try plans it again).
CHUNK_TRIES = 3
FAILED_MESSAGE = (
    "The job stopped on an unexpected error after its last completed chunk; nothing of the "
    "chunk it was on was applied. Resume it from the admin's import list."
)
GONE_MESSAGE = (
    "The job's rows can no longer be read (the encryption key that sealed them was removed). "
    "Upload the file again."
)
COUNTS = ("rows", "valid_rows", "invalid_rows", "created", "updated", "warnings")


def import_job_create(
    *,
    organization: Organization,
    user,
    upload: UploadRows,
    mapping: list[str | None],
    atomic: bool,
    source: str,
    file_ids: list[str],
    file_name: str,
) -> ClientImportReport:
    """Record the upload (a ClientImport with no counts yet), store its rows in chunks for an
    ImportJob, and queue the job once the transaction commits."""
    found = client_groups(upload)
    unidentified = sorted(found.unidentified)
    parts = [unidentified[i : i + CHUNK_ROWS] for i in range(0, len(unidentified), CHUNK_ROWS)]
    parts += [[i for _, indexes in chunk for i in indexes] for chunk in found.chunks()]
    report = ClientImportReport(
        mapping=list(mapping), has_header=upload.has_header, dry_run=False, atomic=atomic
    )
    with transaction.atomic():
        record = ClientImport.objects.create(
            **upload_fields(
                organization=organization,
                user=user,
                source=source,
                file_ids=file_ids,
                file_name=file_name,
            ),
            mapping=report.mapping,
            atomic=atomic,
            applied=False,
        )
        job = ImportJob.objects.create(
            client_import=record,
            has_header=upload.has_header,
            rows_total=sum(len(part) for part in parts),
            chunks_total=len(parts),
        )
        ImportJobChunk.objects.bulk_create(
            (
                ImportJobChunk(
                    job=job,
                    position=position,
                    rows=len(part),
                    content=_seal([[upload.number(i), list(upload.rows[i])] for i in part]),
                )
                for position, part in enumerate(parts)
            ),
            batch_size=50,
        )
        transaction.on_commit(lambda: _enqueue(job.pk), robust=True)
    report.record = record
    report.job = job
    return report


def _enqueue(job_id: int) -> None:
    from credentials.tasks import client_import_job_run

    client_import_job_run.delay(job_id)


def import_job_resume(job: ImportJob) -> bool:
    """Queue a failed job again (it goes on after its last completed chunk); False when the
    job is not failed."""
    updated = ImportJob.objects.filter(pk=job.pk, state=ImportJob.State.FAILED).update(
        state=ImportJob.State.QUEUED, error=""
    )
    if updated:
        transaction.on_commit(lambda: _enqueue(job.pk), robust=True)
    return bool(updated)


def import_job_run(job_id: int) -> ImportJob:
    """Apply the job's chunks not applied yet, then close it (its report on the import
    record). Raises what a chunk raised (ImportConflict after CHUNK_TRIES tries); the job then
    stays where its last committed chunk left it."""
    job = ImportJob.objects.select_related("client_import__organization").get(pk=job_id)
    if job.state == ImportJob.State.DONE:
        return job
    started = time.monotonic()
    ImportJob.objects.filter(pk=job_id).exclude(state=ImportJob.State.DONE).update(
        state=ImportJob.State.RUNNING, error="", started_at=job.started_at or timezone.now()
    )
    record = job.client_import
    reader = _reader(job)
    if record.atomic and job.chunks_done == 0:
        checked = _job_check(job, reader)
        if checked.invalid_rows:
            return _job_close(job_id, checked, applied=False, started=started)
    for chunk_id in job.chunks.order_by("position").values_list("pk", flat=True):
        _chunk_apply(job_id, chunk_id, reader)
    job.refresh_from_db()
    return _job_close(job_id, _report_of(job), applied=True, started=started)


def import_job_fail(job_id: int, error: BaseException) -> None:
    """Mark the job failed, saying why without quoting any cell of its rows."""
    message = str(error) if isinstance(error, ImportConflict | JobRowsGone) else FAILED_MESSAGE
    ImportJob.objects.filter(pk=job_id).exclude(state=ImportJob.State.DONE).update(
        state=ImportJob.State.FAILED, error=message, finished_at=timezone.now()
    )


class JobRowsGone(RuntimeError):
    """The rows of a job cannot be decrypted any more."""


def job_report(job: ImportJob) -> ClientImportReport:
    """The job's report so far (the execution's once the job is done)."""
    return _report_of(job)


def _job_check(job: ImportJob, reader: RowReader) -> ClientImportReport:
    """Plan every chunk without writing (an atomic job applies nothing when a row is invalid)."""
    report = _report_of(job)
    log = ImportLog(report, reader, collect_rows=False)
    for chunk in job.chunks.order_by("position").iterator(chunk_size=10):
        rows_plan(_chunk_rows(job, chunk, reader), log, user=None, write=False)
    log.close()
    report.created = report.updated = 0
    return report


def _chunk_apply(job_id: int, chunk_id: int, reader: RowReader) -> None:
    for attempt in range(1, CHUNK_TRIES + 1):
        try:
            with transaction.atomic():
                job = (
                    ImportJob.objects.select_for_update(of=("self",))
                    .select_related("client_import__organization", "client_import__user")
                    .get(pk=job_id)
                )
                organization_imports_lock(job.client_import.organization_id)
                chunk = ImportJobChunk.objects.filter(pk=chunk_id).first()
                if chunk is None:
                    return  # applied by an earlier run of the job
                report = _report_of(job)
                log = _log_of(report, reader)
                rows_plan(
                    _chunk_rows(job, chunk, reader),
                    log,
                    user=job.client_import.user,
                    write=True,
                )
                log.close()
                job.progress = _progress_of(report)
                job.rows_done += chunk.rows
                job.chunks_done += 1
                job.save(update_fields=["progress", "rows_done", "chunks_done"])
                chunk.delete()
            return
        except IntegrityError:
            if attempt == CHUNK_TRIES:
                raise ImportConflict(CONFLICT_MESSAGE) from None


def _job_close(
    job_id: int, report: ClientImportReport, *, applied: bool, started: float
) -> ImportJob:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update(of=("self",)).get(pk=job_id)
        record = job.client_import
        record.applied = applied
        record.rows = report.rows
        record.valid_rows = report.valid_rows
        record.created = report.created
        record.updated = report.updated
        record.errors = report.invalid_rows
        record.warnings = report.warnings
        record.row_errors = report.row_errors
        record.duration_ms = (record.duration_ms or 0) + round((time.monotonic() - started) * 1000)
        record.save()
        job.progress = _progress_of(report)
        job.state = ImportJob.State.DONE
        job.finished_at = timezone.now()
        job.save(update_fields=["progress", "state", "finished_at"])
        job.chunks.all().delete()
    return job


def _reader(job: ImportJob) -> RowReader:
    return RowReader(job.client_import.mapping, Catalog.load())


def _chunk_rows(job: ImportJob, chunk: ImportJobChunk, reader: RowReader) -> UploadRows:
    rows = _open(chunk.content)
    return UploadRows(
        organization=job.client_import.organization,
        rows=[cells for _, cells in rows],
        reader=reader,
        first_row_number=1,
        has_header=False,
        numbers=[number for number, _ in rows],
    )


def _report_of(job: ImportJob) -> ClientImportReport:
    progress = job.progress or {}
    record = job.client_import
    report = ClientImportReport(
        mapping=record.mapping,
        has_header=job.has_header,
        dry_run=False,
        atomic=record.atomic,
        applied=job.state == ImportJob.State.DONE and record.applied,
        row_errors=progress.get("row_errors", []),
        row_errors_total=progress.get("row_errors_total", 0),
        row_warnings=progress.get("row_warnings", []),
        record=record,
        job=job,
        **{name: progress.get(name, 0) for name in COUNTS},
    )
    return report


def _log_of(report: ClientImportReport, reader: RowReader) -> ImportLog:
    """A log going on from `report` (its counts and kept messages)."""
    log = ImportLog(report, reader, collect_rows=False)
    for entry in report.row_errors:
        log.errors.add(entry["row"], entry)
    log.errors.total = report.row_errors_total
    for entry in report.row_warnings:
        log.warnings.add(entry["row"], entry)
    log.warnings.total = report.warnings
    return log


def _progress_of(report: ClientImportReport) -> dict:
    return {
        **{name: getattr(report, name) for name in COUNTS},
        "row_errors": report.row_errors,
        "row_errors_total": report.row_errors_total,
        "row_warnings": report.row_warnings,
    }


def _seal(rows: list) -> str:
    data = json.dumps(rows, separators=(",", ":")).encode()
    return encrypted_fields.CRYPTER.encrypt(data).decode("ascii")


def _open(content: str) -> list:
    try:
        return json.loads(encrypted_fields.CRYPTER.decrypt(content.encode("ascii")))
    except InvalidToken:
        raise JobRowsGone(GONE_MESSAGE) from None
