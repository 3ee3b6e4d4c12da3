"""Writes for clients: create, change, delete, their aliases, obligations and status."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from clients.models import Alias, Client, ClientStatus, Obligation, Organization
from clients.services.validation import (
    ClientChanges,
    ObligationInput,
    _clean_alias_name,
    _clean_changes,
    _clean_client_organization,
    _clean_name,
    _clean_notes,
    _clean_status,
    _scope_of,
    name_taken_message,
)
from reporting.models import Country
from reporting.selectors import Catalog, CatalogLookupError


def _save_checking_name(client: Client, **save_kwargs) -> None:
    """Save; a concurrent insert of the same name surfaces as a validation error, not a 500."""
    try:
        with transaction.atomic():
            client.save(**save_kwargs)
    except IntegrityError as error:
        raise ValidationError({"name": name_taken_message(client.name)}) from error


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
    changes = _clean_changes(client, changes)
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
