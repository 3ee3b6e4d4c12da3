"""Bulk upload of clients from CSV rows: one plan drives the preview and the execution.

`clients_import` reads rows of cells with a mapping (the field of each column), works out
from the file and the database what each row would create or change, and, unless it is a
preview, writes that plan set-based. Preview and execute share every step up to the writes, so a
preview predicts the execution exactly. The row semantics are documented on
`credentials.resources.ClientResource` and in the README ("Bulk upload").

Rows are grouped by client (all rows of one client are planned together, in file order), and the
groups are planned and written in chunks of about `CHUNK_ROWS` rows: each chunk loads the state of
its clients with a few IN queries and writes with a few bulk statements, so the working memory
depends on the chunk size, not on the file's.
"""

import heapq
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from clients.limits import (
    FILE_ID_MAX_LENGTH,
    FILE_IDS_MAX,
    LOGIN_MAX_LENGTH,
    NAME_MAX_LENGTH,
    NOTES_MAX_LENGTH,
    REGISTRATION_NUMBER_MAX_LENGTH,
    too_long_message,
)
from clients.models import GLOBAL_SCOPE, Alias, Client, ClientStatus, Obligation, Organization
from credentials.bulk_writes import (
    CHANGED,
    CREATED,
    history_rows_insert,
    instance_builder,
    rows_insert,
    rows_update,
)
from credentials.models import (
    MASK,
    ClientImport,
    Credential,
    CredentialReportType,
    CredentialStatus,
    Interval,
)
from credentials.services import (
    MASKED_PASSWORD_MESSAGE,
    NULL_CHARACTER_MESSAGE,
    UNSET,
    CredentialWrite,
    credentials_bulk_write,
    holds_null_character,
    is_masked_password,
    linked_secret_errors,
)
from reporting.models import Country, Pro, ReportType
from reporting.selectors import Catalog, CatalogLookupError

CHUNK_ROWS = 2000
LOOKUP_BATCH = 1000
SAMPLE_ROWS = 10
ROW_MESSAGES_KEPT = ClientImport.ROW_ERRORS_KEPT
CHANGE_REASON = "Bulk upload"

FIELD_DESCRIPTIONS: dict[str, str] = {
    "id": "The client's id; it must be a client of your organization.",
    "name": "The client's name (matched ignoring case; a new name creates the client).",
    "status": f"Client status: {', '.join(ClientStatus.values)}.",
    "shared": "Share the client with its own organization: true/false, yes/no, 1/0.",
    "notes": f"Client notes (at most {NOTES_MAX_LENGTH} characters).",
    "alias": "The client's global alias.",
    "local_company_name": "The client's name in the row's country (its alias there).",
    "country": "Catalog country code (DE, FR, UK, ...).",
    "report_type": 'Report type code, or several comma-separated ("WEEE,Batteries").',
    "pro": "The PRO's name in that country (required for a credential).",
    "login": "Credential login.",
    "password": "Credential password (stored encrypted).",
    "registration_number": "Credential registration number.",
    "interval": f"Reporting interval: {', '.join(Interval.values)}.",
    "credential_status": f"Credential status: {', '.join(CredentialStatus.values)}.",
}
FIELDS = tuple(FIELD_DESCRIPTIONS)
CREDENTIAL_FIELDS = ("login", "password", "registration_number", "interval", "credential_status")
# Other spellings a frontend or a spreadsheet may use for a field.
SYNONYMS = {
    "client_id": "id",
    "client_name": "name",
    "company_name": "name",
    "report_types": "report_type",
    "local_name": "local_company_name",
}
CLIENT_STATUSES = list(ClientStatus.values)
INTERVALS = list(Interval.values)
CREDENTIAL_STATUSES = list(CredentialStatus.values)
TRUE_WORDS = {"true", "yes", "y", "1"}
FALSE_WORDS = {"false", "no", "n", "0"}
MAX_ID = 2**63 - 1

_CLIENT_FIELDS = ("status", "shared", "notes")
# Fields whose values a message may quote: checked against a closed list and quoted in the
# list's own spelling, never as the file's cell. Row messages quote no other cell: in a file
# whose mapping is off by a column, any cell may be a password.
_CHOICE_FIELDS = frozenset({"status", "shared", "interval", "credential_status"})
_CREDENTIAL_ATTRIBUTES = {
    "login": "login",
    "password": "password",
    "registration_number": "registration_number",
    "interval": "interval",
    "credential_status": "status",
}
_credential_instance = instance_builder(
    Credential,
    ["id", "client_id", "country_id", "pro_id", *_CREDENTIAL_ATTRIBUTES.values()],
)
# The most characters a cell of each field takes; every other cell (ids, catalog codes and
# names, choices) takes CELL_MAX_LENGTH. A longer cell is a row error, never cut short.
MAX_LENGTHS = {
    "name": NAME_MAX_LENGTH,
    "notes": NOTES_MAX_LENGTH,
    "alias": NAME_MAX_LENGTH,
    "local_company_name": NAME_MAX_LENGTH,
    "login": LOGIN_MAX_LENGTH,
    "password": Credential._meta.get_field("password").max_length,
    "registration_number": REGISTRATION_NUMBER_MAX_LENGTH,
    "report_type": Credential._meta.get_field("report_type_codes").max_length,
}
CELL_MAX_LENGTH = 255


