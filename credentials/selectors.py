"""Reads of credentials: by client and country, search, missing credentials, collective accounts.

Every queryset loads what its rows are rendered with (client, country, PRO, collective account)
so that a page of credentials costs the same few queries whatever its size.
"""

from django.db.models import F, Q, QuerySet

from clients.models import Client, Organization
from clients.parsing import parse_comma_list
from clients.search import folded_contains
from clients.selectors import MissingCredential, missing_credentials_of_clients
from credentials.models import Credential
from reporting.models import Country


def credentials_with_relations(queryset: QuerySet[Credential]) -> QuerySet[Credential]:
    return queryset.select_related("client", "country", "pro", "collective_account")


def credentials_of_client(*, client: Client, country: Country) -> QuerySet[Credential]:
    """The client's credentials in `country`."""
    return credentials_with_relations(Credential.objects.filter(client=client, country=country))


def _text_filter(term: str) -> Q:
    # Two letters are a country code ("de"), not the start of "Denmark".
    country = Q(country__code__iexact=term)
    if len(term) > 2:
        country |= Q(country__name_en__istartswith=term)
    return (
        country
        | Q(report_type_codes__icontains=term)
        | folded_contains("pro__name", term)
        | folded_contains("login", term)
        | folded_contains("collective_account__login", term)
        | folded_contains("registration_number", term)
    )


def credential_search(*, client: Client, search: str = "") -> QuerySet[Credential]:
    """The client's credentials whose country, report type, PRO, login (its own or its
    collective account's) or registration number matches `search`, ignoring case (and, in the
    PRO, login and registration number, accents: clients/search.py)."""
    queryset = Credential.objects.filter(client=client)
    term = (search or "").strip()
    if term:
        queryset = queryset.filter(_text_filter(term))
    return credentials_with_relations(queryset)


def missing_credentials(*, client: Client, search: str = "") -> list[MissingCredential]:
    """One row per obligation of `client` that none of its credentials covers (the rule is
    clients.selectors.missing_credentials_of_clients'), those matching `search` when given."""
    missing = missing_credentials_of_clients([client.pk])[client.pk]
    term = (search or "").strip()
    return [row for row in missing if row.matches(term)] if term else missing


def _collective_accounts_filter(
    *, organization: Organization, country: str | None, pro: str | None, path: str = ""
) -> Q:
    """The organization's collective accounts matching `country` and `pro`, as a filter on
    the credential at `path` ("" the credential itself, "collective_account__" the one it
    links to)."""
    match = Q(
        **{f"{path}client__organization": organization, f"{path}client__collective_account": True}
    )
    countries = [code.upper() for code in parse_comma_list(country)]
    if countries:
        match &= Q(**{f"{path}country__code__in": countries})
    pros = parse_comma_list(pro)
    if pros:
        any_pro = Q()
        for name in pros:
            any_pro |= Q(**{f"{path}pro__name__iexact": name})
        match &= any_pro
    return match


def collective_accounts(
    *, organization: Organization, country: str | None = None, pro: str | None = None
) -> list[dict]:
    """The organization's collective accounts (credentials of its collective-account
    clients), ordered as credentials are, each with the credentials linked to it ordered by
    their client's name; `country` and `pro` are case-insensitive, comma-separated lists.

    Plain values in two queries, whatever the number of accounts and links: id, client_id,
    country_code, pro_name, report_type_codes (comma-joined) and report_types (a list), login,
    client_name, and linked_clients (dicts of the linked client's id and name and the linking
    credential's id). Passwords are not read.
    """
    filters = {"organization": organization, "country": country, "pro": pro}
    # Model instances for thousands of accounts and links cost over a second on a large
    # portfolio; the rows are read as plain values instead.
    accounts = list(
        Credential.objects.filter(_collective_accounts_filter(**filters)).values(
            "id",
            "client_id",
            "report_type_codes",
            "login",
            country_code=F("country__code"),
            pro_name=F("pro__name"),
            client_name=F("client__name"),
        )
    )
    linked: dict[int, list[dict]] = {account["id"]: [] for account in accounts}
    # Joined to the account rather than matched against a list or subquery of account ids:
    # PostgreSQL then walks from the collective clients to their links, the cheapest plan.
    # Ordered by account first so that names are compared only within an account.
    links = (
        Credential.objects.filter(
            _collective_accounts_filter(**filters, path="collective_account__")
        )
        .order_by("collective_account_id", "client__name", "id")
        .values_list("collective_account_id", "id", "client_id", "client__name")
    )
    for account_id, credential_id, client_id, client_name in links:
        # A link made after the accounts were read belongs to no listed account.
        if account_id in linked:
            linked[account_id].append(
                {"id": client_id, "name": client_name, "credential_id": credential_id}
            )
    for account in accounts:
        codes = account["report_type_codes"]
        account["report_types"] = [code for code in codes.split(",") if code]
        account["linked_clients"] = linked[account["id"]]
    return accounts
