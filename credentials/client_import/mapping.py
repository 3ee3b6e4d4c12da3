"""The fields an upload's columns may hold, and which field each column is (no database).

A mapping names the field of each column ("" or None skips it); `mapping_resolve` checks it and
spells each name as FIELD_DESCRIPTIONS does (case, accents, spaces, hyphens and the SYNONYMS
ignored); `mapping_detect` reads a header row tolerantly for the admin.
`is_header_row` tells a header row from a data row. `upload_validate` checks an upload as a
whole (size, mapping, header, data rows) before any row is read.
"""

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError

from clients.limits import NOTES_MAX_LENGTH
from clients.models import ClientStatus
from credentials.models import CredentialStatus, Interval

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
# Other spellings a frontend or a spreadsheet may use for a field, as `field_name` normalizes
# them (case, accents, spaces, hyphens, dots and apostrophes ignored): English, German, French.
SYNONYMS = {
    synonym: field
    for field, synonyms in {
        "id": ["client_id", "kunden_id", "kundennummer"],
        "name": [
            "company",
            "company_name",
            "client",
            "client_name",
            "firma",
            "firmenname",
            "unternehmen",
            "kunde",
            "societe",
            "entreprise",
            "raison_sociale",
            "nom",
        ],
        "status": ["statut", "client_status"],
        "notes": [
            "note",
            "notizen",
            "notiz",
            "bemerkungen",
            "remarques",
            "comments",
            "commentaires",
        ],
        "alias": ["global_alias"],
        "local_company_name": [
            "local_name",
            "lokaler_firmenname",
            "lokaler_name",
            "nom_local",
            "raison_sociale_locale",
        ],
        "country": ["land", "pays", "country_code", "landercode"],
        "report_type": [
            "report_types",
            "berichtsart",
            "berichtsarten",
            "type_de_declaration",
            "type_de_rapport",
        ],
        "pro": ["organisation", "organization", "system", "scheme", "systeme"],
        "login": [
            "username",
            "user_name",
            "user",
            "benutzername",
            "benutzer",
            "identifiant",
            "utilisateur",
        ],
        "password": ["passwort", "kennwort", "mot_de_passe", "pwd"],
        "registration_number": [
            "registration_no",
            "registration",
            "registrierungsnummer",
            "numero_d_enregistrement",
            "weee_reg_nr",
            "reg_nr",
        ],
        "interval": ["intervall", "frequency", "frequence", "haufigkeit"],
        "credential_status": ["login_status", "zugangsstatus", "statut_acces"],
    }.items()
    for synonym in synonyms
}


class MappingError(ValueError):
    """The mapping (or a file's header row) cannot be used; `messages` say why."""

    def __init__(self, messages: list[str]):
        super().__init__(" ".join(messages))
        self.messages = messages


_SEPARATORS = str.maketrans({c: " " for c in "-_.'’/"})


def field_name(name) -> str:
    """A column name as the mapping understands it: case, accents, spaces, hyphens,
    underscores, dots and apostrophes ignored, and the SYNONYMS ("Firma", "Mot de passe",
    "WEEE-Reg.-Nr.") read as their field."""
    decomposed = unicodedata.normalize("NFKD", str(name).strip().casefold())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    normalized = "_".join(plain.translate(_SEPARATORS).split())
    return SYNONYMS.get(normalized, normalized)


def mapping_detect(header: Sequence) -> list[str | None]:
    """The field each header cell names, None where it names none (or a field an earlier
    column took): a starting point the admin shows and lets staff change."""
    detected: list[str | None] = []
    for cell in header:
        key = None if _is_skipped(cell) else field_name(cell)
        detected.append(key if key in FIELD_DESCRIPTIONS and key not in detected else None)
    return detected


def _is_skipped(name) -> bool:
    return name is None or not str(name).strip()


def mapping_resolve(mapping: Sequence) -> list[str | None]:
    """The field of each column (None: skip the column), or MappingError naming what is wrong:
    unknown names (with the valid ones), a field mapped twice, no name or id column."""
    if not mapping:
        raise MappingError(["The mapping is empty: give the field of each column."])
    keys = [None if _is_skipped(name) else field_name(name) for name in mapping]
    resolved = [key if key in FIELD_DESCRIPTIONS else None for key in keys]
    errors = _unknown_messages(keys) + _duplicate_messages(resolved)
    if not errors and not {"name", "id"} & set(resolved):
        errors.append("Map a name or an id column: it tells which client each row is about.")
    if errors:
        raise MappingError(errors)
    return resolved


def _duplicate_messages(resolved: list[str | None]) -> list[str]:
    positions: dict[str, int] = {}
    messages = []
    for position, key in enumerate(resolved, start=1):
        if key in positions:
            messages.append(
                f"Columns {positions[key]} and {position} both map to {key!r}: map each field once."
            )
        elif key is not None:
            positions[key] = position
    return messages