class MappingError(ValueError):
    """The mapping (or a file's header row) cannot be used; `messages` say why."""

    def __init__(self, messages: list[str]):
        super().__init__(" ".join(messages))
        self.messages = messages


class ImportConflict(RuntimeError):
    """Another change met the upload's writes (a name or credential taken meanwhile); nothing
    was applied."""


def field_name(name) -> str:
    """A column name as the mapping understands it: case, spaces and hyphens ignored."""
    normalized = "_".join(str(name).strip().casefold().replace("-", " ").split())
    return SYNONYMS.get(normalized, normalized)


def mapping_resolve(mapping: Sequence) -> list[str | None]:
    """The field of each column (None: skip the column), or MappingError naming what is wrong:
    unknown names (with the valid ones), a field mapped twice, no name or id column."""
    if not mapping:
        raise MappingError(["The mapping is empty: give the field of each column."])
    resolved: list[str | None] = []
    unknown: list[int] = []
    errors: list[str] = []
    positions: dict[str, int] = {}
    for position, name in enumerate(mapping, start=1):
        if name is None or not str(name).strip():
            resolved.append(None)
            continue
        key = field_name(name)
        if key not in FIELD_DESCRIPTIONS:
            unknown.append(position)
            resolved.append(None)
            continue
        if key in positions:
            errors.append(
                f"Columns {positions[key]} and {position} both map to {key!r}: map each field once."
            )
        positions.setdefault(key, position)
        resolved.append(key)
    if unknown:
        # Positions, not names: without a header row the "names" are the first row's cells.
        columns = "column" if len(unknown) == 1 else "columns"
        errors.insert(
            0,
            f"Unknown field in {columns} {', '.join(map(str, unknown))}. Valid fields: "
            f"{', '.join(FIELDS)} (an empty name or null skips a column).",
        )
    if not errors and "name" not in positions and "id" not in positions:
        errors.append("Map a name or an id column: it tells which client each row is about.")
    if errors:
        raise MappingError(errors)
    return resolved


def is_header_row(cells: Sequence, mapping: Sequence[str | None]) -> bool:
    """Whether `cells` spell the mapping's field names (ignoring case), i.e. a header row."""
    if len(cells) != len(mapping):
        return False
    mapped = [(cell, name) for cell, name in zip(cells, mapping, strict=True) if name]
    return bool(mapped) and all(
        isinstance(cell, str) and field_name(cell) == name for cell, name in mapped
    )


@dataclass(slots=True)
class RowReport:
    """What one row does, for the admin's preview: `import_type` is new (it creates its
    client), update, skip (changes nothing) or invalid."""

    number: int
    import_type: str
    values: dict[str, str]
    changes: dict[str, tuple[object, object]] = field(default_factory=dict)
    errors: list[tuple[str | None, str]] = field(default_factory=list)
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


class _Earliest:
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


@dataclass(slots=True)
class _Row:
    """One data row, read and checked against the catalog (no database)."""

    number: int
    values: dict[str, str]
    errors: list[tuple[str | None, str]]
    client_id: int | None = None
    name: str = ""
    status: str | None = None
    shared: bool | None = None
    notes: str | None = None
    alias: str | None = None
    local_company_name: str | None = None
    country: Country | None = None
    report_types: list[ReportType] | None = None
    pro: Pro | None = None
    credential: dict[str, str] | None = None


def _choice(value: str, choices: list[str], what: str) -> tuple[str | None, str | None]:
    """The choice `value` names ignoring case, or an error message naming the valid ones."""
    folded = value.casefold()
    for choice in choices:
        if choice.casefold() == folded:
            return choice, None
    return None, f"Unknown {what}. Valid: {', '.join(choices)}."


