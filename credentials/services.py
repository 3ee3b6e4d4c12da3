"""Writes of credentials, for the API, the admin, CSV import and commands alike.

The rules live here once: catalog validation, one credential per client, country, PRO and report
type, collective-account links, password history, the encryption canary and key rotation; and
`secrets_reveal`, the one way a stored secret becomes plaintext for a response, which checks who
may see it and records every access.
"""

import dataclasses
import enum
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connections, transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from clients.limits import (
    EXTRA_INFO_MAX_BYTES,
    EXTRA_INFO_MAX_DEPTH,
    LOGIN_MAX_LENGTH,
    NOTES_MAX_LENGTH,
    REGISTRATION_NUMBER_MAX_LENGTH,
    json_depth,
    json_size,
    length_errors,
)
from clients.models import Client
from clients.tenancy import may_reveal
from config.bulk_copy import (
    CHANGED,
    CREATED,
    history_rows_insert,
    rows_insert,
    rows_update,
    values_insert,
)
from config.client_address import client_ip
from credentials.models import (
    MASK,
    AccessReason,
    Credential,
    CredentialPasswordHistory,
    CredentialReportType,
    CredentialStatus,
    EncryptionCanary,
    PasswordAccessEvent,
)
from reporting.models import Country, Pro, ReportType
from reporting.selectors import Catalog, CatalogLookupError


class Unset(enum.Enum):
    """Marks an argument of an update that was not given (None is a value: "clear it")."""

    UNSET = "unset"


UNSET = Unset.UNSET

ENCRYPTED_FIELDS: list[tuple[type, str]] = [
    (Credential, "password"),
    (CredentialPasswordHistory, "password"),
    (EncryptionCanary, "value"),
]


@dataclass(frozen=True)
class RequestOrigin:
    """Where a request came from, as recorded in access events."""

    ip: str | None
    method: str
    route: str


def request_origin(request) -> RequestOrigin:
    """The request's client address (see config.client_address), method and path."""
    return RequestOrigin(
        ip=client_ip(request), method=request.method or "", route=request.path[:500]
    )


def _catalog_entries(
    *, catalog: Catalog, country: str, pro: str, report_types: str | list[str]
) -> tuple[Country, Pro, list[ReportType]]:
    try:
        country_obj = catalog.country(country)
        pro_obj = catalog.pro(country_obj, pro)
        report_type_objs = catalog.report_types_of(report_types)
        for report_type in report_type_objs:
            catalog.check_offered(pro_obj, report_type)
    except CatalogLookupError as exc:
        field = "report_types" if exc.field == "report_type" else exc.field
        raise ValidationError({field: [exc.message]}) from None
    return country_obj, pro_obj, report_type_objs


def _collective_account(
    *, client: Client, collective_account_id: int | None, country: Country, pro: Pro
) -> Credential | None:
    """The collective credential `collective_account_id` names, if the link is allowed."""
    if collective_account_id is None:
        return None
    field = "collective_account_id"
    if client.collective_account:
        raise ValidationError(
            {field: ["A collective account cannot itself be linked to another one."]}
        )
    target = (
        Credential.objects.of(client.organization_id)
        .select_related("client", "country", "pro")
        .filter(pk=collective_account_id)
        .first()
    )
    if target is None:
        raise ValidationError({field: [f"Collective account {collective_account_id} not found."]})
    if not target.client.collective_account or target.collective_account_id is not None:
        raise ValidationError(
            {
                field: [
                    f"Credential {target.pk} is not a collective account: its client "
                    f"{target.client.name!r} is not a collective-account client."
                ]
            }
        )
    if target.country_id != country.pk or target.pro_id != pro.pk:
        raise ValidationError(
            {
                field: [
                    f"Collective account {target.pk} is for {target.country.code} · "
                    f"{target.pro.name}; this credential is for {country.code} · {pro.name}. "
                    "A credential links only to a collective account of the same country and PRO."
                ]
            }
        )
    return target


