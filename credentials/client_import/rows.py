"""Reading one data row: its cells by field, checked against the limits, the choices and the
catalog in memory (no database). A row error is a (field or None, message) pair; messages never
quote a cell, except a choice in the choice's own spelling."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.views.decorators.debug import sensitive_variables

from clients.limits import (
    LOGIN_MAX_LENGTH,
    NAME_MAX_LENGTH,
    NOTES_MAX_LENGTH,
    REGISTRATION_NUMBER_MAX_LENGTH,
    too_long_message,
)
from clients.models import ClientStatus
from clients.parsing import parse_bool, parse_choice, parse_id
from credentials.client_import.mapping import CREDENTIAL_FIELDS
from credentials.models import MASK, Credential, CredentialStatus, Interval
from credentials.services import (
    MASKED_PASSWORD_MESSAGE,
    NULL_CHARACTER_MESSAGE,
    holds_null_character,
    is_masked_password,
)
from reporting.models import Country, Pro, ReportType
from reporting.selectors import Catalog, CatalogLookupError

CLIENT_STATUSES = list(ClientStatus.values)
INTERVALS = list(Interval.values)
CREDENTIAL_STATUSES = list(CredentialStatus.values)
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
CHOICES_REMEMBERED = 1000

RowError = tuple[str | None, str]


@dataclass(slots=True)
class Row:
    """One data row, read and checked against the catalog (no database)."""

    number: int
    values: dict[str, str]
    errors: list[RowError]
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

    def has_error(self, name: str) -> bool:
        return any(field_name == name for field_name, _ in self.errors)


def choice_of(value: str, choices: list[str], what: str) -> tuple[str | None, str | None]:
    """The choice `value` names ignoring case, or an error message naming the valid ones."""
    choice = parse_choice(value, choices)
    if choice is not None:
        return choice, None
    return None, f"Unknown {what}. Valid: {', '.join(choices)}."


def _cell_limits(columns: list[tuple[int, str]]) -> list[tuple[int, str, int]]:
    return [(index, name, MAX_LENGTHS.get(name, CELL_MAX_LENGTH)) for index, name in columns]


def _cell_error(name: str, cell: str, limit: int) -> str:
    """Why a cell over its limit or holding a NUL is refused."""
    if len(cell) > limit:
        return too_long_message(name, limit)
    return NULL_CHARACTER_MESSAGE


@dataclass(frozen=True, slots=True)
class CatalogEntries:
    """What a row's country, report_type and pro cells name in the catalog, with the errors of
    the cells (and of their combination)."""

    country: Country | None
    report_types: list[ReportType] | None
    pro: Pro | None
    errors: list[RowError]


class RowReader:
    """Reads rows of cells into `Row`s with the resolved mapping and the catalog in memory."""

    def __init__(self, mapping: list[str | None], catalog: Catalog):
        self.width = len(mapping)
        self.columns = [(index, name) for index, name in enumerate(mapping) if name]
        self.identity_columns = [(i, name) for i, name in self.columns if name in ("id", "name")]
        # (index, field, the cell's length limit) of every mapped column, and of the id and name
        # columns.
        self._cell_limits = _cell_limits(self.columns)
        self._identity_cell_limits = _cell_limits(self.identity_columns)
        self.catalog = catalog
        self._catalog_cache: dict[tuple, CatalogEntries] = {}
        self._choice_cache: dict[tuple, tuple[str | None, str | None]] = {}

    def _choice(self, value: str, choices: list[str], what: str) -> tuple[str | None, str | None]:
        """choice_of, remembered: a file repeats the few spellings of its choices (at most
        CHOICES_REMEMBERED of them, so that a column of other text does not fill the memory)."""
        key = (what, value)
        found = self._choice_cache.get(key)
        if found is None:
            found = choice_of(value, choices, what)
            if len(self._choice_cache) < CHOICES_REMEMBERED:
                self._choice_cache[key] = found
        return found

    def shown(self, row: Row, withheld=frozenset()) -> dict[str, str]:
        """The row's cell of every mapped field ("" when blank) for a preview: the password
        masked, and the cells of the `withheld` fields (the ones a row error rejects) too: a
        cell that fails its field's check may be a secret in a misaligned column."""
        values = {name: row.values.get(name, "") for _, name in self.columns}
        for name in ("password", *withheld):
            if values.get(name):
                values[name] = MASK
        return values

    def row_of(self, cells: Sequence[str], number: int) -> Row:
        """The whole row read: its cells, its client and every other field, with its errors."""
        row = self.cells_of(cells, number)
        if row.values:
            self.identify(row)
            self.read(row)
        return row

    def cells_of(self, cells: Sequence[str], number: int, *, identity_only: bool = False) -> Row:
        """The row's cells by field (blank cells left out), or a row error for a ragged row.

        `identity_only` reads the id and name cells only."""
        if len(cells) != self.width:
            message = f"The row has {len(cells)} cells but the mapping has {self.width} columns."
            return Row(number=number, values={}, errors=[(None, message)])
        values: dict[str, str] = {}
        errors: list[RowError] = []
        # One look at the whole row; the cells are searched only when it holds a NUL.
        may_hold_null = holds_null_character("".join(cells))
        for index, name, limit in (
            self._identity_cell_limits if identity_only else self._cell_limits
        ):
            cell = cells[index]
            if name == "password":
                if not cell.strip():
                    continue
            else:
                cell = cell.strip()
                if not cell:
                    continue
            if len(cell) > limit or (may_hold_null and "\x00" in cell):
                # Left out of the row's values, so that no later message quotes it.
                errors.append((name, _cell_error(name, cell, limit)))
            else:
                values[name] = cell
        return Row(number=number, values=values, errors=errors)

    def identify(self, row: Row) -> None:
        """Read the id and name cells: which client the row is about."""
        values = row.values
        raw_id = values.get("id")
        if raw_id is not None:
            row.client_id = parse_id(raw_id)
            if row.client_id is None:
                row.errors.append(("id", "A client id is a whole number."))
        row.name = values.get("name", "")
        if raw_id is None and "name" not in values and not row.has_error("name"):
            row.errors.append(("name", "Give the client's name or id."))

    def read(self, row: Row) -> None:
        """Read every other field of the row, appending its errors."""
        self._read_client_fields(row)
        self._read_credential(row)
        self._read_catalog(row)

    def _read_client_fields(self, row: Row) -> None:
        values = row.values
        if "status" in values:
            row.status, error = self._choice(values["status"], CLIENT_STATUSES, "status")
            if error:
                row.errors.append(("status", error))
        if "shared" in values:
            row.shared = parse_bool(values["shared"])
            if row.shared is None:
                row.errors.append(("shared", "shared is true or false (yes or no, 1 or 0)."))
        row.notes = values.get("notes")
        row.alias = values.get("alias")
        row.local_company_name = values.get("local_company_name")

    @sensitive_variables("credential")
    def _read_credential(self, row: Row) -> None:
        credential = {name: row.values[name] for name in CREDENTIAL_FIELDS if name in row.values}
        for name, choices, what in (
            ("interval", INTERVALS, "interval"),
            ("credential_status", CREDENTIAL_STATUSES, "credential status"),
        ):
            if name in credential:
                credential[name], error = self._choice(credential[name], choices, what)
                if error:
                    row.errors.append((name, error))
        if is_masked_password(credential.get("password")):
            row.errors.append(("password", MASKED_PASSWORD_MESSAGE))
        row.credential = credential or None

    def _read_catalog(self, row: Row) -> None:
        values = row.values
        key = (
            values.get("country"),
            values.get("report_type"),
            values.get("pro"),
            row.credential is not None,
            row.local_company_name is not None,
        )
        entries = self._catalog_cache.get(key)
        if entries is None:
            entries = self._catalog_cache[key] = self._catalog_entries(*key)
        row.country, row.report_types, row.pro = entries.country, entries.report_types, entries.pro
        # A field already in error (an over-long cell, left out) needs no second message.
        row.errors.extend(error for error in entries.errors if not row.has_error(error[0]))

    def _catalog_entries(
        self, country_code, report_type_codes, pro_name, is_credential, has_local_name
    ) -> CatalogEntries:
        errors: list[RowError] = []
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
            pro = self._pro(country, pro_name, report_types, errors)
        errors.extend(
            _combination_errors(
                country_code, report_type_codes, pro_name, is_credential, has_local_name
            )
        )
        return CatalogEntries(country, report_types, pro, errors)

    def _pro(self, country: Country, name: str, report_types, errors: list[RowError]) -> Pro | None:
        """The PRO called `name` in `country` (None when there is none), and an error
        when there is none or it does not offer one of them."""
        pro = None
        try:
            pro = self.catalog.pro(country, name)
            for report_type in report_types or ():
                self.catalog.check_offered(pro, report_type)
        except CatalogLookupError as error:
            field = "report_type" if error.field != "pro" else "pro"
            errors.append((field, error.message_without_value))
        return pro


def _combination_errors(
    country_code, report_type_codes, pro_name, is_credential: bool, has_local_name: bool
) -> list[RowError]:
    """The errors of which of country, report_type, pro and local_company_name a row gives."""
    errors: list[RowError] = []
    if is_credential:
        given = {"country": country_code, "report_type": report_type_codes, "pro": pro_name}
        errors.extend(
            (name, f"A credential row (login, password, ...) needs a {name}.")
            for name, value in given.items()
            if value is None
        )
    elif country_code is None:
        if report_type_codes is not None or pro_name is not None:
            errors.append(("country", "A report_type or pro needs the row's country."))
    elif report_type_codes is None and pro_name is not None:
        errors.append(("report_type", "A pro is chosen for a report_type: give the row's."))
    if country_code is None and has_local_name:
        errors.append(
            ("country", "A local_company_name is the client's name in the row's country.")
        )
    return errors