class _RowReader:
    """Reads rows of cells into `_Row`s with the resolved mapping and the catalog in memory."""

    def __init__(self, mapping: list[str | None], catalog: Catalog):
        self.width = len(mapping)
        self.columns = [(index, name) for index, name in enumerate(mapping) if name]
        self.identity_columns = [(i, name) for i, name in self.columns if name in ("id", "name")]
        self.catalog = catalog
        self._catalog_cache: dict[tuple, tuple] = {}

    def shown(self, row: _Row, withheld=frozenset()) -> dict[str, str]:
        """The row's cell of every mapped field ("" when blank) for a preview: the password
        masked, and the cells of the `withheld` fields (the ones a row error rejects) too: a
        cell that fails its field's check may be a secret in a misaligned column."""
        values = {name: row.values.get(name, "") for _, name in self.columns}
        for name in ("password", *withheld):
            if values.get(name):
                values[name] = MASK
        return values

    def cells_of(self, cells: Sequence[str], number: int, columns=None) -> _Row:
        """The row's cells by field (blank cells left out), or a row error for a ragged row.

        `columns` narrows the fields read to some of the mapped (index, field) pairs."""
        if len(cells) != self.width:
            return _Row(
                number=number,
                values={},
                errors=[
                    (
                        None,
                        f"The row has {len(cells)} cells but the mapping has {self.width} columns.",
                    )
                ],
            )
        values: dict[str, str] = {}
        errors: list[tuple[str | None, str]] = []
        # One look at the whole row; the cells are searched only when it holds a NUL.
        may_hold_null = holds_null_character("".join(cells))
        for index, name in columns or self.columns:
            cell = cells[index]
            if name != "password":
                cell = cell.strip()
            elif not cell.strip():
                continue
            if not cell:
                continue
            limit = MAX_LENGTHS.get(name, CELL_MAX_LENGTH)
            if len(cell) > limit:
                # Left out of the row's values, so that no later message quotes it.
                errors.append((name, too_long_message(name, limit)))
                continue
            if may_hold_null and holds_null_character(cell):
                errors.append((name, NULL_CHARACTER_MESSAGE))
                continue
            values[name] = cell
        return _Row(number=number, values=values, errors=errors)

    def identify(self, row: _Row) -> None:
        """Read the id and name cells: which client the row is about."""
        values = row.values
        raw_id = values.get("id")
        if raw_id is not None:
            if raw_id.isascii() and raw_id.isdigit() and int(raw_id) <= MAX_ID:
                row.client_id = int(raw_id)
            else:
                row.errors.append(("id", "A client id is a whole number."))
        row.name = values.get("name", "")
        if raw_id is None and "name" not in values and not _has_error(row, "name"):
            row.errors.append(("name", "Give the client's name or id."))

    @sensitive_variables("credential")
    def read(self, row: _Row) -> None:
        """Read every other field of the row, appending its errors."""
        values, errors = row.values, row.errors
        if "status" in values:
            row.status, error = _choice(values["status"], CLIENT_STATUSES, "status")
            if error:
                errors.append(("status", error))
        if "shared" in values:
            word = values["shared"].casefold()
            if word in TRUE_WORDS or word in FALSE_WORDS:
                row.shared = word in TRUE_WORDS
            else:
                errors.append(("shared", "shared is true or false (yes or no, 1 or 0)."))
        row.notes = values.get("notes")
        row.alias = values.get("alias")
        row.local_company_name = values.get("local_company_name")
        credential = {name: values[name] for name in CREDENTIAL_FIELDS if name in values}
        if "interval" in credential:
            credential["interval"], error = _choice(credential["interval"], INTERVALS, "interval")
            if error:
                errors.append(("interval", error))
        if "credential_status" in credential:
            credential["credential_status"], error = _choice(
                credential["credential_status"], CREDENTIAL_STATUSES, "credential status"
            )
            if error:
                errors.append(("credential_status", error))
        if is_masked_password(credential.get("password")):
            errors.append(("password", MASKED_PASSWORD_MESSAGE))
        row.credential = credential or None
        self._read_catalog(row)

    def _read_catalog(self, row: _Row) -> None:
        values = row.values
        key = (
            values.get("country"),
            values.get("report_type"),
            values.get("pro"),
            row.credential is not None,
            row.local_company_name is not None,
        )
        cached = self._catalog_cache.get(key)
        if cached is None:
            cached = self._catalog_cache[key] = self._catalog_entries(*key)
        row.country, row.report_types, row.pro, errors = cached
        # A field already in error (an over-long cell, left out) needs no second message.
        row.errors.extend(error for error in errors if not _has_error(row, error[0]))

    def _catalog_entries(
        self, country_code, report_type_codes, pro_name, is_credential, has_local_name
    ) -> tuple:
        errors: list[tuple[str | None, str]] = []
        country = report_types = pro = None
        try:
            if country_code is not None:
                country = self.catalog.country(country_code)
        except CatalogLookupError as error:
            errors.append(("country", error.message_without_value))
        try:
            if report_type_codes is not None:
                report_types = self.catalog.report_types_of(report_type_codes)
        except CatalogLookupError as error:
            errors.append(("report_type", error.message_without_value))
        if pro_name is not None and country is not None:
            try:
                pro = self.catalog.pro(country, pro_name)
                for report_type in report_types or ():
                    self.catalog.check_offered(pro, report_type)
            except CatalogLookupError as error:
                field = "report_type" if error.field != "pro" else "pro"
                errors.append((field, error.message_without_value))
        if is_credential:
            for name, given in (
                ("country", country_code),
                ("report_type", report_type_codes),
                ("pro", pro_name),
            ):
                if given is None:
                    errors.append(
                        (name, f"A credential row (login, password, ...) needs a {name}.")
                    )
        elif country_code is None:
            if report_type_codes is not None or pro_name is not None:
                errors.append(("country", "A report_type or pro needs the row's country."))
        elif report_type_codes is None and not has_local_name:
            errors.append(
                (
                    "report_type",
                    "With a country, give a report_type (an obligation, or a credential with "
                    "pro, login, ...) or a local_company_name.",
                )
            )
        if country_code is None and has_local_name:
            errors.append(
                ("country", "A local_company_name is the client's name in the row's country.")
            )
        return country, report_types, pro, errors