@sensitive_variables("login", "password")
def linked_secret_errors(*, login, password, collective: Credential) -> dict[str, list[str]]:
    """Errors for a login or password given to a credential linked to `collective`.

    A linked credential has no login or password of its own; echoing the collective's is fine.
    UNSET, None and "" give nothing.
    """
    errors = {}
    for field, given, inherited in (
        ("login", login, collective.login),
        ("password", password, collective.password),
    ):
        if given not in (UNSET, None, "", inherited):
            errors[field] = [
                f"This credential reads its {field} from collective account {collective.pk} "
                f"({collective}). To give it its own {field}, unlink it first: send "
                '"collective_account_id": null together with the new login and password.'
            ]
    return errors


@sensitive_variables("login", "password")
def _refuse_own_secrets_when_linked(*, login, password, collective: Credential) -> None:
    errors = linked_secret_errors(login=login, password=password, collective=collective)
    if errors:
        raise ValidationError(errors)


NULL_CHARACTER_MESSAGE = "Null characters are not allowed."
MASKED_PASSWORD_MESSAGE = (
    f'"{MASK}" is the mask shown in place of a password. Send the real password, or '
    "leave the field out to keep the stored one."
)


def holds_null_character(value) -> bool:
    """Whether a JSON value has a NUL anywhere; PostgreSQL stores none in text or jsonb.
    Walked without recursion, so that no nesting overflows the stack."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


def is_masked_password(password) -> bool:
    """Whether `password` is the mask shown in its place: echoed back, it must not replace
    the stored password."""
    return password == MASK


def _json_kind(value) -> str:
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return f"a {type(value).__name__}"


def extra_info_error(extra_info) -> str | None:
    """Why `extra_info` cannot be stored (None when it can): a credential's extra_info is a
    JSON object (or null) of at most EXTRA_INFO_MAX_DEPTH levels and EXTRA_INFO_MAX_BYTES as
    compact JSON, without NULs."""
    if extra_info in (UNSET, None):
        return None
    if not isinstance(extra_info, dict):
        return f"Must be a JSON object or null, not {_json_kind(extra_info)}."
    if json_depth(extra_info) > EXTRA_INFO_MAX_DEPTH:
        return f"extra_info is nested too deeply: at most {EXTRA_INFO_MAX_DEPTH} levels."
    size = json_size(extra_info)
    if size > EXTRA_INFO_MAX_BYTES:
        return (
            f"extra_info is too large: at most {EXTRA_INFO_MAX_BYTES} bytes (10 KB) as compact "
            f"UTF-8 JSON; this one has {size}."
        )
    if holds_null_character(extra_info):
        return NULL_CHARACTER_MESSAGE
    return None


@sensitive_variables("login", "password")
def _check_plain_input(*, login, password, registration_number, notes, extra_info) -> None:
    errors = length_errors(
        {
            "login": (login, LOGIN_MAX_LENGTH),
            "registration_number": (registration_number, REGISTRATION_NUMBER_MAX_LENGTH),
            "notes": (notes, NOTES_MAX_LENGTH),
        }
    )
    if is_masked_password(password):
        errors["password"] = [MASKED_PASSWORD_MESSAGE]
    extra_info_problem = extra_info_error(extra_info)
    if extra_info_problem:
        errors["extra_info"] = [extra_info_problem]
    if errors:
        raise ValidationError(errors)


def _overlap_error(
    *, client: Client, country: Country, pro: Pro, report_types: list[ReportType], found=()
) -> ValidationError:
    codes = ", ".join(sorted(rt.code for rt in report_types))
    existing = ", ".join(str(pk) for pk in sorted(set(found)))
    which = f" (credential {existing})" if existing else ""
    return ValidationError(
        {
            "report_types": [
                f"{client.name} already has a credential for {country.code} · {pro.name} · "
                f"{codes}{which}. A client has one credential per country, PRO and report type: "
                "add the report type to that credential or choose another PRO."
            ]
        }
    )


def _refuse_overlap(
    *,
    client: Client,
    country: Country,
    pro: Pro,
    report_types: list[ReportType],
    exclude_credential_id: int | None,
) -> None:
    clashes = list(
        CredentialReportType.objects.filter(
            client=client, country=country, pro=pro, report_type__in=report_types
        )
        .exclude(credential_id=exclude_credential_id)
        .select_related("report_type")
    )
    if clashes:
        raise _overlap_error(
            client=client,
            country=country,
            pro=pro,
            report_types=[link.report_type for link in clashes],
            found=[link.credential_id for link in clashes],
        )


def _write_report_type_links(
    *,
    credential: Credential,
    add: list[ReportType],
    remove: list[ReportType],
    relocate: bool,
) -> None:
    """Bring the credential's CredentialReportType rows in step with it.

    The pre-check in _refuse_overlap answers the usual case with names; a concurrent request
    that slipped in between meets the database constraint here and gets the same 400.
    """
    links = CredentialReportType.objects.filter(credential=credential)
    try:
        with transaction.atomic():
            if remove:
                links.filter(report_type__in=remove).delete()
            if relocate:
                links.update(country=credential.country, pro=credential.pro)
            CredentialReportType.objects.bulk_create(
                CredentialReportType(
                    credential=credential,
                    report_type=report_type,
                    client_id=credential.client_id,
                    country=credential.country,
                    pro=credential.pro,
                )
                for report_type in add
            )
    except IntegrityError:
        raise _overlap_error(
            client=credential.client,
            country=credential.country,
            pro=credential.pro,
            report_types=add or [link.report_type for link in links.select_related("report_type")],
        ) from None


def _clean_fields(credential: Credential) -> None:
    credential.clean_fields(exclude=["client", "country", "pro", "collective_account"])
    errors = {
        field: [NULL_CHARACTER_MESSAGE]
        for field in ("login", "registration_number", "notes")
        if holds_null_character(getattr(credential, field))
    }
    if errors:
        raise ValidationError(errors)


def _current_report_types(credential: Credential) -> list[ReportType]:
    order = {code: position for position, code in enumerate(credential.report_type_list)}
    report_types = [
        link.report_type for link in credential.report_type_links.select_related("report_type")
    ]
    return sorted(report_types, key=lambda rt: order.get(rt.code, len(order)))


def _refuse_moving_a_collective_with_links(
    *, credential: Credential, country: Country, pro: Pro
) -> None:
    if country.pk == credential.country_id and pro.pk == credential.pro_id:
        return
    linked = list(credential.linked_credentials.select_related("client", "country", "pro"))
    if linked:
        names = ", ".join(sorted(str(other) for other in linked))
        raise ValidationError(
            {
                "pro": [
                    f"{len(linked)} credential(s) link to this collective account and must keep "
                    f"its country and PRO: {names}. Unlink them first."
                ]
            }
        )


@dataclass
class _Plan:
    """A credential's catalog entries and link, checked against every rule."""

    country: Country
    pro: Pro
    report_types: list[ReportType]
    current_report_types: list[ReportType]
    collective: Credential | None

    @property
    def added_report_types(self) -> list[ReportType]:
        current = {rt.pk for rt in self.current_report_types}
        return [rt for rt in self.report_types if rt.pk not in current]

    @property
    def removed_report_types(self) -> list[ReportType]:
        new = {rt.pk for rt in self.report_types}
        return [rt for rt in self.current_report_types if rt.pk not in new]


