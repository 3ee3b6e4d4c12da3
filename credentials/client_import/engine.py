"""Bulk upload of clients from CSV rows: one plan drives the preview and the execution.

`clients_import` reads rows of cells with a mapping (the field of each column), works out from
the file and the database what each row would create or change (plan.py), and, unless it is a
preview, writes that plan set-based (writes.py). Preview and execute share every step up to the
writes, so a preview predicts the execution exactly. The row semantics are documented on
`credentials.resources.ClientResource` and in the README ("Bulk upload").
"""

import gc
import itertools
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from clients.limits import FILE_ID_MAX_LENGTH, FILE_IDS_MAX, too_long_message
from clients.models import Organization
from credentials.client_import.mapping import header_resolve, mapping_resolve
from credentials.client_import.plan import CHUNK_ROWS, ChunkPlanner, UploadRows, client_groups
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
    rows: Iterable[Sequence[str]],
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
    background: bool = False,
) -> ClientImportReport:
    """Preview (`dry_run`) or apply a bulk upload of clients into `organization`.

    `rows` are lists of cell strings; `mapping` names the field of each column (None or "" skips
    it; MappingError when it is unusable). `has_header` None: the first row is a header when its
    cells spell the mapping. Rows are numbered as the file counts them, the first one being
    `first_row_number`. Invalid rows are reported and skipped; with `atomic`, any invalid row
    means nothing is applied, and without a valid row nothing is (`report.applied` False). An execution is recorded as a ClientImport (`report.record`),
    writes history with `user`, and runs in one transaction: a failure applies nothing
    (ImportConflict when another change took a name or credential meanwhile).

    A sequence of rows is planned whole: all rows of a client together. An iterator of rows
    (a file being read) is streamed: read, planned and written a chunk of about CHUNK_ROWS rows
    at a time, the rows of a client that follow each other staying in one chunk; a client
    whose rows are spread over the file is planned again in a later chunk against what the
    earlier one wrote. A streamed preview is that execution rolled back, so it predicts it
    exactly.

    `background` (a sequence only): the upload becomes an ImportJob applied by a worker
    (credentials.client_import.jobs); the report then only carries `record` and `job`.
    `collect_rows` keeps a RowReport per row (for the admin's preview). A cell longer than its
    field takes (rows.MAX_LENGTHS, rows.CELL_MAX_LENGTH) is a row error; more than FILE_IDS_MAX
    `file_ids`, or one longer than FILE_ID_MAX_LENGTH, raise ValidationError.
    """
    resolved = mapping_resolve(mapping)
    file_ids = _clean_file_ids(file_ids)
    streamed = not isinstance(rows, Sequence)
    if streamed:
        rows, has_header = _header_peek(iter(rows), resolved, has_header)
    else:
        has_header = header_resolve(rows, resolved, has_header)
    reader = RowReader(resolved, Catalog.load())
    if background:
        from credentials.client_import.jobs import import_job_create

        return import_job_create(
            organization=organization,
            user=user,
            upload=UploadRows(
                organization=organization,
                rows=rows,
                reader=reader,
                first_row_number=first_row_number,
                has_header=has_header,
            ),
            mapping=resolved,
            atomic=atomic,
            source=source,
            file_ids=file_ids,
            file_name=file_name,
        )
    started = time.monotonic()

    def record(report: ClientImportReport) -> ClientImport:
        return _record(report, organization, user, source, file_ids, file_name, started)

    def plan() -> ClientImportReport:
        report = ClientImportReport(
            mapping=resolved, has_header=has_header, dry_run=dry_run, atomic=atomic
        )
        log = ImportLog(report, reader, collect_rows=collect_rows)
        if streamed:
            seen = ClientIds()
            for numbers, cells in stream_chunks(rows, reader, first_row_number, has_header):
                upload = UploadRows(
                    organization=organization,
                    rows=cells,
                    reader=reader,
                    first_row_number=first_row_number,
                    has_header=False,
                    numbers=numbers,
                )
                rows_plan(upload, log, user=user, write=True, seen=seen, progress=progress)
        else:
            upload = UploadRows(
                organization=organization,
                rows=rows,
                reader=reader,
                first_row_number=first_row_number,
                has_header=has_header,
            )
            rows_plan(upload, log, user=user, write=not dry_run, progress=progress)
        log.close()
        if atomic and report.invalid_rows:
            report.created = report.updated = 0
        return report

    if dry_run and not streamed:
        return plan()
    try:
        with transaction.atomic():
            organization_imports_lock(organization.pk)
            report = plan()
            # With no valid row there is nothing to apply: the upload says so, not "done".
            if dry_run or report.valid_rows == 0 or (atomic and report.invalid_rows):
                raise _NothingApplied(report)
            report.applied = True
            report.record = record(report)
    except _NothingApplied as stop:
        report = stop.args[0]
        if not dry_run:
            report.record = record(report)
    except (IntegrityError, ValidationError) as error:
        raise ImportConflict(CONFLICT_MESSAGE) from error
    return report


CONFLICT_MESSAGE = (
    "Another change took one of the upload's client names or credentials while it ran. "
    "Nothing was applied: run the upload again."
)
# The first key of the PostgreSQL advisory locks of an organization's uploads ("CLI").
_IMPORTS_LOCK = 0x434C49
# A client whose rows follow each other stays in one chunk, up to this many rows.
STREAM_CHUNK_MAX_ROWS = 4 * CHUNK_ROWS


