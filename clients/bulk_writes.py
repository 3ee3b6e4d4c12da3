"""Writes of many clients, aliases and obligations at once, for CSV uploads.

The callers plan the rows in memory (credentials.client_import) and hand them over here as
model instances: new ones are inserted, changed ones have the named fields updated, each with
its django-simple-history row, in a few set-based statements (config.bulk_copy).
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from clients.models import Alias, Client, Obligation
from config.bulk_copy import CHANGED, CREATED, history_rows_insert, rows_insert, rows_update


@dataclass
class ClientBulkWrites:
    """What to write: new instances to insert, saved ones whose fields changed.

    `changed_client_fields` names the fields of `changed_clients` to write (updated_at is
    always written with them); aliases change their name and obligations their PRO. New aliases
    and obligations may belong to `new_clients`: those are inserted first.
    """

    new_clients: list[Client] = field(default_factory=list)
    changed_clients: list[Client] = field(default_factory=list)
    changed_client_fields: set[str] = field(default_factory=set)
    new_aliases: list[Alias] = field(default_factory=list)
    changed_aliases: list[Alias] = field(default_factory=list)
    new_obligations: list[Obligation] = field(default_factory=list)
    changed_obligations: list[Obligation] = field(default_factory=list)


@transaction.atomic
def clients_bulk_write(*, writes: ClientBulkWrites, user=None, change_reason: str = "") -> None:
    """Insert and update the clients, aliases and obligations of `writes`, recording each in
    the history with `user` and `change_reason`. A name another request took meanwhile meets
    the database constraint: IntegrityError, and nothing is written."""
    now = timezone.now()
    for client in writes.changed_clients:
        client.updated_at = now
    history = {"user": user, "change_reason": change_reason, "date": now}
    client_fields = [*sorted(writes.changed_client_fields), "updated_at"]
    for model, created, changed, fields in (
        (Client, writes.new_clients, writes.changed_clients, client_fields),
        (Alias, writes.new_aliases, writes.changed_aliases, ["name"]),
        (Obligation, writes.new_obligations, writes.changed_obligations, ["pro"]),
    ):
        rows_insert(model, created)
        history_rows_insert(model, [obj.pk for obj in created], history_type=CREATED, **history)
        if changed:
            rows_update(model, changed, fields)
            history_rows_insert(model, [obj.pk for obj in changed], history_type=CHANGED, **history)