@sensitive_variables("login", "password")
def _plan(
    *,
    client: Client,
    credential: Credential | None,
    country,
    pro,
    report_types,
    login,
    password,
    extra_info,
    collective_account_id,
    registration_number=UNSET,
    notes=UNSET,
) -> _Plan:
    """Check a new credential (`credential` None) or a change of one; UNSET keeps a value."""
    _check_plain_input(
        login=login,
        password=password,
        registration_number=registration_number,
        notes=notes,
        extra_info=extra_info,
    )
    current = _current_report_types(credential) if credential is not None else []
    unchanged_catalog_entries = all(value is UNSET for value in (country, pro, report_types))
    if credential is not None and unchanged_catalog_entries:
        country_obj, pro_obj, report_type_objs = credential.country, credential.pro, current
    else:
        country_obj, pro_obj, report_type_objs = _catalog_entries(
            catalog=Catalog.load(),
            country=credential.country.code if country is UNSET else country,
            pro=credential.pro.name if pro is UNSET else pro,
            report_types=[rt.code for rt in current] if report_types is UNSET else report_types,
        )
    if credential is not None and client.collective_account:
        _refuse_moving_a_collective_with_links(
            credential=credential, country=country_obj, pro=pro_obj
        )
    if collective_account_id is UNSET:
        collective_account_id = credential.collective_account_id if credential else None
    collective = _collective_account(
        client=client,
        collective_account_id=collective_account_id,
        country=country_obj,
        pro=pro_obj,
    )
    if collective is not None:
        _refuse_own_secrets_when_linked(login=login, password=password, collective=collective)
    plan = _Plan(
        country=country_obj,
        pro=pro_obj,
        report_types=report_type_objs,
        current_report_types=current,
        collective=collective,
    )
    relocated = credential is not None and (
        country_obj.pk != credential.country_id or pro_obj.pk != credential.pro_id
    )
    if credential is None or relocated or plan.added_report_types:
        _refuse_overlap(
            client=client,
            country=country_obj,
            pro=pro_obj,
            report_types=report_type_objs,
            exclude_credential_id=credential.pk if credential else None,
        )
    return plan