def _has_error(row: _Row, name: str) -> bool:
    return any(field_name == name for field_name, _ in row.errors)


@dataclass(slots=True, eq=False)
class _CredentialState:
    """A credential as the rows so far leave it. `values` holds login, password,
    registration_number, interval and status; `pk` is None for a new one, and `original` holds
    the stored values of an existing one. A model instance is built only to be written."""

    country_id: object
    pro_id: int
    values: dict[str, object]
    report_types: list[ReportType]
    report_type_ids: set[int]
    pk: int | None = None
    original: dict[str, object] | None = None
    original_report_type_ids: frozenset[int] = frozenset()
    collective: Credential | None = None

    def changed_attributes(self) -> list[str]:
        if self.original is None:
            return []
        return [name for name, value in self.original.items() if self.values[name] != value]

    def added_report_types(self) -> list[ReportType]:
        return [rt for rt in self.report_types if rt.pk not in self.original_report_type_ids]

    @property
    def is_written(self) -> bool:
        return self.original is None or bool(self.changed_attributes() or self.added_report_types())

    def write(self, client: Client) -> CredentialWrite:
        """The write of this credential for `client` (saved already): a new instance, or the
        loaded one with its changed attributes set."""
        values = self.values
        credential = _credential_instance(
            self.pk,
            client.pk,
            self.country_id,
            self.pro_id,
            *[values[name] for name in _CREDENTIAL_ATTRIBUTES.values()],
        )
        if self.original is None:
            return CredentialWrite(
                credential=credential,
                report_types=self.report_types,
                added_report_types=self.report_types,
            )
        # Written with bulk_update: the changed fields, the report types and updated_at only.
        credential._state.adding = False
        changed = self.changed_attributes()
        return CredentialWrite(
            credential=credential,
            report_types=self.report_types,
            added_report_types=self.added_report_types(),
            changed_fields=changed,
            previous_password=self.original["password"],
        )


@dataclass(slots=True, eq=False)
class _ClientState:
    """A client as the rows so far leave it; compared with `original` to find the writes."""

    client: Client
    is_new: bool
    original: dict[str, object]
    aliases: dict[str, Alias]
    alias_names: dict[str, str]
    obligations: list[Obligation]
    obligation_pros: dict[int, int | None]
    credentials: list[_CredentialState]
    valid_rows: int = 0
    given: dict[tuple, tuple[int, object]] = field(default_factory=dict)


def _new_client_state(organization: Organization, name: str) -> _ClientState:
    client = Client(organization=organization, name=name, status=ClientStatus.ACTIVE)
    return _ClientState(
        client=client,
        is_new=True,
        original={},
        aliases={},
        alias_names={},
        obligations=[],
        obligation_pros={},
        credentials=[],
    )


