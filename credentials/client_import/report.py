"""What an upload tells: the report of a preview or an execution, and the log that fills it
row by row (counts, the first row errors and warnings, sample rows, the admin's row reports)."""

import heapq
from dataclasses import dataclass, field

from clients.models import Client
from credentials.client_import.rows import Row, RowError, RowReader
from credentials.models import ClientImport

SAMPLE_ROWS = 10
ROW_MESSAGES_KEPT = ClientImport.ROW_ERRORS_KEPT


@dataclass(slots=True)
class RowReport:
    """What one row does, for the admin's preview: `import_type` is new (it creates its
    client), update, skip (changes nothing) or invalid."""

    number: int
    import_type: str
    values: dict[str, str]
    changes: dict[str, tuple[object, object]] = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)
    client: Client | None = None


@dataclass
class ClientImportReport:
    """The plan's numbers (a preview) or what was applied (an execution).

    Counts of clients: `created` new ones, `updated` existing ones any row changed (a client no
    row changed is neither). Counts of rows: `valid_rows`, `invalid_rows` (not applied). When an
    atomic upload has errors, nothing is applied and `created`/`updated` are 0.
    """

    mapping: list[str | None]
    has_header: bool
    dry_run: bool
    atomic: bool
    rows: int = 0
    valid_rows: int = 0
    invalid_rows: int = 0
    created: int = 0
    updated: int = 0
    warnings: int = 0
    applied: bool = False
    row_errors: list[dict] = field(default_factory=list)
    row_errors_total: int = 0
    row_warnings: list[dict] = field(default_factory=list)
    sample_data: list[dict] = field(default_factory=list)
    row_reports: list[RowReport] | None = None
    record: ClientImport | None = None
    # The background job applying the upload (credentials.client_import.jobs), if any.
    job: object | None = None


class Earliest:
    """The `limit` entries with the lowest row numbers, in whatever order they arrive."""

    def __init__(self, limit: int):
        self.limit = limit
        self.total = 0
        self._heap: list[tuple[int, int, dict]] = []

    def add(self, row: int, entry: dict) -> None:
        self.total += 1
        item = (-row, -self.total, entry)
        if len(self._heap) < self.limit:
            heapq.heappush(self._heap, item)
        elif item[:2] > self._heap[0][:2]:
            heapq.heapreplace(self._heap, item)

    def wants(self, row: int) -> bool:
        """Whether an entry for `row` would be kept (to skip building one that would not)."""
        return len(self._heap) < self.limit or row < -self._heap[0][0]

    def entries(self) -> list[dict]:
        return [
            entry for _, _, entry in sorted(self._heap, key=lambda item: item[:2], reverse=True)
        ]


class ImportLog:
    """Collects what each row did, in whatever order the rows are planned, into `report`."""

    def __init__(self, report: ClientImportReport, reader: RowReader, *, collect_rows: bool):
        self.report = report
        self.reader = reader
        self.collect_rows = collect_rows
        self.errors = Earliest(ROW_MESSAGES_KEPT)
        self.warnings = Earliest(ROW_MESSAGES_KEPT)
        self.samples = Earliest(SAMPLE_ROWS)
        self.row_reports: list[RowReport] = []

    def invalid(self, row: Row, extra_errors: list[RowError] | tuple = ()) -> None:
        """Count `row` as invalid (not applied), with `extra_errors` before its own."""
        errors = [*extra_errors, *(e for e in row.errors if e not in extra_errors)]
        self.report.rows += 1
        self.report.invalid_rows += 1
        for field_name, message in errors:
            self.errors.add(
                row.number, {"row": row.number, "field": field_name, "message": message}
            )
        if self.collect_rows:
            self.row_reports.append(
                RowReport(
                    number=row.number,
                    import_type="invalid",
                    values=self.reader.shown(row, {name for name, _ in errors if name}),
                    errors=errors,
                )
            )

    def valid(
        self, row: Row, *, client: Client, creates_client: bool, changes: dict[str, tuple]
    ) -> None:
        """Count `row` as valid: it creates `client`, changes it (`changes`) or neither."""
        self.report.rows += 1
        self.report.valid_rows += 1
        if self.samples.wants(row.number):
            self.samples.add(row.number, self.reader.shown(row))
        if self.collect_rows:
            import_type = "new" if creates_client else ("update" if changes else "skip")
            self.row_reports.append(
                RowReport(
                    number=row.number,
                    import_type=import_type,
                    values=self.reader.shown(row),
                    changes=changes,
                    client=client,
                )
            )

    def warn(self, row: Row, field_name: str, message: str) -> None:
        self.warnings.add(row.number, {"row": row.number, "field": field_name, "message": message})

    def close(self) -> ClientImportReport:
        """The report with the kept messages, samples and row reports in row order."""
        report = self.report
        report.row_errors = self.errors.entries()
        report.row_errors_total = self.errors.total
        report.row_warnings = self.warnings.entries()
        report.warnings = self.warnings.total
        report.sample_data = self.samples.entries()
        if self.collect_rows:
            report.row_reports = sorted(self.row_reports, key=lambda r: r.number)
        return report
