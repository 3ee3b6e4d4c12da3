"""Writes for organizations, their members and API keys, and their clients."""

from collections.abc import Iterable
from typing import NotRequired, TypedDict

from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from rest_framework.authtoken.models import Token
from simple_history.utils import bulk_update_with_history

from clients.limits import (
    API_KEY_NAME_MAX_LENGTH,
    NAME_MAX_LENGTH,
    NOTES_MAX_LENGTH,
    check_lengths,
    too_long_message,
)
from clients.models import (
    GLOBAL_SCOPE,
    Alias,
    ApiKey,
    Client,
    ClientOrganizationGrant,
    ClientStatus,
    Membership,
    Obligation,
    Organization,
    Role,
)
from clients.selectors import client_name_taken, client_organizations_consenting
from clients.tenancy import is_organization_admin, membership_for_user
from reporting.models import Country, Pro, ReportType
from reporting.selectors import Catalog, CatalogLookupError


@transaction.atomic
def organization_get_or_create(*, name: str) -> Organization:
    """The organization called `name` (case-insensitive), created if it does not exist.

    Raises ValidationError for a name over NAME_MAX_LENGTH characters."""
    check_lengths({"name": (name, NAME_MAX_LENGTH)})
    organization = Organization.objects.filter(name__iexact=name).first()
    return organization or Organization.objects.create(name=name)


@transaction.atomic
def org_user_create_or_update(
    *,
    organization: Organization,
    username: str,
    role: str,
    password: str | None = None,
    weak_password_allowed: bool = False,
) -> tuple[Membership, Token]:
    """Create (or update) `username` as a member of `organization` with `role`.

    Returns the membership and the user's API token. A user belongs to one organization only,
    so an existing user of another organization is refused. A password must pass the project's
    password validators (ValidationError with their messages, nothing saved), unless
    `weak_password_allowed`: only the demo's well-known login, which runs in development.
    """
    if role not in Role.values:
        raise ValueError(f"Unknown role {role!r}; choose one of {', '.join(Role.values)}.")
    user_model = get_user_model()
    user, _ = user_model.objects.get_or_create(username=username)
    existing = Membership.objects.filter(user=user).first()
    if existing and existing.organization_id != organization.pk:
        raise ValueError(f"User {username!r} already belongs to {existing.organization}.")
    if password:
        if not weak_password_allowed:
            validate_password(password, user=user)
        user.set_password(password)
    elif not user.has_usable_password():
        user.set_unusable_password()
    user.is_staff = True
    user.save()
    membership, _ = Membership.objects.update_or_create(
        user=user, defaults={"organization": organization, "role": role}
    )
    token, _ = Token.objects.get_or_create(user=user)
    return membership, token


LOGIN_REFUSED_MESSAGE = "Unable to log in with the given username and password."
NO_MEMBERSHIP_MESSAGE = "This account is not a member of any organization."


def auth_token_obtain(*, request, username: str, password: str) -> Token:
    """The API token of the member whose username and password these are, created on first use.

    A wrong password, an unknown user and an inactive user are refused with one and the same
    message, so the answer never tells which usernames exist. Django's `authenticate` is given
    the request, so an installed login lockout (django-axes) counts and blocks these attempts
    exactly as it does the admin's. Not atomic on purpose: a refusal must not roll back the
    failed attempt that such a lockout records.
    """
    user = authenticate(request=request, username=username, password=password)
    if user is None:
        raise ValidationError(LOGIN_REFUSED_MESSAGE, code="authorization")
    if not Membership.objects.filter(user=user).exists():
        raise ValidationError(NO_MEMBERSHIP_MESSAGE, code="authorization")
    token, _ = Token.objects.get_or_create(user=user)
    return token


@transaction.atomic
def auth_token_revoke(*, user) -> int:
    """Delete the user's API token: it answers 401 from then on. The next login issues a new
    one. Returns how many tokens were deleted (0 or 1)."""
    deleted, _ = Token.objects.filter(user=user).delete()
    return deleted


