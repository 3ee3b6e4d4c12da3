"""From a planned chunk to its writes: what the states changed, written set-based by the
clients service (clients, aliases, obligations) and then the credentials service."""

from dataclasses import dataclass, field

from clients.bulk_writes import ClientBulkWrites, clients_bulk_write
from clients.models import Client
from credentials.client_import.state import CLIENT_FIELDS, ClientState, CredentialState
from credentials.services import credentials_bulk_write

CHANGE_REASON = "Bulk upload"


@dataclass
class ChunkWrites:
    """The writes of a chunk's clients, and how many clients they create and change.

    `credentials` pairs each credential to write with its client, which may be new: the
    credential's write is built once the client has its key."""

    clients: ClientBulkWrites = field(default_factory=ClientBulkWrites)
    credentials: list[tuple[Client, CredentialState]] = field(default_factory=list)
    created: int = 0
    updated: int = 0
    # The clients counted in `created` and `updated`.
    counted: list[Client] = field(default_factory=list)

    def add(self, state: ClientState) -> None:
        """Add the writes of a client's state; a client no valid row reached writes nothing."""
        if state.valid_rows == 0:
            return
        changed = [
            self._add_client(state),
            self._add_aliases(state),
            self._add_obligations(state),
            self._add_credentials(state),
        ]
        if state.is_new:
            self.created += 1
            self.counted.append(state.client)
        elif any(changed):
            self.updated += 1
            self.counted.append(state.client)

    def _add_client(self, state: ClientState) -> bool:
        if state.is_new:
            self.clients.new_clients.append(state.client)
            return True
        fields = [n for n in CLIENT_FIELDS if getattr(state.client, n) != state.original[n]]
        if fields:
            self.clients.changed_clients.append(state.client)
            self.clients.changed_client_fields.update(fields)
        return bool(fields)

    def _add_aliases(self, state: ClientState) -> bool:
        new = [alias for alias in state.aliases.values() if alias.pk is None]
        changed = [
            alias
            for scope, alias in state.aliases.items()
            if alias.pk is not None and alias.name != state.alias_names[scope]
        ]
        self.clients.new_aliases.extend(new)
        self.clients.changed_aliases.extend(changed)
        return bool(new or changed)

    def _add_obligations(self, state: ClientState) -> bool:
        new = [obligation for obligation in state.obligations if obligation.pk is None]
        changed = [
            obligation
            for obligation in state.obligations
            if obligation.pk is not None
            and obligation.pro_id != state.obligation_pros[obligation.pk]
        ]
        self.clients.new_obligations.extend(new)
        self.clients.changed_obligations.extend(changed)
        return bool(new or changed)

    def _add_credentials(self, state: ClientState) -> bool:
        written = [(state.client, c) for c in state.credentials if c.is_written]
        self.credentials.extend(written)
        return bool(written)


def chunk_writes(planned: list[ClientState]) -> ChunkWrites:
    """The writes that bring the stored clients to their planned states."""
    writes = ChunkWrites()
    for state in planned:
        writes.add(state)
    return writes


def chunk_write(writes: ChunkWrites, *, user) -> None:
    """Apply a chunk's writes, recorded in the history with `user` as a bulk upload."""
    clients_bulk_write(writes=writes.clients, user=user, change_reason=CHANGE_REASON)
    credentials_bulk_write(
        writes=[state.write(client) for client, state in writes.credentials],
        user=user,
        change_reason=CHANGE_REASON,
    )
