"""Planning an upload against the database: which client each row is about, the chunks of
clients planned together, and each row applied to its client's state.

Rows are grouped by client (all rows of one client are planned together, in file order), and
the groups are planned in chunks of about CHUNK_ROWS rows: each chunk loads the state of its
clients with a few IN queries, so the working memory depends on the chunk size, not on the
file's.
"""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from django.db.models.functions import Lower
from django.views.decorators.debug import sensitive_variables

from clients.models import GLOBAL_SCOPE, Alias, Client, Obligation, Organization
from config.sqlite_functions import unicode_lower
from credentials.client_import.report import ImportLog
from credentials.client_import.rows import Row, RowError, RowReader
from credentials.client_import.state import (
    CLIENT_FIELDS,
    CREDENTIAL_ATTRIBUTES,
    ClientState,
    CredentialState,
    client_states_load,
    new_client_state,
)
from credentials.models import MASK, CredentialStatus
from credentials.services import UNSET, linked_secret_errors

CHUNK_ROWS = 2000
LOOKUP_BATCH = 1000
# Fields whose values a message may quote: checked against a closed list and quoted in the
# list's own spelling, never as the file's cell. Row messages quote no other cell: in a file
# whose mapping is off by a column, any cell may be a password.
CHOICE_FIELDS = frozenset({"status", "shared", "interval", "credential_status"})

# ("id", pk) for an existing client, ("new", lowercased name) for a client the upload creates.
ClientKey = tuple[str, object]
Chunk = list[tuple[ClientKey, list[int]]]
Changes = dict[str, tuple[object, object]]


@dataclass
class UploadRows:
    """The upload's rows, with the reader of their cells and the file's row numbering."""

    organization: Organization
    rows: Sequence[Sequence[str]]
    reader: RowReader
    first_row_number: int
    has_header: bool
    # The file's number of each row, when the rows are a part of the file (a chunk).
    numbers: Sequence[int] | None = None

    def number(self, index: int) -> int:
        if self.numbers is not None:
            return self.numbers[index]
        return self.first_row_number + index

    def data_indexes(self) -> range:
        return range(1 if self.has_header else 0, len(self.rows))

    def row(self, index: int) -> Row:
        return self.reader.row_of(self.rows[index], self.number(index))


@dataclass
class ClientGroups:
    """Row indexes by client key, in order of first appearance, and the rows that name no
    usable client, with the errors that say why."""

    groups: dict[ClientKey, list[int]] = field(default_factory=dict)
    unidentified: dict[int, list[RowError]] = field(default_factory=dict)

    def chunks(self) -> Iterator[Chunk]:
        """The groups, a few whole groups of about CHUNK_ROWS rows at a time."""
        chunk: Chunk = []
        size = 0
        for key, indexes in self.groups.items():
            chunk.append((key, indexes))
            size += len(indexes)
            if size >= CHUNK_ROWS:
                yield chunk
                chunk, size = [], 0
        if chunk:
            yield chunk


def client_groups(upload: UploadRows) -> ClientGroups:
    """Which client each non-blank row is about, by its id or name cell: one query per
    LOOKUP_BATCH rows."""
    reader = upload.reader
    found = ClientGroups()
    pending: list[tuple[int, int | None, str]] = []
    for index in upload.data_indexes():
        cells = upload.rows[index]
        if not "".join(cells).strip():
            continue
        row = reader.cells_of(cells, upload.number(index), identity_only=True)
        if row.errors and not row.values:
            found.unidentified[index] = row.errors
            continue
        reader.identify(row)
        if row.has_error("id") or row.has_error("name"):
            found.unidentified[index] = [e for e in row.errors if e[0] in ("id", "name", None)]
            continue
        pending.append((index, row.client_id, unicode_lower(row.name)))
        if len(pending) >= LOOKUP_BATCH:
            _key_rows(upload.organization, pending, found)
            pending = []
    _key_rows(upload.organization, pending, found)
    return found


def _key_rows(organization: Organization, pending: list, found: ClientGroups) -> None:
    if not pending:
        return
    ids = {client_id for _, client_id, _ in pending if client_id is not None}
    names = {name for _, client_id, name in pending if client_id is None}
    known_ids, by_name = _known_clients(organization, ids, names)
    for index, client_id, name in pending:
        if client_id is None:
            key = ("id", by_name[name]) if name in by_name else ("new", name)
        elif client_id in known_ids:
            key = ("id", client_id)
        else:
            found.unidentified[index] = [("id", "No client with this id in your organization.")]
            continue
        found.groups.setdefault(key, []).append(index)