class _Importer:
    def __init__(
        self,
        *,
        organization: Organization,
        user,
        rows: Sequence[Sequence[str]],
        mapping: list[str | None],
        has_header: bool,
        first_row_number: int,
        dry_run: bool,
        atomic: bool,
        collect_rows: bool,
        progress: Callable[[int], None] | None,
    ):
        self.organization = organization
        self.user = user
        self.rows = rows
        self.first_row_number = first_row_number
        self.start = 1 if has_header else 0
        self.dry_run = dry_run
        self.collect_rows = collect_rows
        self.progress = progress
        self.catalog = Catalog.load()
        self.reader = _RowReader(mapping, self.catalog)
        self.report = ClientImportReport(
            mapping=mapping, has_header=has_header, dry_run=dry_run, atomic=atomic
        )
        self.errors = _Earliest(ROW_MESSAGES_KEPT)
        self.warnings = _Earliest(ROW_MESSAGES_KEPT)
        self.samples = _Earliest(SAMPLE_ROWS)
        self.row_reports: list[RowReport] = []

    # Pass 1: which client each row is about.

    def _groups(self) -> tuple[dict[tuple, list[int]], dict[int, list]]:
        """Row indexes by client key, in order of first appearance, and the rows that name no
        usable client (with their errors). Keys: ("id", pk) for an existing client,
        ("new", lowercased name) for a client the upload creates."""
        groups: dict[tuple, list[int]] = {}
        unidentified: dict[int, list] = {}
        pending: list[tuple[int, int | None, str]] = []
        for index in range(self.start, len(self.rows)):
            cells = self.rows[index]
            if not "".join(cells).strip():
                continue
            row = self.reader.cells_of(cells, self._number(index), self.reader.identity_columns)
            if row.errors and not row.values:
                unidentified[index] = row.errors
                continue
            self.reader.identify(row)
            if _has_error(row, "id") or _has_error(row, "name"):
                unidentified[index] = [e for e in row.errors if e[0] in ("id", "name", None)]
                continue
            pending.append((index, row.client_id, row.name.lower()))
            if len(pending) >= LOOKUP_BATCH:
                self._key_rows(pending, groups, unidentified)
                pending = []
        self._key_rows(pending, groups, unidentified)
        return groups, unidentified

    def _key_rows(self, pending, groups, unidentified) -> None:
        if not pending:
            return
        clients = Client.objects.filter(organization=self.organization)
        ids = {client_id for _, client_id, _ in pending if client_id is not None}
        names = {name for _, client_id, name in pending if client_id is None}
        known_ids = set(clients.filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
        by_name: dict[str, int] = {}
        if names:
            matches = (
                clients.alias(lower_name=Lower("name"))
                .filter(lower_name__in=names)
                .values_list("pk", "name")
            )
            by_name = {name.lower(): pk for pk, name in matches}
        for index, client_id, name in pending:
            if client_id is not None:
                if client_id in known_ids:
                    groups.setdefault(("id", client_id), []).append(index)
                else:
                    unidentified[index] = [("id", "No client with this id in your organization.")]
            elif name in by_name:
                groups.setdefault(("id", by_name[name]), []).append(index)
            else:
                groups.setdefault(("new", name), []).append(index)

    # Pass 2: plan (and write) chunk by chunk.

    def run(self) -> ClientImportReport:
        groups, unidentified = self._groups()
        for index, key_errors in sorted(unidentified.items()):
            row = self.reader.cells_of(self.rows[index], self._number(index))
            if row.values:
                self.reader.identify(row)
                self.reader.read(row)
            self._invalid(row, key_errors)
            self._advance(1)
        for chunk in self._chunks(groups):
            self._plan_chunk(chunk)
        report = self.report
        report.row_errors = self.errors.entries()
        report.row_errors_total = self.errors.total
        report.row_warnings = self.warnings.entries()
        report.warnings = self.warnings.total
        report.sample_data = self.samples.entries()
        if self.collect_rows:
            report.row_reports = sorted(self.row_reports, key=lambda r: r.number)
        return report

    def _chunks(self, groups: dict[tuple, list[int]]) -> Iterator[list[tuple[tuple, list[int]]]]:
        chunk: list[tuple[tuple, list[int]]] = []
        size = 0
        for key, indexes in groups.items():
            chunk.append((key, indexes))
            size += len(indexes)
            if size >= CHUNK_ROWS:
                yield chunk
                chunk, size = [], 0
        if chunk:
            yield chunk

    def _number(self, index: int) -> int:
        return self.first_row_number + index

    def _advance(self, rows: int) -> None:
        if self.progress is not None:
            self.progress(rows)

    def _plan_chunk(self, chunk: list[tuple[tuple, list[int]]]) -> None:
        states = self._load([key[1] for key, _ in chunk if key[0] == "id"])
        planned: list[_ClientState] = []
        for (kind, value), indexes in chunk:
            state = states.get(value) if kind == "id" else None
            vanished = kind == "id" and state is None
            for index in indexes:
                row = self.reader.cells_of(self.rows[index], self._number(index))
                self.reader.identify(row)
                self.reader.read(row)
                if vanished:
                    row.errors.append(
                        ("id" if row.client_id else "name", "The client was deleted meanwhile.")
                    )
                elif state is None and not row.errors:
                    state = _new_client_state(self.organization, row.name)
                if state is not None:
                    self._check_identity(state, row)
                self._apply(state, row)
            if state is not None:
                planned.append(state)
        writes = self._writes(planned)
        if not self.dry_run:
            self._write(*writes)
        self._advance(sum(len(indexes) for _, indexes in chunk))

    def _load(self, client_ids: list[int]) -> dict[int, _ClientState]:
        """The state of existing clients: a few IN queries, whatever the number of rows."""
        if not client_ids:
            return {}
        clients = Client.objects.filter(organization=self.organization, pk__in=client_ids)
        if not self.dry_run:
            clients = clients.select_for_update()
        states = {
            client.pk: _ClientState(
                client=client,
                is_new=False,
                original={name: getattr(client, name) for name in _CLIENT_FIELDS},
                aliases={},
                alias_names={},
                obligations=[],
                obligation_pros={},
                credentials=[],
            )
            for client in clients
        }
        for alias in Alias.objects.filter(client_id__in=client_ids):
            state = states[alias.client_id]
            state.aliases[alias.scope] = alias
            state.alias_names[alias.scope] = alias.name
        for obligation in Obligation.objects.filter(client_id__in=client_ids):
            state = states[obligation.client_id]
            state.obligations.append(obligation)
            state.obligation_pros[obligation.pk] = obligation.pro_id
        report_type_ids: dict[int, set[int]] = {}
        for credential_id, report_type_id in CredentialReportType.objects.filter(
            client_id__in=client_ids
        ).values_list("credential_id", "report_type_id"):
            report_type_ids.setdefault(credential_id, set()).add(report_type_id)
        by_id = {rt.pk: rt for rt in self.catalog.report_types.values()}
        attributes = list(_CREDENTIAL_ATTRIBUTES.values())
        # Plain values rather than instances: several per client, and most stay unchanged.
        loaded = Credential.objects.filter(client_id__in=client_ids).values_list(
            "pk",
            "client_id",
            "country_id",
            "pro_id",
            "report_type_codes",
            "collective_account_id",
            *attributes,
        )
        linked: list[tuple[_CredentialState, int]] = []
        for pk, client_id, country_id, pro_id, codes, collective_id, *stored in loaded:
            ids = report_type_ids.get(pk, set())
            order = {code: position for position, code in enumerate(codes.split(","))}
            report_types = sorted(
                (by_id[rt_id] for rt_id in ids), key=lambda rt: order.get(rt.code, len(order))
            )
            values = dict(zip(attributes, stored, strict=True))
            state = _CredentialState(
                country_id=country_id,
                pro_id=pro_id,
                values=values,
                report_types=report_types,
                report_type_ids=set(ids),
                pk=pk,
                original=dict(values),
                original_report_type_ids=frozenset(ids),
            )
            states[client_id].credentials.append(state)
            if collective_id is not None:
                linked.append((state, collective_id))
        if linked:
            collectives = Credential.objects.select_related("client", "country", "pro").in_bulk(
                {collective_id for _, collective_id in linked}
            )
            for state, collective_id in linked:
                state.collective = collectives[collective_id]
        return states

    def _check_identity(self, state: _ClientState, row: _Row) -> None:
        if row.client_id is not None and row.name and row.name.lower() != state.client.name.lower():
            row.errors.append(
                (
                    "name",
                    f"Client {state.client.pk} is called {state.client.name!r}. An upload does "
                    "not rename clients: give the current name or leave it blank.",
                )
            )

    # Applying one row to its client's state.

    def _invalid(self, row: _Row, extra_errors=()) -> None:
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

    def _warn(self, row: _Row, field_name: str, message: str) -> None:
        self.warnings.add(row.number, {"row": row.number, "field": field_name, "message": message})

    def _apply(self, state: _ClientState | None, row: _Row) -> None:
        if state is None or row.errors:
            self._invalid(row)
            return
        match = None
        if row.credential is not None:
            match = self._matching_credential(state, row)
            if row.errors:
                self._invalid(row)
                return
        creates_client = state.is_new and state.valid_rows == 0
        changes: dict[str, tuple[object, object]] = {}
        self._apply_client_fields(state, row, changes)
        self._apply_aliases(state, row, changes)
        if row.credential is not None:
            self._apply_credential(state, row, match, changes)
        elif row.report_types is not None:
            self._apply_obligations(state, row, changes)
        state.valid_rows += 1
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
                    client=state.client,
                )
            )

    def _given(self, state: _ClientState, row: _Row, key: tuple, label: str, value) -> None:
        """Remember which row gave a value; a later row giving another one wins, with a warning."""
        earlier = state.given.get(key)
        if earlier is not None and earlier[1] != value:
            if label in _CHOICE_FIELDS:
                message = (
                    f"Row {earlier[0]} gave {label} {earlier[1]!r}; this row's {value!r} wins."
                )
            else:
                message = f"Row {earlier[0]} gave another {label}; this row's wins."
            self._warn(row, label, message)
        state.given[key] = (row.number, value)

    def _apply_client_fields(self, state: _ClientState, row: _Row, changes: dict) -> None:
        client = state.client
        for name in _CLIENT_FIELDS:
            value = getattr(row, name)
            if value is None:
                continue
            self._given(state, row, ("client", name), name, value)
            current = getattr(client, name)
            if value != current:
                changes[name] = (current, value)
                setattr(client, name, value)

    def _apply_aliases(self, state: _ClientState, row: _Row, changes: dict) -> None:
        for label, scope, name in (
            ("alias", GLOBAL_SCOPE, row.alias),
            (
                "local_company_name",
                row.country.code if row.country else None,
                row.local_company_name,
            ),
        ):
            if name is None:
                continue
            self._given(state, row, ("alias", scope), label, name)
            alias = state.aliases.get(scope)
            if alias is None:
                state.aliases[scope] = Alias(client=state.client, scope=scope, name=name)
                changes[label] = ("", name)
            elif alias.name != name:
                changes[label] = (alias.name, name)
                alias.name = name

    def _apply_obligations(self, state: _ClientState, row: _Row, changes: dict) -> None:
        pro_id = row.pro.pk if row.pro else None
        for report_type in row.report_types:
            same = [
                o
                for o in state.obligations
                if o.country_id == row.country.pk and o.report_type_id == report_type.pk
            ]
            if any(o.pro_id == pro_id for o in same) or (pro_id is None and same):
                continue
            without_pro = next((o for o in same if o.pro_id is None), None)
            if without_pro is not None:
                without_pro.pro = row.pro
                changes["pro"] = ("", row.pro.name)
                continue
            state.obligations.append(
                Obligation(
                    client=state.client, country=row.country, report_type=report_type, pro=row.pro
                )
            )
            changes["report_type"] = ("", row.values["report_type"])

    def _matching_credential(self, state: _ClientState, row: _Row) -> _CredentialState | None:
        """The credential the row updates (it shares country, PRO and a report type), None for a
        new one; a row error when the row's report types span several credentials or it gives
        a linked credential its own secrets."""
        wanted = {rt.pk for rt in row.report_types}
        matches = [
            c
            for c in state.credentials
            if c.country_id == row.country.pk
            and c.pro_id == row.pro.pk
            and not c.report_type_ids.isdisjoint(wanted)
        ]
        if len(matches) > 1:
            ids = ", ".join(str(c.pk or "new") for c in matches)
            codes = ",".join(rt.code for rt in row.report_types)
            row.errors.append(
                (
                    "report_type",
                    f"{codes} matches {len(matches)} credentials of this "
                    f"client for {row.country.code} · {row.pro.name} ({ids}): give the report "
                    "types of one credential per row.",
                )
            )
            return None
        match = matches[0] if matches else None
        if match is not None and match.collective is not None:
            errors = linked_secret_errors(
                login=row.credential.get("login", UNSET),
                password=row.credential.get("password", UNSET),
                collective=match.collective,
            )
            row.errors.extend((name, messages[0]) for name, messages in errors.items())
        return match

    @sensitive_variables("values")
    def _apply_credential(
        self, state: _ClientState, row: _Row, match: _CredentialState | None, changes: dict
    ) -> None:
        values = row.credential
        if match is None:
            match = _CredentialState(
                country_id=row.country.pk,
                pro_id=row.pro.pk,
                values={
                    "login": values.get("login", ""),
                    "password": values.get("password", ""),
                    "registration_number": values.get("registration_number", ""),
                    "interval": values.get("interval"),
                    "status": values.get("credential_status", CredentialStatus.ACTIVE),
                },
                report_types=list(row.report_types),
                report_type_ids={rt.pk for rt in row.report_types},
            )
            state.credentials.append(match)
            for name, value in values.items():
                changes[name] = ("", MASK if name == "password" else value)
            changes["report_type"] = ("", row.values["report_type"])
        else:
            for name, value in values.items():
                attribute = _CREDENTIAL_ATTRIBUTES[name]
                current = match.values[attribute]
                if value != current:
                    shown = (MASK, MASK) if name == "password" else (current, value)
                    changes[name] = shown
                    match.values[attribute] = value
            added = [rt for rt in row.report_types if rt.pk not in match.report_type_ids]
            if added:
                before = ",".join(rt.code for rt in match.report_types)
                match.report_types.extend(added)
                match.report_type_ids.update(rt.pk for rt in added)
                changes["report_type"] = (before, ",".join(rt.code for rt in match.report_types))
        for name, value in values.items():
            self._given(state, row, ("credential", id(match), name), name, value)

    # From states to writes.

    def _writes(self, planned: list[_ClientState]) -> tuple:
        """The rows to insert and update for the chunk's clients; counts the clients."""
        new_clients, changed_clients, client_fields = [], [], set()
        new_aliases, changed_aliases = [], []
        new_obligations, changed_obligations = [], []
        credentials: list[tuple[Client, _CredentialState]] = []
        for state in planned:
            if state.valid_rows == 0:
                continue
            changed = False
            if state.is_new:
                new_clients.append(state.client)
            else:
                fields = [
                    n for n in _CLIENT_FIELDS if getattr(state.client, n) != state.original[n]
                ]
                if fields:
                    changed_clients.append(state.client)
                    client_fields.update(fields)
                    changed = True
            for scope, alias in state.aliases.items():
                if alias.pk is None:
                    new_aliases.append(alias)
                    changed = True
                elif alias.name != state.alias_names[scope]:
                    changed_aliases.append(alias)
                    changed = True
            for obligation in state.obligations:
                if obligation.pk is None:
                    new_obligations.append(obligation)
                    changed = True
                elif obligation.pro_id != state.obligation_pros[obligation.pk]:
                    changed_obligations.append(obligation)
                    changed = True
            for credential_state in state.credentials:
                if credential_state.is_written:
                    credentials.append((state.client, credential_state))
                    changed = True
            if state.is_new:
                self.report.created += 1
            elif changed:
                self.report.updated += 1
        return (
            new_clients,
            changed_clients,
            sorted(client_fields),
            new_aliases,
            changed_aliases,
            new_obligations,
            changed_obligations,
            credentials,
        )

    def _write(
        self,
        new_clients,
        changed_clients,
        client_fields,
        new_aliases,
        changed_aliases,
        new_obligations,
        changed_obligations,
        credentials,
    ) -> None:
        now = timezone.now()
        for client in changed_clients:
            client.updated_at = now
        history = {"user": self.user, "change_reason": CHANGE_REASON, "date": now}
        for model, created, changed, fields in (
            (Client, new_clients, changed_clients, [*client_fields, "updated_at"]),
            (Alias, new_aliases, changed_aliases, ["name"]),
            (Obligation, new_obligations, changed_obligations, ["pro"]),
        ):
            rows_insert(model, created)
            history_rows_insert(model, [obj.pk for obj in created], history_type=CREATED, **history)
            if changed:
                rows_update(model, changed, fields)
                history_rows_insert(
                    model, [obj.pk for obj in changed], history_type=CHANGED, **history
                )
        credentials_bulk_write(
            writes=[state.write(client) for client, state in credentials],
            user=self.user,
            change_reason=CHANGE_REASON,
        )