@transaction.atomic
def api_key_create(*, organization: Organization, name: str) -> tuple[ApiKey, str]:
    """Create an API key; the raw key is returned once and only its digest is stored.

    Raises ValidationError for a name over API_KEY_NAME_MAX_LENGTH characters."""
    check_lengths({"name": (name, API_KEY_NAME_MAX_LENGTH)})
    raw_key = ApiKey.generate_raw_key()
    api_key = ApiKey.objects.create(
        organization=organization,
        name=name,
        prefix=raw_key[: len(ApiKey.PREFIX) + 4],
        key_hash=ApiKey.hash_key(raw_key),
    )
    return api_key, raw_key


NAME_TOO_LONG_MESSAGE = too_long_message("name", NAME_MAX_LENGTH)
# DRF's answer for an id that does not exist, so a refusal reveals nothing more.
CLIENT_ORGANIZATION_REFUSED = 'Invalid pk "{pk}" - object does not exist.'


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
        raise ValidationError({"name": f"A client named {name!r} already exists."})
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


def _save_checking_name(client: Client, **save_kwargs) -> None:
    """Save; a concurrent insert of the same name surfaces as a validation error, not a 500."""
    try:
        with transaction.atomic():
            client.save(**save_kwargs)
    except IntegrityError as error:
        raise ValidationError(
            {"name": f"A client named {client.name!r} already exists."}
        ) from error


def _aliases_replace(*, client: Client, aliases: dict[str, str], catalog: Catalog) -> None:
    wanted: dict[str, str] = {}
    for code, name in aliases.items():
        wanted[_scope_of(code, catalog, "aliases")] = _clean_alias_name(name, "aliases")
    for alias in client.aliases.all():
        if alias.scope not in wanted:
            alias.delete()
        elif alias.name != wanted[alias.scope]:
            alias.name = wanted[alias.scope]
            alias.save(update_fields=["name"])
        wanted.pop(alias.scope, None)
    for scope, name in wanted.items():
        Alias.objects.create(client=client, scope=scope, name=name)


def _resolve_obligations(
    obligations: Iterable[ObligationInput], catalog: Catalog
) -> dict[tuple, dict]:
    """Catalog objects of each obligation keyed by (country, report type, PRO) ids, in order."""
    resolved: dict[tuple, dict] = {}
    errors = []
    for number, obligation in enumerate(obligations, start=1):
        try:
            country = catalog.country(obligation.get("country") or "")
            report_type = pro = None
            if (obligation.get("report_type") or "").strip():
                report_type = catalog.report_type(obligation["report_type"])
            if (obligation.get("pro") or "").strip():
                if report_type is None:
                    errors.append(f"Obligation {number}: a PRO is chosen for a report type.")
                    continue
                pro = catalog.pro(country, obligation["pro"])
                catalog.check_offered(pro, report_type)
        except CatalogLookupError as error:
            errors.append(f"Obligation {number}: {error.message}")
            continue
        key = (country.pk, report_type.pk if report_type else None, pro.pk if pro else None)
        resolved[key] = {"country": country, "report_type": report_type, "pro": pro}
    if errors:
        raise ValidationError({"obligations": errors})
    return resolved


@transaction.atomic
def client_obligations_replace(
    *,
    client: Client,
    obligations: Iterable[ObligationInput],
    catalog: Catalog | None = None,
) -> list[Obligation]:
    """Make `obligations` the client's obligations: keep those that stay, drop the others.

    Country, report type and PRO must be known to the catalog and the PRO must take the report
    type (ValidationError naming the valid choices otherwise); repeats are ignored.
    """
    wanted = _resolve_obligations(obligations, catalog or Catalog.load())
    for obligation in client.obligations.all():
        key = (obligation.country_id, obligation.report_type_id, obligation.pro_id)
        if wanted.pop(key, None) is None:
            obligation.delete()
    for fields in wanted.values():
        Obligation.objects.create(client=client, **fields)
    return list(client.obligations.select_related("country", "report_type", "pro"))


