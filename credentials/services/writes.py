"""Writes of credentials: create, update and delete one, and the set-based write of many (CSV
import), keeping report_type_codes, the report type links and the password history in step."""

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from clients.models import Client
from config.bulk_copy import (
    CHANGED,
    CREATED,
    history_rows_insert,
    rows_insert,
    rows_update,
    values_insert,
)
from credentials.models import (
    Credential,
    CredentialPasswordHistory,
    CredentialReportType,
    CredentialStatus,
)
from credentials.services.plan import _overlap_error, _Plan, _plan
from credentials.services.validation import UNSET, Unset, _clean_fields
from reporting.models import ReportType


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


@sensitive_variables("login", "password", "previous_password")
def _assign_login(*, credential: Credential, plan: _Plan, login, password, previous_password):
    """Set the credential's login and return its new password: none when the plan links it to
    a collective account, otherwise the given ones (UNSET keeps the login or password)."""
    if plan.collective is not None:
        credential.login = ""
        return ""
    if login is not UNSET:
        credential.login = login or ""
    return previous_password if password is UNSET else (password or "")


def _assign_plan(*, credential: Credential, plan: _Plan) -> None:
    credential.country = plan.country
    credential.pro = plan.pro
    credential.report_type_codes = ",".join(rt.code for rt in plan.report_types)
    credential.collective_account = plan.collective


def _assign_given_fields(
    *, credential: Credential, registration_number, notes, status, interval, extra_info
) -> None:
    """Set the plain fields that were given; UNSET keeps a field as it is."""
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


@sensitive_variables("previous_password", "new_password")
def _save_keeping_password_history(
    *, credential: Credential, previous_password: str, new_password: str, user
) -> None:
    """Save the credential; a replaced password goes into the password history first."""
    password_changed = new_password != previous_password
    if password_changed and previous_password:
        CredentialPasswordHistory.objects.create(
            credential=credential, password=previous_password, changed_by=user
        )
    credential._history_user = user
    if password_changed:
        credential._change_reason = "Password changed"
    credential.save()


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
    new_password = _assign_login(
        credential=credential,
        plan=plan,
        login=login,
        password=password,
        previous_password=previous_password,
    )
    relocate = plan.country.pk != credential.country_id or plan.pro.pk != credential.pro_id
    _assign_plan(credential=credential, plan=plan)
    credential.password = new_password
    _assign_given_fields(
        credential=credential,
        registration_number=registration_number,
        notes=notes,
        status=status,
        interval=interval,
        extra_info=extra_info,
    )
    _clean_fields(credential)
    _save_keeping_password_history(
        credential=credential,
        previous_password=previous_password,
        new_password=new_password,
        user=user,
    )
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


def _split_writes(
    writes: list[CredentialWrite], *, now
) -> tuple[list[Credential], list[CredentialWrite]]:
    """The new credentials and the changed ones' writes, each with its report_type_codes set
    (and a changed one with `updated_at` = `now`)."""
    creates, updates = [], []
    for write in writes:
        credential = write.credential
        credential.report_type_codes = ",".join(rt.code for rt in write.report_types)
        if credential.pk is None:
            creates.append(credential)
        else:
            credential.updated_at = now
            updates.append(write)
    return creates, updates


def _credential_rows_write(*, creates: list[Credential], updates: list[CredentialWrite]) -> None:
    """Insert the new credentials; update the changed ones' changed fields in one statement."""
    rows_insert(Credential, creates)
    if updates:
        fields = {"report_type_codes", "updated_at"}
        for write in updates:
            fields.update(write.changed_fields)
        rows_update(Credential, [write.credential for write in updates], sorted(fields))


def _history_rows_write(
    *, creates: list[Credential], updates: list[CredentialWrite], user, change_reason: str, now
) -> None:
    """A history row per credential: `change_reason`, or "Password changed" for a change of
    the password."""
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


def _password_history_rows_write(*, updates: list[CredentialWrite], user, now) -> None:
    """Keep each replaced password in the password history with who replaced it."""
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
    creates, updates = _split_writes(writes, now=now)
    try:
        with transaction.atomic():
            _credential_rows_write(creates=creates, updates=updates)
            _history_rows_write(
                creates=creates, updates=updates, user=user, change_reason=change_reason, now=now
            )
            _password_history_rows_write(updates=updates, user=user, now=now)
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
