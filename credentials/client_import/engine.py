"""Bulk upload of clients from CSV rows: one plan drives the preview and the execution.

`clients_import` reads rows of cells with a mapping (the field of each column), works out from
the file and the database what each row would create or change (plan.py), and, unless it is a
preview, writes that plan set-based (writes.py). Preview and execute share every step up to the
writes, so a preview predicts the execution exactly. The row semantics are documented on
`credentials.resources.ClientResource` and in the README ("Bulk upload").
"""

import time
from collections.abc import Callable, Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from clients.limits import FILE_ID_MAX_LENGTH, FILE_IDS_MAX, too_long_message
from clients.models import Organization
from credentials.client_import.mapping import header_resolve, mapping_resolve
from credentials.client_import.plan import ChunkPlanner, UploadRows, client_groups
from credentials.client_import.report import ClientImportReport, ImportLog
from credentials.client_import.rows import RowReader
from credentials.client_import.writes import chunk_write, chunk_writes
from credentials.models import ClientImport
from reporting.selectors import Catalog


class ImportConflict(RuntimeError):
    """Another change met the upload's writes (a name or credential taken meanwhile); nothing
    was applied."""


class _NothingApplied(Exception):
    """Rolls back an atomic upload that has errors."""


def clients_import(
    *,
    organization: Organization,
    user,
    rows: Sequence[Sequence[str]],
    mapping: Sequence,
    has_header: bool | None = None,
    first_row_number: int = 1,
    dry_run: bool = False,
    atomic: bool = False,
    source: str = ClientImport.Source.API,
    file_ids: Sequence = (),
    file_name: str = "",
    collect_rows: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ClientImportReport:
    """Preview (`dry_run`) or apply a bulk upload of clients into `organization`.

    `rows` are lists of cell strings; `mapping` names the field of each column (None or "" skips
    it; MappingError when it is unusable). `has_header` None: the first row is a header when its
    cells spell the mapping. Rows are numbered as the file counts them, the first one being
    `first_row_number`. Invalid rows are reported and skipped; with `atomic`, any invalid row
    means nothing is applied, and without a valid row nothing is (`report.applied` False). An execution is recorded as a ClientImport (`report.record`),
    writes history with `user`, and runs in one transaction: a failure applies nothing
    (ImportConflict when another change took a name or credential meanwhile).
    `collect_rows` keeps a RowReport per row (for the admin's preview). A cell longer than its
    field takes (rows.MAX_LENGTHS, rows.CELL_MAX_LENGTH) is a row error; more than FILE_IDS_MAX
    `file_ids`, or one longer than FILE_ID_MAX_LENGTH, raise ValidationError.
    """
    resolved = mapping_resolve(mapping)
    file_ids = _clean_file_ids(file_ids)
    upload = UploadRows(
        organization=organization,
        rows=rows,
        reader=RowReader(resolved, Catalog.load()),
        first_row_number=first_row_number,
        has_header=header_resolve(rows, resolved, has_header),
    )
    started = time.monotonic()

    def record(report: ClientImportReport) -> ClientImport:
        return _record(report, organization, user, source, file_ids, file_name, started)

    def plan() -> ClientImportReport:
        report = ClientImportReport(
            mapping=resolved, has_header=upload.has_header, dry_run=dry_run, atomic=atomic
        )
        _run(upload, ImportLog(report, upload.reader, collect_rows=collect_rows), user, progress)
        if atomic and report.invalid_rows:
            report.created = report.updated = 0
        return report

    if dry_run:
        return plan()
    try:
        with transaction.atomic():
            report = plan()
            # With no valid row there is nothing to apply: the upload says so, not "done".
            if report.valid_rows == 0 or (atomic and report.invalid_rows):
                raise _NothingApplied(report)
            report.applied = True
            report.record = record(report)
    except _NothingApplied as stop:
        report = stop.args[0]
        report.record = record(report)
    except (IntegrityError, ValidationError) as error:
        raise ImportConflict(
            "Another change took one of the upload's client names or credentials while it ran. "
            "Nothing was applied: run the upload again."
        ) from error
    return report


def _run(
    upload: UploadRows, log: ImportLog, user, progress: Callable[[int], None] | None
) -> ClientImportReport:
    """Plan every row (and, unless a preview, write chunk by chunk) into the log's report."""
    dry_run = log.report.dry_run
    advance = progress or (lambda rows: None)
    found = client_groups(upload)
    for index, key_errors in sorted(found.unidentified.items()):
        log.invalid(upload.row(index), key_errors)
        advance(1)
    planner = ChunkPlanner(upload, log, lock=not dry_run)
    for chunk in found.chunks():
        writes = chunk_writes(planner.plan(chunk))
        log.report.created += writes.created
        log.report.updated += writes.updated
        if not dry_run:
            chunk_write(writes, user=user)
        advance(sum(len(indexes) for _, indexes in chunk))
    return log.close()


def _clean_file_ids(file_ids: Sequence) -> list[str]:
    ids = [str(file_id) for file_id in file_ids]
    if len(ids) > FILE_IDS_MAX:
        raise ValidationError({"file_ids": [f"At most {FILE_IDS_MAX} file identifiers."]})
    if any(len(file_id) > FILE_ID_MAX_LENGTH for file_id in ids):
        raise ValidationError(
            {"file_ids": [too_long_message("A file identifier", FILE_ID_MAX_LENGTH)]}
        )
    return ids


def _record(report, organization, user, source, file_ids, file_name, started) -> ClientImport:
    return ClientImport.objects.create(
        organization=organization,
        user=user,
        username=user.get_username() if user is not None else "",
        source=source,
        file_name=(file_name or "")[:255],
        file_ids=file_ids,
        mapping=report.mapping,
        atomic=report.atomic,
        applied=report.applied,
        rows=report.rows,
        valid_rows=report.valid_rows,
        created=report.created,
        updated=report.updated,
        errors=report.invalid_rows,
        warnings=report.warnings,
        row_errors=report.row_errors,
        duration_ms=round((time.monotonic() - started) * 1000),
    )