@transaction.atomic
def client_create(
    *,
    organization: Organization,
    name: str,
    status: str = ClientStatus.ACTIVE,
    shared: bool = False,
    notes: str | None = "",
    client_organization: Organization | None = None,
    collective_account: bool = False,
    aliases: dict[str, str] | None = None,
    obligations: list[ObligationInput] | None = None,
) -> Client:
    """Add a client to the organization's portfolio, with its aliases and obligations.

    The name must be new to the organization (case-insensitive); alias scopes are catalog
    country codes or `*`. Raises ValidationError and creates nothing otherwise.
    """
    client = Client(
        organization=organization,
        name=_clean_name(organization=organization, name=name),
        status=_clean_status(status),
        shared=shared,
        notes=_clean_notes(notes),
        client_organization=_clean_client_organization(
            client=None, client_organization=client_organization
        ),
        collective_account=collective_account,
    )
    _save_checking_name(client)
    catalog = Catalog.load() if aliases or obligations else None
    if aliases:
        _aliases_replace(client=client, aliases=aliases, catalog=catalog)
    if obligations:
        client_obligations_replace(client=client, obligations=obligations, catalog=catalog)
    return client


@transaction.atomic
def client_update(*, client: Client, changes: ClientChanges) -> Client:
    """Change the given fields of a client; `aliases` and `obligations`, when given, replace
    the whole map (list). Raises ValidationError and changes nothing on bad input."""
    changes = dict(changes)
    aliases = changes.pop("aliases", None)
    obligations = changes.pop("obligations", None)
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
    changed = [field for field, value in changes.items() if getattr(client, field) != value]
    for field in changed:
        setattr(client, field, changes[field])
    if changed:
        _save_checking_name(client, update_fields=[*changed, "updated_at"])
    catalog = Catalog.load() if aliases is not None or obligations is not None else None
    if aliases is not None:
        _aliases_replace(client=client, aliases=aliases, catalog=catalog)
    if obligations is not None:
        client_obligations_replace(client=client, obligations=obligations, catalog=catalog)
    return client


@transaction.atomic
def client_delete(*, client: Client) -> None:
    """Delete a client with its aliases, obligations and credentials.

    Raises django's ProtectedError naming the rows that depend on it (for instance other
    clients' credentials linked to a collective credential of this client); nothing is
    deleted then.
    """
    client.delete()


class AliasConflict(Exception):
    """An alias write that would lose or pick among aliases silently; `scopes` maps each scope
    concerned to its alias."""

    def __init__(self, message: str, *, scopes: dict[str, str]):
        super().__init__(message)
        self.message = message
        self.scopes = scopes


@transaction.atomic
def client_alias_set(
    *, client: Client, name: str, country: str | None = None, replace: bool = True
) -> Alias:
    """Set the client's alias for `country` (a catalog code; None or `*`: the global alias).

    A scope holds one alias: with `replace` a different one there is replaced, without it the
    write raises AliasConflict naming it (setting the alias a scope already has changes nothing).
    """
    scope = _scope_of(country, Catalog.load(), "country")
    name = _clean_alias_name(name, "alias")
    current = client.aliases.select_for_update().filter(scope=scope).first()
    if current is not None and current.name != name and not replace:
        raise AliasConflict(
            f"{client.name} already has the alias {current.name!r} for {scope}. Remove it "
            "first to set another.",
            scopes={scope: current.name},
        )
    alias, _ = Alias.objects.update_or_create(client=client, scope=scope, defaults={"name": name})
    return alias


@transaction.atomic
def client_alias_remove(*, client: Client, name: str, country: str | None = None) -> Alias:
    """Remove the client's alias called `name`: the exact spelling first, otherwise ignoring case.

    With `country` (a catalog code, or `*` for the global alias) only that scope's alias is
    looked at. Without it the alias must be in one scope: several raise AliasConflict naming
    them. Returns the removed alias; raises Alias.DoesNotExist when there is none.
    """
    aliases = client.aliases.all()
    where = ""
    if country is not None:
        scope = _scope_of(country, Catalog.load(), "country")
        aliases = aliases.filter(scope=scope)
        where = f" for {scope}"
    found = list(aliases.filter(name=name)) or list(aliases.filter(name__iexact=name))
    if not found:
        raise Alias.DoesNotExist(f"{client.name} has no alias {name!r}{where}.")
    if len(found) > 1:
        scopes = {alias.scope: alias.name for alias in sorted(found, key=lambda a: a.scope)}
        raise AliasConflict(
            f"{client.name} has the alias {name!r} in several scopes: {', '.join(scopes)}. "
            "Say which with ?country= (* for the global alias).",
            scopes=scopes,
        )
    [alias] = found
    alias.delete()
    return alias