@sensitive_variables("login", "password")
def credential_validate(
    *,
    client: Client,
    credential: Credential | None = None,
    country: str | Unset = UNSET,
    pro: str | Unset = UNSET,
    report_types: str | list[str] | Unset = UNSET,
    login: str | Unset | None = UNSET,
    password: str | Unset | None = UNSET,
    extra_info: dict | Unset | None = UNSET,
    collective_account_id: int | Unset | None = UNSET,
    registration_number: str | Unset | None = UNSET,
    notes: str | Unset | None = UNSET,
) -> None:
    """Raise the ValidationError credential_create (`credential` None) or credential_update
    would raise for these values, writing nothing. For forms, to show errors by their fields."""
    _plan(
        client=client,
        credential=credential,
        country=country,
        pro=pro,
        report_types=report_types,
        login=login,
        password=password,
        extra_info=extra_info,
        collective_account_id=collective_account_id,
        registration_number=registration_number,
        notes=notes,
    )


@sensitive_variables("login", "password")
@transaction.atomic
def credential_create(
    *,
    client: Client,
    country: str,
    pro: str,
    report_types: str | list[str],
    login: str | None = "",
    password: str | None = "",
    registration_number: str | None = "",
    status: str = CredentialStatus.ACTIVE,
    notes: str | None = "",
    interval: str | None = None,
    extra_info: dict | None = None,
    collective_account_id: int | None = None,
    user=None,
) -> Credential:
    """Create a credential of `client` after checking it against the catalog and the rules.

    `report_types` is a list of codes or a comma-separated string. With `collective_account_id`
    the credential reads its login and password from that collective account (same
    organization, country and PRO) and may not carry its own. Raises ValidationError with
    `{field: [message]}` and changes nothing when a rule is broken.
    """
    plan = _plan(
        client=client,
        credential=None,
        country=country,
        pro=pro,
        report_types=report_types,
        login=login,
        password=password,
        extra_info=extra_info,
        collective_account_id=collective_account_id,
        registration_number=registration_number,
        notes=notes,
    )
    linked = plan.collective is not None
    credential = Credential(
        client=client,
        country=plan.country,
        pro=plan.pro,
        report_type_codes=",".join(rt.code for rt in plan.report_types),
        login="" if linked else login or "",
        password="" if linked else password or "",
        registration_number=registration_number or "",
        status=status,
        notes=notes or "",
        interval=interval or None,
        extra_info=extra_info,
        collective_account=plan.collective,
    )
    _clean_fields(credential)
    credential._history_user = user
    credential.save()
    _write_report_type_links(
        credential=credential, add=plan.report_types, remove=[], relocate=False
    )
    return credential


