"""The read-only sections of the client's admin page, which apps built on this one add to
through their client admin extension (clients.admin.client_admin_extensions)."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ClientPageSection:
    """A section of the client's change page: the template that renders it (reading
    `section.context`) and its place, lowest first: the client's names and obligations (10),
    its credentials (20), its producers and registrations (30)."""

    template: str
    order: int
    context: dict = field(default_factory=dict)
