"""Reads of one client: its name's uniqueness, its consenting organizations, its detail,
obligations, aliases and local company names.

Credential data is reached through Client's reverse relations (`credentials`,
`credential_report_types`), never by importing the credentials app, which depends on this one.
"""

from django.db.models import Exists, OuterRef, QuerySet, Value
from django.db.models.functions import Lower

from clients.models import GLOBAL_SCOPE, Client, ClientOrganizationGrant, Organization
from clients.tenancy import clients_of, clients_readable_by
from reporting.models import Country


def rows_pointing_at_client(relation: str) -> QuerySet:
    """All rows of the model that refers to Client through the reverse relation `relation`.

    Subqueries over those rows (`client_id IN (...)`) keep list queries free of joins that would
    repeat clients and need DISTINCT.
    """
    return Client._meta.get_field(relation).related_model._default_manager.all()


def client_name_taken(
    *, organization: Organization, name: str, exclude: Client | None = None
) -> bool:
    """Whether another client of the organization already has this name (case-insensitive).

    Compared as lower(name), like the unique constraint, whose index answers it.
    """
    clients = (
        clients_of(organization)
        .alias(lower_name=Lower("name"))
        .filter(lower_name=Lower(Value(name.strip())))
    )
    if exclude is not None and exclude.pk is not None:
        clients = clients.exclude(pk=exclude.pk)
    return clients.exists()


def client_organizations_consenting(client: Client) -> QuerySet[Organization]:
    """Organizations the client's agency may name as its `client_organization`: those that
    agreed to be this client (a grant the agency created for it, or an invitation of the agency
    accepted by their admin). A shared client reaches that organization's lists, so nothing
    else is ever one; a client not saved yet has none."""
    if client.pk is None:
        return Organization.objects.none()
    return Organization.objects.exclude(pk=client.organization_id).filter(
        Exists(
            ClientOrganizationGrant.objects.filter(
                client=client,
                agency_id=client.organization_id,
                client_organization=OuterRef("pk"),
                accepted_at__isnull=False,
            )
        )
    )


def client_details(*, organization: Organization, writable: bool) -> QuerySet[Client]:
    """Clients to answer or change one at a time; the answer reads aliases and obligations with
    one query each (`client_aliases`, `client_obligations`).

    `writable` narrows to the clients the organization owns; otherwise clients shared with it
    are included too (read-only).
    """
    return clients_of(organization) if writable else clients_readable_by(organization)


def client_obligations(client: Client) -> list[dict]:
    """The client's obligations as `{country, report_type, pro}` codes and name (pro None: any
    PRO), by country then report type. Plain values: for one client, model instances and a
    prefetch would cost more than the query itself."""
    rows = client.obligations.order_by("country__code", "report_type__code", "pro__name")
    return [
        {"country": country, "report_type": report_type, "pro": pro}
        for country, report_type, pro in rows.values_list(
            "country__code", "report_type__code", "pro__name"
        )
    ]


def client_local_company_name(*, client: Client, country: Country) -> str | None:
    """The client's name in `country` (its alias for that country), or None."""
    return client.aliases.filter(scope=country.code).values_list("name", flat=True).first()


def client_aliases(client: Client) -> dict[str, str]:
    """`{scope: name}`, global (`*`) first, then by country code (uses prefetched aliases)."""
    aliases = sorted(client.aliases.all(), key=lambda a: (a.scope != GLOBAL_SCOPE, a.scope))
    return {alias.scope: alias.name for alias in aliases}