@transaction.atomic
def client_local_company_name_set(*, client: Client, country: Country, name: str) -> Alias:
    """Set the client's local company name in `country`, which is its alias for that country."""
    alias, _ = Alias.objects.update_or_create(
        client=client,
        scope=country.code,
        defaults={"name": _clean_alias_name(name, "local_company_name")},
    )
    return alias


@transaction.atomic
def clients_set_status(*, clients: QuerySet[Client], status: str) -> int:
    """Give every client of `clients` the status (archive or activate in bulk), recording
    history for each. Returns how many changed."""
    _clean_status(status)
    changing = list(clients.exclude(status=status))
    now = timezone.now()
    for client in changing:
        client.status = status
        client.updated_at = now
    bulk_update_with_history(changing, Client, ["status", "updated_at"])
    return len(changing)


ORGANIZATION_NAME_MAX_LENGTH = Organization._meta.get_field("name").max_length
INVITATION_REFUSED = "No pending invitation has this token."


@transaction.atomic
def client_organization_create(*, client: Client, name: str, user=None) -> Organization:
    """Create a new organization that is `client` itself, agreed by construction, and name it
    the client's `client_organization` (its users then read the client when it is shared).

    Raises ValidationError for an empty or too long name, or one an organization already has
    (names are unique, ignoring case); nothing is created then.
    """
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "An organization needs a name."})
    if len(name) > ORGANIZATION_NAME_MAX_LENGTH:
        raise ValidationError(
            {"name": f"A name has at most {ORGANIZATION_NAME_MAX_LENGTH} characters."}
        )
    try:
        with transaction.atomic():
            organization = Organization.objects.create(name=name)
    except IntegrityError as error:
        raise ValidationError({"name": "This name cannot be used; choose another."}) from error
    ClientOrganizationGrant.objects.create(
        agency_id=client.organization_id,
        client=client,
        kind=ClientOrganizationGrant.Kind.CREATED,
        client_organization=organization,
        created_by=user,
        accepted_at=timezone.now(),
    )
    client_update(client=client, changes={"client_organization": organization})
    return organization


@transaction.atomic
def client_organization_invite(*, client: Client, user=None) -> tuple[ClientOrganizationGrant, str]:
    """Invite the organization that is `client` itself to agree to be its client organization.

    Returns the invitation and its raw token, shown once (only its digest is stored). The agency
    hands the token to that organization; the invitation names nobody until an admin of an
    organization accepts it, so inviting reveals nothing about which organizations exist.
    """
    raw_token = ClientOrganizationGrant.generate_raw_token()
    invitation = ClientOrganizationGrant.objects.create(
        agency_id=client.organization_id,
        client=client,
        kind=ClientOrganizationGrant.Kind.INVITED,
        token_hash=ClientOrganizationGrant.hash_token(raw_token),
        created_by=user,
    )
    return invitation, raw_token


@transaction.atomic
def client_organization_invitation_accept(*, token: str, user) -> ClientOrganizationGrant:
    """An admin of an organization accepts an agency's invitation for one of its clients: the
    organization agrees to be that client and becomes its `client_organization`.

    Raises PermissionDenied unless `user` is an admin of an organization, and ValidationError
    when the token is unknown, already used, or the agency's own; nothing changes then.
    """
    if not is_organization_admin(user):
        raise PermissionDenied("Only an admin of an organization can accept an invitation.")
    membership = membership_for_user(user)
    invitation = (
        ClientOrganizationGrant.objects.select_for_update()
        .select_related("client")
        .filter(
            token_hash=ClientOrganizationGrant.hash_token((token or "").strip()),
            kind=ClientOrganizationGrant.Kind.INVITED,
            accepted_at__isnull=True,
        )
        .exclude(agency=membership.organization)
        .first()
    )
    if invitation is None:
        raise ValidationError({"token": INVITATION_REFUSED})
    invitation.client_organization = membership.organization
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["client_organization", "accepted_at", "accepted_by"])
    client_update(
        client=invitation.client, changes={"client_organization": membership.organization}
    )
    return invitation