@sensitive_variables("login", "password", "new_password", "previous_password")
@transaction.atomic
def credential_update(
    *,
    credential: Credential,
    user=None,
    country: str | Unset = UNSET,
    pro: str | Unset = UNSET,
    report_types: str | list[str] | Unset = UNSET,
    login: str | Unset | None = UNSET,
    password: str | Unset | None = UNSET,
    registration_number: str | Unset | None = UNSET,
    status: str | Unset = UNSET,
    notes: str | Unset | None = UNSET,
    interval: str | Unset | None = UNSET,
    extra_info: dict | Unset | None = UNSET,
    collective_account_id: int | Unset | None = UNSET,
) -> Credential:
    """Change the given fields of a credential; the others stay as they are.

    A replaced password is kept, encrypted, in the credential's password history with who
    replaced it. Linking to a collective account (`collective_account_id`) drops the
    credential's own login and password (the password into the history); setting a login or
    password on a linked credential is refused until it is unlinked (`collective_account_id`
    None). Raises ValidationError with `{field: [message]}` and changes nothing when a rule is
    broken.
    """
    credential = (
        Credential.objects.select_for_update(of=("self",))
        .select_related("client", "country", "pro")
        .get(pk=credential.pk)
    )
    plan = _plan(
        client=credential.client,
        credential=credential,
        country=country,
        pro=pro,
        report_types=report_types,
        login=login,
        password=password,
        extra_info=extra_info,
        collective_account_id=collective_account_id,
        registration_number=registration_number,
        notes=notes,
    )
    previous_password = credential.password
    if plan.collective is not None:
        credential.login, new_password = "", ""
    else:
        if login is not UNSET:
            credential.login = login or ""
        new_password = previous_password if password is UNSET else (password or "")

    relocate = plan.country.pk != credential.country_id or plan.pro.pk != credential.pro_id
    credential.country = plan.country
    credential.pro = plan.pro
    credential.report_type_codes = ",".join(rt.code for rt in plan.report_types)
    credential.collective_account = plan.collective
    credential.password = new_password
    if registration_number is not UNSET:
        credential.registration_number = registration_number or ""
    if notes is not UNSET:
        credential.notes = notes or ""
    if status is not UNSET:
        credential.status = status
    if interval is not UNSET:
        credential.interval = interval or None
    if extra_info is not UNSET:
        credential.extra_info = extra_info
    _clean_fields(credential)

    password_changed = new_password != previous_password
    if password_changed and previous_password:
        CredentialPasswordHistory.objects.create(
            credential=credential, password=previous_password, changed_by=user
        )
    credential._history_user = user
    if password_changed:
        credential._change_reason = "Password changed"
    credential.save()
    _write_report_type_links(
        credential=credential,
        add=plan.added_report_types,
        remove=plan.removed_report_types,
        relocate=relocate,
    )
    return credential


@dataclass
class CredentialWrite:
    """One credential of a set-based write: new (`credential.pk` None) or changed.

    `credential` carries the values to store. `report_types` is every report type it covers
    afterwards, in the order `report_type_codes` lists them; `added_report_types` those it
    gains (for a new credential: all of them). For a change, `changed_fields` names the fields
    that changed and `previous_password` is the password it had.
    """

    credential: Credential
    report_types: list[ReportType]
    added_report_types: list[ReportType]
    changed_fields: list[str] = dataclasses.field(default_factory=list)
    previous_password: str = ""

    @property
    def password_changed(self) -> bool:
        return "password" in self.changed_fields


def _report_type_link_rows(writes: Iterable[CredentialWrite]) -> list[tuple]:
    return [
        (
            write.credential.pk,
            report_type.pk,
            write.credential.client_id,
            write.credential.country_id,
            write.credential.pro_id,
        )
        for write in writes
        for report_type in write.added_report_types
    ]


REPORT_TYPE_LINK_FIELDS = ("credential_id", "report_type_id", "client_id", "country_id", "pro_id")


