"""The checks every write of a client applies, and the forms that show them before a write."""

from typing import NotRequired, TypedDict

from django.core.exceptions import ValidationError

from clients.limits import NAME_MAX_LENGTH, NOTES_MAX_LENGTH, check_lengths, too_long_message
from clients.models import GLOBAL_SCOPE, Client, ClientStatus, Organization
from clients.selectors import client_name_taken, client_organizations_consenting
from reporting.models import Country, Pro, ReportType
from reporting.selectors import Catalog, CatalogLookupError

NAME_TOO_LONG_MESSAGE = too_long_message("name", NAME_MAX_LENGTH)
# DRF's answer for an id that does not exist, so a refusal reveals nothing more.
CLIENT_ORGANIZATION_REFUSED = 'Invalid pk "{pk}" - object does not exist.'


def name_taken_message(name: str) -> str:
    return f"A client named {name!r} already exists."


class ObligationInput(TypedDict):
    """An obligation as the API and CSV files spell it: catalog codes and names."""

    country: str
    report_type: NotRequired[str | None]
    pro: NotRequired[str | None]


class ClientChanges(TypedDict, total=False):
    """The fields of a client to change; fields left out stay as they are."""

    name: str
    status: str
    shared: bool
    notes: str | None
    client_organization: Organization | None
    collective_account: bool
    aliases: dict[str, str]
    obligations: list[ObligationInput]


def _clean_name(*, organization: Organization, name: str, client: Client | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "A client needs a name."})
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError({"name": NAME_TOO_LONG_MESSAGE})
    if client_name_taken(organization=organization, name=name, exclude=client):
        raise ValidationError({"name": name_taken_message(name)})
    return name


def _clean_client_organization(
    *, client: Client | None, client_organization: Organization | None
) -> Organization | None:
    """`client_organization` if it agreed to be `client` (None: a client being created, which
    nothing has agreed to yet). Refused exactly as DRF refuses an id that does not exist: which
    organizations exist is not the caller's business."""
    if client_organization is not None and not (
        client is not None
        and client_organizations_consenting(client).filter(pk=client_organization.pk).exists()
    ):
        raise ValidationError(
            {"client_organization": CLIENT_ORGANIZATION_REFUSED.format(pk=client_organization.pk)}
        )
    return client_organization


def _clean_status(status: str) -> str:
    if status not in ClientStatus.values:
        raise ValidationError(
            {
                "status": f"Unknown status {status!r}. "
                f"Valid statuses: {', '.join(ClientStatus.values)}."
            }
        )
    return status


def _clean_alias_name(name: str, field: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({field: "An alias needs a name."})
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError({field: too_long_message(field, NAME_MAX_LENGTH)})
    return name


def _clean_notes(notes: str | None) -> str:
    check_lengths({"notes": (notes, NOTES_MAX_LENGTH)})
    return notes or ""


def _scope_of(code: str | None, catalog: Catalog, field: str) -> str:
    """A catalog country code, or `*` for the global scope (no code given)."""
    if code is None or not code.strip() or code.strip() == GLOBAL_SCOPE:
        return GLOBAL_SCOPE
    try:
        return catalog.country(code.strip().upper()).code
    except CatalogLookupError as error:
        raise ValidationError({field: f"{error.message} Use * for a global alias."}) from error


def _clean_changes(client: Client, changes: dict) -> dict:
    """`changes` to the fields of `client` as client_update stores them; ValidationError on the
    first field that is not valid."""
    if "name" in changes:
        changes["name"] = _clean_name(
            organization=client.organization, name=changes["name"], client=client
        )
    if "status" in changes:
        _clean_status(changes["status"])
    if "notes" in changes:
        changes["notes"] = _clean_notes(changes["notes"])
    if changes.get("client_organization") not in (None, client.client_organization):
        _clean_client_organization(
            client=client, client_organization=changes["client_organization"]
        )
    return changes


def client_validate(
    *,
    organization: Organization,
    client: Client | None = None,
    name: str,
    status: str = ClientStatus.ACTIVE,
    notes: str | None = "",
    client_organization: Organization | None = None,
) -> None:
    """Raise the ValidationError client_create (without `client`) or client_update (with it)
    would raise for these fields, so that a form can show it before anything is written."""
    _clean_name(organization=organization, name=name, client=client)
    _clean_status(status)
    _clean_notes(notes)
    if client is None or client_organization != client.client_organization:
        _clean_client_organization(client=client, client_organization=client_organization)


def client_alias_validate(*, scope: str | None, name: str) -> tuple[str, str]:
    """The alias's scope (a catalog country code, or `*` when none is given) and name as the
    services store them; ValidationError keyed `scope` or `name` when one is not valid."""
    return _scope_of(scope, Catalog.load(), "scope"), _clean_alias_name(name, "name")


def obligation_validate(
    *, country: Country, report_type: ReportType | None, pro: Pro | None = None
) -> None:
    """Raise ValidationError keyed `pro` unless `pro` (when given) is a PRO of `country` that
    takes `report_type`: the rule client_obligations_replace applies to codes and names. An
    obligation without a report type (the client operates in the country) names no PRO."""
    if pro is None:
        return
    if report_type is None:
        raise ValidationError({"pro": "Choose the report type this PRO takes, or no PRO."})
    if pro.country_id != country.pk:
        raise ValidationError(
            {"pro": f"{pro.name} is a PRO of {pro.country.code}, not of this country."}
        )
    try:
        Catalog.load().check_offered(pro, report_type)
    except CatalogLookupError as error:
        raise ValidationError({"pro": error.message}) from error