def _known_clients(
    organization: Organization, ids: set[int], names: set[str]
) -> tuple[set[int], dict[str, int]]:
    """Which of `ids` are the organization's clients, and its clients' ids by lowercased name
    among `names`."""
    clients = Client.objects.of(organization)
    known_ids = set(clients.filter(pk__in=ids).values_list("pk", flat=True)) if ids else set()
    if not names:
        return known_ids, {}
    matches = (
        clients.alias(lower_name=Lower("name"))
        .filter(lower_name__in=names)
        .values_list("pk", "name")
    )
    return known_ids, {unicode_lower(name): pk for pk, name in matches}


class ChunkPlanner:
    """Applies each row of a chunk to its client's state (loaded, or new), logging what the
    row does; the states then tell what to write."""

    def __init__(self, upload: UploadRows, log: ImportLog, *, lock: bool):
        self.upload = upload
        self.log = log
        self.lock = lock

    def plan(self, chunk: Chunk) -> list[ClientState]:
        """The states of the chunk's clients after their rows (a client no valid row reached
        included, with no valid rows)."""
        states = client_states_load(
            organization=self.upload.organization,
            client_ids=[key[1] for key, _ in chunk if key[0] == "id"],
            catalog=self.upload.reader.catalog,
            lock=self.lock,
        )
        planned: list[ClientState] = []
        for (kind, value), indexes in chunk:
            state = self._plan_client(states.get(value) if kind == "id" else None, kind, indexes)
            if state is not None:
                planned.append(state)
        return planned

    def _plan_client(
        self, state: ClientState | None, kind: str, indexes: list[int]
    ) -> ClientState | None:
        vanished = kind == "id" and state is None
        for index in indexes:
            row = self.upload.row(index)
            if vanished:
                row.errors.append(
                    ("id" if row.client_id else "name", "The client was deleted meanwhile.")
                )
            elif state is None and not row.errors:
                state = new_client_state(self.upload.organization, row.name)
            if state is not None:
                _check_identity(state, row)
            self._apply(state, row)
        return state

    def _apply(self, state: ClientState | None, row: Row) -> None:
        if state is None or row.errors:
            self.log.invalid(row)
            return
        match = None
        if row.credential is not None:
            match = self._matching_credential(state, row)
            if row.errors:
                self.log.invalid(row)
                return
        creates_client = state.is_new and state.valid_rows == 0
        changes: Changes = {}
        self._apply_client_fields(state, row, changes)
        self._apply_aliases(state, row, changes)
        if row.credential is not None:
            self._apply_credential(state, row, match, changes)
        elif row.report_types is not None:
            _apply_obligations(state, row, changes)
        elif row.country is not None:
            _apply_country(state, row, changes)
        state.valid_rows += 1
        self.log.valid(row, client=state.client, creates_client=creates_client, changes=changes)

    def _given(self, state: ClientState, row: Row, key: tuple, label: str, value) -> None:
        """Remember which row gave a value; a later row giving another one wins, with a warning."""
        earlier = state.given.get(key)
        if earlier is not None and earlier[1] != value:
            if label in CHOICE_FIELDS:
                message = (
                    f"Row {earlier[0]} gave {label} {earlier[1]!r}; this row's {value!r} wins."
                )
            else:
                message = f"Row {earlier[0]} gave another {label}; this row's wins."
            self.log.warn(row, label, message)
        state.given[key] = (row.number, value)

    def _apply_client_fields(self, state: ClientState, row: Row, changes: Changes) -> None:
        client = state.client
        for name in CLIENT_FIELDS:
            value = getattr(row, name)
            if value is None:
                continue
            self._given(state, row, ("client", name), name, value)
            current = getattr(client, name)
            if value != current:
                changes[name] = (current, value)
                setattr(client, name, value)

    def _apply_aliases(self, state: ClientState, row: Row, changes: Changes) -> None:
        local_scope = row.country.code if row.country else None
        for label, scope, name in (
            ("alias", GLOBAL_SCOPE, row.alias),
            ("local_company_name", local_scope, row.local_company_name),
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

    def _matching_credential(self, state: ClientState, row: Row) -> CredentialState | None:
        """The credential the row updates (it shares country, PRO and a report type), None for a
        new one; a row error when the row's report types span several credentials or it gives
        a linked credential its own secrets."""
        wanted = {rt.pk for rt in row.report_types}
        country_id, pro_id = row.country.pk, row.pro.pk
        matches = [
            c
            for c in state.credentials
            if c.country_id == country_id
            and c.pro_id == pro_id
            and not c.report_type_ids.isdisjoint(wanted)
        ]
        if len(matches) > 1:
            row.errors.append(("report_type", _several_credentials_message(row, matches)))
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

    def _apply_credential(
        self, state: ClientState, row: Row, match: CredentialState | None, changes: Changes
    ) -> None:
        if match is None:
            match = _credential_create(row, changes)
            state.credentials.append(match)
        else:
            _credential_change(match, row, changes)
        for name, value in row.credential.items():
            self._given(state, row, ("credential", id(match), name), name, value)


def _check_identity(state: ClientState, row: Row) -> None:
    if (
        row.client_id is not None
        and row.name
        and unicode_lower(row.name) != unicode_lower(state.client.name)
    ):
        row.errors.append(
            (
                "name",
                f"Client {state.client.pk} is called {state.client.name!r}. An upload does "
                "not rename clients: give the current name or leave it blank.",
            )
        )


def _several_credentials_message(row: Row, matches: list[CredentialState]) -> str:
    ids = ", ".join(str(c.pk or "new") for c in matches)
    codes = ",".join(rt.code for rt in row.report_types)
    return (
        f"{codes} matches {len(matches)} credentials of this "
        f"client for {row.country.code} · {row.pro.name} ({ids}): give the report "
        "types of one credential per row."
    )


def _apply_country(state: ClientState, row: Row, changes: Changes) -> None:
    """Record that the client operates in the row's country (an obligation without report
    type), unless an obligation or a credential of the client there says so already."""
    country_id = row.country.pk
    if any(o.country_id == country_id for o in state.obligations) or any(
        c.country_id == country_id for c in state.credentials
    ):
        return
    state.obligations.append(
        Obligation(client=state.client, country=row.country, report_type=None, pro=None)
    )
    changes["country"] = ("", row.country.code)


def _apply_obligations(state: ClientState, row: Row, changes: Changes) -> None:
    for report_type in row.report_types:
        _apply_obligation(state, row, report_type, changes)


def _apply_obligation(state: ClientState, row: Row, report_type, changes: Changes) -> None:
    """Oblige the client for the row's country and `report_type`, with the row's PRO if any:
    an obligation already there is kept, one without a PRO takes the row's."""
    pro_id = row.pro.pk if row.pro else None
    same = [
        o
        for o in state.obligations
        if o.country_id == row.country.pk and o.report_type_id == report_type.pk
    ]
    if any(o.pro_id == pro_id for o in same) or (pro_id is None and same):
        return
    without_pro = next((o for o in same if o.pro_id is None), None)
    if without_pro is not None:
        without_pro.pro = row.pro
        changes["pro"] = ("", row.pro.name)
        return
    state.obligations.append(
        Obligation(client=state.client, country=row.country, report_type=report_type, pro=row.pro)
    )
    changes["report_type"] = ("", row.values["report_type"])


@sensitive_variables("values")
def _credential_create(row: Row, changes: Changes) -> CredentialState:
    """A new credential from a credential row."""
    values = row.credential
    for name, value in values.items():
        changes[name] = ("", MASK if name == "password" else value)
    changes["report_type"] = ("", row.values["report_type"])
    return CredentialState(
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


@sensitive_variables("current", "value")
def _credential_change(match: CredentialState, row: Row, changes: Changes) -> None:
    """Set a credential row's values on the credential it updates, adding its report types."""
    for name, value in row.credential.items():
        attribute = CREDENTIAL_ATTRIBUTES[name]
        current = match.values[attribute]
        if value != current:
            changes[name] = (MASK, MASK) if name == "password" else (current, value)
            match.values[attribute] = value
    added = [rt for rt in row.report_types if rt.pk not in match.report_type_ids]
    if added:
        before = ",".join(rt.code for rt in match.report_types)
        match.report_types.extend(added)
        match.report_type_ids.update(rt.pk for rt in added)
        changes["report_type"] = (before, ",".join(rt.code for rt in match.report_types))
