"""Reads of one client: its name's uniqueness, its consenting organizations, its detail,
obligations, aliases and local company names.

Credential data is reached through Client's reverse relations (`credentials`,
`credential_report_types`), never by importing the credentials app, which depends on this one.
"""

from django.db import connection
from django.db.models import (
    BigIntegerField,
    BooleanField,
    CharField,
    Exists,
    F,
    OuterRef,
    QuerySet,
    Value,
)
from django.db.models.functions import Lower

from clients.models import (
    GLOBAL_SCOPE,
    Alias,
    Client,
    ClientOrganizationGrant,
    Obligation,
    Organization,
)
from clients.tenancy import clients_of, clients_readable_by
from config.compiled_statements import CompiledStatement
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


# The kinds of rows of client_detail's query, in the order it answers them.
_CLIENT, _ALIAS, _OBLIGATION = 0, 1, 2
# What client_detail reads of the client itself: what ClientSerializer shows.
_DETAIL_FIELDS = (
    "id",
    "name",
    "status",
    "notes",
    "shared",
    "collective_account",
    "client_organization_id",
)


def _detail_rows(organization: Organization, client_id) -> QuerySet:
    """A UNION ALL of the client's row (if the organization may read it), its aliases and its
    obligations, the obligations in `client_obligations`' order."""
    text = CharField()
    flag = BooleanField()
    number = BigIntegerField()
    columns = ("kind", "row_id", "text_1", "text_2", "text_3", "flag_1", "flag_2", "number_1")
    client = (
        client_details(organization=organization, writable=False)
        .filter(pk=client_id)
        .order_by()
        .annotate(
            kind=Value(_CLIENT),
            row_id=F("id"),
            text_1=F("name"),
            text_2=F("status"),
            text_3=F("notes"),
            flag_1=F("shared"),
            flag_2=F("collective_account"),
            number_1=F("client_organization_id"),
        )
        .values_list(*columns)
    )
    parts = {
        "flag_1": Value(None, output_field=flag),
        "flag_2": Value(None, output_field=flag),
        "number_1": Value(None, output_field=number),
    }
    aliases = (
        Alias.objects.filter(client_id=client_id)
        .order_by()
        .annotate(
            kind=Value(_ALIAS),
            row_id=F("id"),
            text_1=F("scope"),
            text_2=F("name"),
            text_3=Value(None, output_field=text),
            **parts,
        )
        .values_list(*columns)
    )
    obligations = (
        Obligation.objects.filter(client_id=client_id)
        .order_by()
        .annotate(
            kind=Value(_OBLIGATION),
            row_id=F("id"),
            text_1=F("country__code"),
            text_2=F("report_type__code"),
            text_3=F("pro__name"),
            **parts,
        )
        .values_list(*columns)
    )
    return client.union(aliases, obligations, all=True).order_by(
        "kind", "text_1", "text_2", "text_3"
    )


# Compiled once per process with stand-in ids (config/compiled_statements.py).
_DETAIL = CompiledStatement(
    lambda organization_id, client_id: _detail_rows(Organization(pk=organization_id), client_id),
    organization_id=-739_120_001,
    client_id=-739_120_002,
)


def client_detail(*, organization: Organization, client_id) -> Client | None:
    """One client the organization may read (`client_details`), with its aliases and
    obligations, in one query (`_detail_rows`), or None.

    The client holds only what its answer shows; `client_aliases` and `client_obligations`
    read the rows found with it.
    """
    client_id = Client._meta.pk.get_prep_value(client_id)
    # Past the database's integers no client exists (as the ORM's lookups answer).
    smallest, largest = connection.ops.integer_field_range(Client._meta.pk.get_internal_type())
    if not smallest <= client_id <= largest:
        return None
    rows = _DETAIL.rows(organization_id=organization.pk, client_id=client_id)
    found = None
    alias_rows, obligation_rows = [], []
    for kind, row_id, text_1, text_2, text_3, flag_1, flag_2, number_1 in rows:
        if kind == _CLIENT:
            values = dict(
                zip(
                    _DETAIL_FIELDS,
                    (row_id, text_1, text_2, text_3, flag_1, flag_2, number_1),
                    strict=True,
                )
            )
            # from_db takes the values in the model's field order.
            names = [f.attname for f in Client._meta.concrete_fields if f.attname in values]
            found = Client.from_db(Client.objects.db, names, [values[name] for name in names])
        elif kind == _ALIAS:
            alias_rows.append((text_1, text_2))
        else:
            obligation_rows.append({"country": text_1, "report_type": text_2, "pro": text_3})
    if found is None:
        return None
    found.detail_aliases = alias_rows
    found.detail_obligations = obligation_rows
    return found


def client_obligations(client: Client) -> list[dict]:
    """The client's obligations as `{country, report_type, pro}` codes and name (pro None: any
    PRO), by country then report type. Plain values: for one client, model instances and a
    prefetch would cost more than the query itself. Those `client_detail` read with the
    client, when it did."""
    if hasattr(client, "detail_obligations"):
        return client.detail_obligations
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
    """`{scope: name}`, global (`*`) first, then by country code (uses prefetched aliases, or
    those read with the client: by `client_detail`, or with a list row's portfolio summary)."""
    if hasattr(client, "detail_aliases"):
        pairs = client.detail_aliases
    elif hasattr(client, "portfolio_summary"):
        pairs = client.portfolio_summary.aliases
    else:
        pairs = [(alias.scope, alias.name) for alias in client.aliases.all()]
    return {
        scope: name
        for scope, name in sorted(pairs, key=lambda pair: (pair[0] != GLOBAL_SCOPE, pair[0]))
    }