class _NothingApplied(Exception):
    """Rolls back an atomic upload that has errors."""


def _resolve_header(rows: Sequence[Sequence[str]], mapping, has_header: bool | None) -> bool:
    if has_header is not None:
        return has_header
    return bool(rows) and is_header_row(rows[0], mapping)


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
    means nothing is applied. An execution is recorded as a ClientImport (`report.record`),
    writes history with `user`, and runs in one transaction: a failure applies nothing
    (ImportConflict when another change took a name or credential meanwhile).
    `collect_rows` keeps a RowReport per row (for the admin's preview). A cell longer than its
    field takes (MAX_LENGTHS, CELL_MAX_LENGTH) is a row error; more than FILE_IDS_MAX
    `file_ids`, or one longer than FILE_ID_MAX_LENGTH, raise ValidationError.
    """
    resolved = mapping_resolve(mapping)
    file_ids = _clean_file_ids(file_ids)
    header = _resolve_header(rows, resolved, has_header)
    started = time.monotonic()

    def plan() -> ClientImportReport:
        report = _Importer(
            organization=organization,
            user=user,
            rows=rows,
            mapping=resolved,
            has_header=header,
            first_row_number=first_row_number,
            dry_run=dry_run,
            atomic=atomic,
            collect_rows=collect_rows,
            progress=progress,
        ).run()
        if atomic and report.invalid_rows:
            report.created = report.updated = 0
        return report

    if dry_run:
        return plan()
    try:
        with transaction.atomic():
            report = plan()
            if atomic and report.invalid_rows:
                raise _NothingApplied(report)
            report.applied = True
            report.record = _record(
                report, organization, user, source, file_ids, file_name, started
            )
    except _NothingApplied as stop:
        report = stop.args[0]
        report.record = _record(report, organization, user, source, file_ids, file_name, started)
    except (IntegrityError, ValidationError) as error:
        raise ImportConflict(
            "Another change took one of the upload's client names or credentials while it ran. "
            "Nothing was applied: run the upload again."
        ) from error
    return report


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