def _unknown_messages(keys: list[str | None]) -> list[str]:
    # Positions, not names: without a header row the "names" are the first row's cells.
    positions = [
        position
        for position, key in enumerate(keys, start=1)
        if key is not None and key not in FIELD_DESCRIPTIONS
    ]
    if not positions:
        return []
    columns = "column" if len(positions) == 1 else "columns"
    return [
        f"Unknown field in {columns} {', '.join(map(str, positions))}. Valid fields: "
        f"{', '.join(FIELDS)} (an empty name or null skips a column)."
    ]


def is_header_row(cells: Sequence, mapping: Sequence[str | None]) -> bool:
    """Whether `cells` spell the mapping's field names (ignoring case), i.e. a header row."""
    if len(cells) != len(mapping):
        return False
    mapped = [(cell, name) for cell, name in zip(cells, mapping, strict=True) if name]
    return bool(mapped) and all(
        isinstance(cell, str) and field_name(cell) == name for cell, name in mapped
    )


def header_resolve(
    rows: Sequence[Sequence[str]], mapping: Sequence[str | None], has_header: bool | None
) -> bool:
    """Whether the first row is a header: as given, or (None) when it spells the mapping."""
    if has_header is not None:
        return has_header
    return bool(rows) and is_header_row(rows[0], mapping)


@dataclass(frozen=True)
class UploadShape:
    """An upload's columns as checked before any row is read."""

    mapping: list[str | None]
    has_header: bool


RAGGED_ROWS_LISTED = 10
HEADER_ONLY_MESSAGE = "The file has a header row but no data rows."


def upload_validate(
    *,
    rows: Sequence[Sequence[str]],
    mapping: Sequence | None = None,
    has_header: bool | None = None,
    size: int | None = None,
    whole_rows: bool = False,
) -> UploadShape:
    """Check an upload before its rows are read: the same rules for the admin, the API and
    `import_clients`. Answers the resolved mapping and whether the first row is a header.

    `mapping` None: the first row names the columns. `size` (bytes) is checked against
    settings.IMPORT_MAX_BYTES. `whole_rows`: every row has the mapping's number of cells (the
    admin's preview lays rows out under the header; elsewhere a ragged row is a row error).
    Raises ValidationError {"file": [...]} (code too_large, empty, header_only or ragged) or
    {"mapping": [...]} (code mapping; with `mapping` None the first message says the first row
    must name the columns).
    """
    _size_check(size)
    if mapping is None and not any(cell.strip() for row in rows for cell in row):
        _refuse("file", "The file is empty.", "empty")
    resolved = _upload_mapping(rows, mapping)
    header = True if mapping is None else header_resolve(rows, resolved, has_header)
    start = 1 if header else 0
    if header and not any(rows[start:]):
        _refuse("file", HEADER_ONLY_MESSAGE, "header_only")
    if whole_rows:
        rows_width_check(rows, len(resolved), start)
    return UploadShape(mapping=resolved, has_header=header)


def _size_check(size: int | None) -> None:
    if size is not None and size > settings.IMPORT_MAX_BYTES:
        limit = f"{settings.IMPORT_MAX_BYTES / 2**20:g} MiB"
        _refuse(
            "file", f"The file is larger than {limit}: split it into smaller files.", "too_large"
        )


def _upload_mapping(rows: Sequence[Sequence[str]], mapping: Sequence | None) -> list[str | None]:
    """The resolved mapping (None: the first row names the columns), or ValidationError
    {"mapping": [...]}."""
    try:
        return mapping_resolve(rows[0] if mapping is None else mapping)
    except MappingError as error:
        messages = error.messages
        if mapping is None:
            messages = ["The first row must name the columns.", *messages]
        mapping_errors = [ValidationError(m, code="mapping") for m in messages]
        raise ValidationError({"mapping": mapping_errors}) from None


def rows_width_check(rows: Sequence[Sequence[str]], width: int, start: int) -> None:
    """ValidationError {"file": [...]} (code ragged) listing the rows from `start` whose
    number of cells is not `width` (blank lines pass)."""
    ragged = [
        f"Row {number} has {len(row)} cells, the header {width}."
        for number, row in enumerate(rows[start:], start=start + 1)
        if row and len(row) != width
    ]
    if ragged:
        more = len(ragged) - RAGGED_ROWS_LISTED
        listed = ragged[:RAGGED_ROWS_LISTED] + ([f"And {more} more rows."] if more > 0 else [])
        raise ValidationError({"file": [ValidationError(m, code="ragged") for m in listed]})


def _refuse(key: str, message: str, code: str) -> None:
    raise ValidationError({key: [ValidationError(message, code=code)]})