def organization_imports_lock(organization_id: int) -> None:
    """Wait until no other upload into the organization is writing, and hold it off until the
    transaction ends: uploads (and the chunks of background jobs) of one organization never
    interleave their writes. SQLite serializes every write transaction already."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_IMPORTS_LOCK, organization_id])


class ClientIds:
    """Ids of the clients counted already (created or updated), one bit each: the memory
    depends on the largest id, not on the file."""

    def __init__(self):
        self._bits = bytearray()

    def __contains__(self, pk: int) -> bool:
        byte = pk >> 3
        return byte < len(self._bits) and bool(self._bits[byte] & (1 << (pk & 7)))

    def add(self, pk: int) -> None:
        byte = pk >> 3
        if byte >= len(self._bits):
            self._bits.extend(bytes(byte + 1 - len(self._bits) + 1024))
        self._bits[byte] |= 1 << (pk & 7)


def _header_peek(
    rows: Iterator[Sequence[str]], mapping: list[str | None], has_header: bool | None
) -> tuple[Iterator[Sequence[str]], bool]:
    """Whether the first row of a stream is a header, and the stream with that row still in."""
    first = next(rows, None)
    if first is None:
        return iter(()), bool(has_header)
    return itertools.chain([first], rows), header_resolve([first], mapping, has_header)


def stream_chunks(
    rows: Iterable[Sequence[str]], reader: RowReader, first_row_number: int, has_header: bool
) -> Iterator[tuple[list[int], list[Sequence[str]]]]:
    """The data rows of a stream, a chunk of about CHUNK_ROWS at a time, as (row numbers,
    rows): a chunk ends only where the next row names another client (by its id and name
    cells), or at STREAM_CHUNK_MAX_ROWS."""
    columns = [index for index, _ in reader.identity_columns]
    numbers: list[int] = []
    cells: list[Sequence[str]] = []
    last = None
    for number, row in enumerate(rows, start=first_row_number):
        if has_header and number == first_row_number:
            continue
        who = tuple(row[i].strip().lower() if i < len(row) else "" for i in columns)
        if len(cells) >= STREAM_CHUNK_MAX_ROWS or (len(cells) >= CHUNK_ROWS and who != last):
            yield numbers, cells
            numbers, cells = [], []
        numbers.append(number)
        cells.append(row)
        last = who
    if cells:
        yield numbers, cells


def rows_plan(
    upload: UploadRows,
    log: ImportLog,
    *,
    user,
    write: bool,
    seen: ClientIds | None = None,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Plan `upload`'s rows into the log's report and, with `write`, write them chunk by chunk.
    `seen`: the clients counted by earlier parts of the same upload, not counted again."""
    advance = progress or (lambda rows: None)
    with collection_paused():
        found = client_groups(upload)
    for index, key_errors in sorted(found.unidentified.items()):
        log.invalid(upload.row(index), key_errors)
        advance(1)
    planner = ChunkPlanner(upload, log, lock=write)
    for chunk in found.chunks():
        with collection_paused():
            writes = chunk_writes(planner.plan(chunk))
            log.report.created += writes.created
            log.report.updated += writes.updated
            if seen is not None:
                log.report.updated -= sum(
                    1 for c in writes.counted if c.pk is not None and c.pk in seen
                )
            if write:
                chunk_write(writes, user=user)
            if seen is not None:
                for client in writes.counted:
                    seen.add(client.pk)
        advance(sum(len(indexes) for _, indexes in chunk))


@contextmanager
def collection_paused():
    """Python's cyclic garbage collector held off for one stretch of an upload (reading the
    file's client keys, or a chunk planned and written).

    The stretch allocates tens of thousands of short-lived rows, dicts and instances, freed by
    reference counting; each collection the allocations would trigger meanwhile walks every
    object alive, the upload's rows included, and cost a quarter of the upload's Python time.
    Collection resumes between stretches, so what cycles a stretch leaves are collected then.
    It is left off if something else had turned it off."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _clean_file_ids(file_ids: Sequence) -> list[str]:
    ids = [str(file_id) for file_id in file_ids]
    if len(ids) > FILE_IDS_MAX:
        raise ValidationError({"file_ids": [f"At most {FILE_IDS_MAX} file identifiers."]})
    if any(len(file_id) > FILE_ID_MAX_LENGTH for file_id in ids):
        raise ValidationError(
            {"file_ids": [too_long_message("A file identifier", FILE_ID_MAX_LENGTH)]}
        )
    return ids


def upload_fields(*, organization, user, source, file_ids, file_name) -> dict:
    """Who uploaded what, as every ClientImport records it (a long file name is cut to what
    its column holds)."""
    return {
        "organization": organization,
        "user": user,
        "username": user.get_username() if user is not None else "",
        "source": source,
        "file_name": (file_name or "")[: ClientImport._meta.get_field("file_name").max_length],
        "file_ids": file_ids,
    }


def _record(report, organization, user, source, file_ids, file_name, started) -> ClientImport:
    return ClientImport.objects.create(
        **upload_fields(
            organization=organization,
            user=user,
            source=source,
            file_ids=file_ids,
            file_name=file_name,
        ),
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
