"""Reads of a client's history of aliases and obligations."""

from dataclasses import dataclass
from datetime import datetime

from clients.models import Alias, Obligation


@dataclass(frozen=True)
class ClientPartChange:
    """One recorded change of a client's alias or obligation, for the client's history."""

    at: datetime
    user: object
    action: str
    part: str
    changes: list[str]


PART_HISTORY_ACTIONS = {"+": "Added", "~": "Changed", "-": "Removed"}


def client_part_history(*, client_id, limit: int = 200) -> list[ClientPartChange]:
    """The latest `limit` recorded changes of the client's aliases and obligations (which
    simple-history keeps apart from the client's own), newest first, each with who, when and
    which values changed."""
    aliases = Alias.history.filter(client_id=client_id).select_related("history_user")
    obligations = Obligation.history.filter(client_id=client_id).select_related(
        "history_user", "country", "report_type", "pro"
    )
    records = sorted(
        [
            *aliases.order_by("-history_date")[:limit],
            *obligations.order_by("-history_date")[:limit],
        ],
        key=lambda record: record.history_date,
        reverse=True,
    )[:limit]
    return [
        ClientPartChange(
            at=record.history_date,
            user=record.history_user,
            action=PART_HISTORY_ACTIONS.get(record.history_type, record.history_type),
            part=_part_label(record),
            changes=_part_changes(record),
        )
        for record in records
    ]


def _part_label(record) -> str:
    if record.instance_type is Alias:
        return f"Alias {record.scope}: {record.name}"
    pro = f" · {record.pro.name}" if record.pro_id else ""
    return f"Obligation {record.country.code} · {record.report_type.code}{pro}"


def _part_changes(record) -> list[str]:
    if record.history_type != "~" or record.prev_record is None:
        return []
    delta = record.diff_against(record.prev_record)
    return [f"{change.field}: {change.old} → {change.new}" for change in delta.changes]