@transaction.atomic
def credentials_bulk_write(
    *, writes: list[CredentialWrite], user=None, change_reason: str = ""
) -> None:
    """Create and change many credentials in a few statements, keeping the invariants of
    credential_create and credential_update.

    The callers have checked each credential against the catalog and the overlap rule (CSV
    import plans them in memory); what this writes stays in step as the per-credential
    services keep it: `report_type_codes` and the CredentialReportType rows, a replaced password
    kept encrypted in the password history with who replaced it, and a history row per
    credential with `user` ("Password changed" when the password changed, otherwise
    `change_reason`). Country, PRO and collective-account links are not changed here. A
    credential that another request gave the same report type meanwhile meets the database
    constraint: ValidationError, and nothing is written.
    """
    now = timezone.now()
    creates, updates = [], []
    for write in writes:
        credential = write.credential
        credential.report_type_codes = ",".join(rt.code for rt in write.report_types)
        if credential.pk is None:
            creates.append(credential)
        else:
            credential.updated_at = now
            updates.append(write)
    try:
        with transaction.atomic():
            rows_insert(Credential, creates)
            if updates:
                fields = {"report_type_codes", "updated_at"}
                for write in updates:
                    fields.update(write.changed_fields)
                rows_update(Credential, [write.credential for write in updates], sorted(fields))
            for reason, history_type, credentials in (
                (change_reason, CREATED, creates),
                (change_reason, CHANGED, [w.credential for w in updates if not w.password_changed]),
                (
                    "Password changed",
                    CHANGED,
                    [w.credential for w in updates if w.password_changed],
                ),
            ):
                history_rows_insert(
                    Credential,
                    [credential.pk for credential in credentials],
                    history_type=history_type,
                    user=user,
                    change_reason=reason,
                    date=now,
                )
            rows_insert(
                CredentialPasswordHistory,
                [
                    CredentialPasswordHistory(
                        credential=write.credential,
                        password=write.previous_password,
                        changed_by=user,
                        changed_at=now,
                    )
                    for write in updates
                    if write.password_changed and write.previous_password
                ],
            )
            values_insert(
                CredentialReportType, REPORT_TYPE_LINK_FIELDS, _report_type_link_rows(writes)
            )
    except IntegrityError:
        raise ValidationError(
            {
                "report_types": [
                    "Another change gave one of these clients a credential for the same country, "
                    "PRO and report type meanwhile. Nothing was written: try again."
                ]
            }
        ) from None


@transaction.atomic
def credential_delete(*, credential: Credential, user=None) -> None:
    """Delete a credential with its report types and password history.

    A collective account that other credentials link to is protected: django.db.models
    .ProtectedError names them (the API answers 409).
    """
    credential._history_user = user
    credential.delete()


def _access_label(credential: Credential) -> str:
    label = str(credential)
    if credential.collective_account_id is not None:
        label += f" (password of collective account {credential.collective_account_id})"
    return label[:500]


def _access_event(
    *,
    user,
    credential: Credential,
    reason: str,
    origin: RequestOrigin,
    password_history: CredentialPasswordHistory | None = None,
) -> PasswordAccessEvent:
    return PasswordAccessEvent(
        organization_id=credential.client.organization_id,
        user=user,
        username=user.get_username(),
        client_id=credential.client_id,
        credential=credential,
        credential_label=_access_label(credential),
        password_history=password_history,
        reason=reason,
        ip=origin.ip,
        method=origin.method[:10],
        route=origin.route,
    )


REVEAL_HISTORY_PERMISSION = "credentials.reveal_password_history"


class RevealRefused(PermissionDenied):
    """The user may not see the plaintext of one of the secrets asked for."""


def password_reveal_allowed(*, user, client: Client | None = None, previous: bool = False) -> bool:
    """Whether `user` may see plaintext passwords of `client`'s credentials (of their own
    organization's when `client` is None), or with `previous` its previous passwords.

    The members clients.tenancy.may_reveal allows; previous passwords also need the
    "reveal_password_history" permission.
    """
    if previous and not user.has_perm(REVEAL_HISTORY_PERMISSION):
        return False
    return may_reveal(user, client)


