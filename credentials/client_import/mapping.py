"""The fields an upload's columns may hold, and which field each column is (no database).

A mapping names the field of each column ("" or None skips it); `mapping_resolve` checks it and
spells each name as FIELD_DESCRIPTIONS does (case, spaces, hyphens and the SYNONYMS ignored).
`is_header_row` tells a header row from a data row.
"""

from collections.abc import Sequence

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
# Other spellings a frontend or a spreadsheet may use for a field.
SYNONYMS = {
    "client_id": "id",
    "client_name": "name",
    "company_name": "name",
    "report_types": "report_type",
    "local_name": "local_company_name",
}


class MappingError(ValueError):
    """The mapping (or a file's header row) cannot be used; `messages` say why."""

    def __init__(self, messages: list[str]):
        super().__init__(" ".join(messages))
        self.messages = messages


def field_name(name) -> str:
    """A column name as the mapping understands it: case, spaces and hyphens ignored."""
    normalized = "_".join(str(name).strip().casefold().replace("-", " ").split())
    return SYNONYMS.get(normalized, normalized)


def _is_skipped(name) -> bool:
    return name is None or not str(name).strip()


def mapping_resolve(mapping: Sequence) -> list[str | None]:
    """The field of each column (None: skip the column), or MappingError naming what is wrong:
    unknown names (with the valid ones), a field mapped twice, no name or id column."""
    if not mapping:
        raise MappingError(["The mapping is empty: give the field of each column."])
    keys = [None if _is_skipped(name) else field_name(name) for name in mapping]
    unknown = [
        position
        for position, key in enumerate(keys, start=1)
        if key is not None and key not in FIELD_DESCRIPTIONS
    ]
    resolved = [key if key in FIELD_DESCRIPTIONS else None for key in keys]
    errors = [_unknown_message(unknown)] if unknown else []
    positions: dict[str, int] = {}
    for position, key in enumerate(resolved, start=1):
        if key in positions:
            errors.append(
                f"Columns {positions[key]} and {position} both map to {key!r}: map each field once."
            )
        elif key is not None:
            positions[key] = position
    if not errors and "name" not in positions and "id" not in positions:
        errors.append("Map a name or an id column: it tells which client each row is about.")
    if errors:
        raise MappingError(errors)
    return resolved


def _unknown_message(positions: list[int]) -> str:
    # Positions, not names: without a header row the "names" are the first row's cells.
    columns = "column" if len(positions) == 1 else "columns"
    return (
        f"Unknown field in {columns} {', '.join(map(str, positions))}. Valid fields: "
        f"{', '.join(FIELDS)} (an empty name or null skips a column)."
    )


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
