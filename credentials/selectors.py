"""Reads of credentials: by client and country, search, missing credentials, collective accounts.

Every queryset loads what its rows are rendered with (client, country, PRO, collective account)
so that a page of credentials costs the same few queries whatever its size.
"""

from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from clients.models import Client, Organization
from credentials.models import Credential, CredentialReportType
from reporting.models import Country
from reporting.selectors import Catalog


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
        | Q(pro__name__icontains=term)
        | Q(login__icontains=term)
        | Q(collective_account__login__icontains=term)
        | Q(registration_number__icontains=term)
    )


def credential_search(*, client: Client, search: str = "") -> QuerySet[Credential]:
    """The client's credentials whose country, report type, PRO, login (its own or its
    collective account's) or registration number matches `search`, case-insensitively."""
    queryset = Credential.objects.filter(client=client)
    term = (search or "").strip()
    if term:
        queryset = queryset.filter(_text_filter(term))
    return credentials_with_relations(queryset)


@dataclass(frozen=True)
class MissingCredential:
    """An obligation of a client that no credential covers."""

    country: str
    country_name: str
    report_type: str
    pro: str | None

    def matches(self, term: str) -> bool:
        term = term.casefold()
        return (
            term == self.country.casefold()
            or (len(term) > 2 and self.country_name.casefold().startswith(term))
            or term in self.report_type.casefold()
            or term in (self.pro or "").casefold()
        )


def missing_credentials(*, client: Client, search: str = "") -> list[MissingCredential]:
    """One row per obligation of `client` that none of its credentials covers.

    A credential covers an obligation when it is for the same country and report type, and for
    the same PRO when the obligation names one. The row's PRO is the obligation's, else the
    only PRO the catalog has for that country and report type, else None.
    """
    covered = set(
        CredentialReportType.objects.filter(client=client).values_list(
            "country_id", "report_type_id", "pro_id"
        )
    )
    covered_by_any_pro = {(country, report_type) for country, report_type, _ in covered}
    catalog = None
    missing = []
    for obligation in client.obligations.select_related("country", "report_type", "pro"):
        key = (obligation.country_id, obligation.report_type_id)
        if obligation.pro_id is not None:
            if (*key, obligation.pro_id) in covered:
                continue
            pro = obligation.pro
        else:
            if key in covered_by_any_pro:
                continue
            catalog = catalog or Catalog.load()
            pro = catalog.only_pro_for(obligation.country, obligation.report_type)
        missing.append(
            MissingCredential(
                country=obligation.country.code,
                country_name=obligation.country.name_en,
                report_type=obligation.report_type.code,
                pro=pro.name if pro else None,
            )
        )
    term = (search or "").strip()
    return [row for row in missing if row.matches(term)] if term else missing


def _comma_list(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def collective_accounts(
    *, organization: Organization, country: str | None = None, pro: str | None = None
) -> QuerySet[Credential]:
    """The organization's collective accounts (credentials of its collective-account
    clients) with the credentials linked to them; `country` and `pro` are case-insensitive,
    comma-separated lists."""
    queryset = Credential.objects.filter(
        client__organization=organization, client__collective_account=True
    )
    countries = [code.upper() for code in _comma_list(country)]
    if countries:
        queryset = queryset.filter(country__code__in=countries)
    pros = _comma_list(pro)
    if pros:
        match = Q()
        for name in pros:
            match |= Q(pro__name__iexact=name)
        queryset = queryset.filter(match)
    # Thousands of linked credentials are read for their client's id and name only: loading
    # whole rows (and decrypting their passwords) cost seconds on a large portfolio.
    linked = (
        Credential.objects.select_related("client")
        .only("id", "collective_account_id", "client__id", "client__name")
        .order_by("client__name", "id")
    )
    return (
        credentials_with_relations(queryset)
        .defer("password", "collective_account__password")
        .prefetch_related(Prefetch("linked_credentials", queryset=linked))
    )