@dataclass(frozen=True)
class RevealedSecrets:
    """Plaintexts revealed to one user, each one recorded as a PasswordAccessEvent.

    `passwords` by credential id (a linked credential's is its collective account's);
    `previous_passwords` by password history entry id. What is not in them is shown masked.
    """

    passwords: Mapping[int, str] = dataclasses.field(default_factory=dict)
    previous_passwords: Mapping[int, str] = dataclasses.field(default_factory=dict)


NOTHING_REVEALED = RevealedSecrets()


@sensitive_variables("passwords", "previous_passwords")
@transaction.atomic
def secrets_reveal(
    *,
    user,
    origin: RequestOrigin,
    reason: AccessReason,
    credentials: Iterable[Credential] = (),
    previous_passwords: Iterable[CredentialPasswordHistory] = (),
) -> RevealedSecrets:
    """The plaintext passwords of `credentials` and of `previous_passwords` for `user`.

    The one place where a stored secret becomes plaintext for a response (API, admin, exports):
    callers render what it returns and nothing else. It checks that `user` may see every one of
    them (RevealRefused, nothing recorded, otherwise) and records each plaintext handed out as
    a PasswordAccessEvent (who, which credential, when, from where, why), in one insert.
    A credential without a password reveals nothing and is not recorded.

    Credentials need client, country, pro and collective_account loaded (select_related), and
    previous passwords their credential, to be checked and labelled without more queries.
    """
    credentials = list(credentials)
    entries = list(previous_passwords)
    for client, previous in [
        *((credential.client, False) for credential in credentials),
        *((entry.credential.client, True) for entry in entries),
    ]:
        if not password_reveal_allowed(user=user, client=client, previous=previous):
            raise RevealRefused("You may not see this password.")
    passwords = {
        credential.pk: credential.effective_password
        for credential in credentials
        if credential.effective_password
    }
    previous_passwords = {entry.pk: entry.password for entry in entries}
    PasswordAccessEvent.objects.bulk_create(
        [
            *(
                _access_event(user=user, credential=credential, reason=reason, origin=origin)
                for credential in credentials
                if credential.pk in passwords
            ),
            *(
                _access_event(
                    user=user,
                    credential=entry.credential,
                    reason=reason,
                    origin=origin,
                    password_history=entry,
                )
                for entry in entries
            ),
        ]
    )
    return RevealedSecrets(passwords=passwords, previous_passwords=previous_passwords)


def encryption_canary_ensure(*, using: str = "default") -> EncryptionCanary | None:
    """The encryption canary, created with the current key if there is none yet.

    Before vouching for the key on a database that already holds secrets, the newest
    credential is decrypted: a wrong key raises SecretDecryptionError here instead of being
    recorded as the right one.
    """
    connection = connections[using]
    if EncryptionCanary._meta.db_table not in connection.introspection.table_names():
        return None
    canary = EncryptionCanary.objects.using(using).order_by("pk").first()
    if canary is not None:
        return canary
    Credential.objects.using(using).only("pk", "password").order_by("-pk").first()
    return EncryptionCanary.objects.using(using).create(value=EncryptionCanary.EXPECTED)


def encryption_key_rotate(*, batch_size: int = 1000, progress=None) -> dict[str, int]:
    """Re-encrypt every stored secret with the newest FIELD_ENCRYPTION_KEY.

    Reading decrypts with any configured key, saving encrypts with the first one. Each batch is
    its own transaction with its rows locked, so an interrupted run can simply be run again.
    Returns the number of values re-encrypted per `app.Model.field`; `progress(label, count)`
    is called after each batch.
    """
    counts: dict[str, int] = {}
    for model, field in ENCRYPTED_FIELDS:
        label = f"{model._meta.label}.{field}"
        counts[label] = 0
        last_pk = 0
        while True:
            with transaction.atomic():
                batch = list(
                    model.objects.select_for_update()
                    .filter(pk__gt=last_pk)
                    .order_by("pk")
                    .only("pk", field)[:batch_size]
                )
                if not batch:
                    break
                model.objects.bulk_update(batch, [field])
            counts[label] += len(batch)
            last_pk = batch[-1].pk
            if progress is not None:
                progress(label, counts[label])
    return counts
