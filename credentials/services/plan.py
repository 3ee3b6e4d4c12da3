"""A credential checked against the catalog and the rules before it is written: catalog entries,
one credential per client, country, PRO and report type, collective-account links."""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.views.decorators.debug import sensitive_variables

from clients.models import Client
from credentials.models import Credential, CredentialReportType
from credentials.services.validation import (
    UNSET,
    Unset,
    _check_plain_input,
    _refuse_own_secrets_when_linked,
)
from reporting.models import Country, Pro, ReportType
from reporting.selectors import Catalog, CatalogLookupError


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


def _planned_catalog_entries(
    *, credential: Credential | None, current: list[ReportType], country, pro, report_types
) -> tuple[Country, Pro, list[ReportType]]:
    """The catalog entries of the values given; UNSET keeps the credential's own."""
    unchanged_catalog_entries = all(value is UNSET for value in (country, pro, report_types))
    if credential is not None and unchanged_catalog_entries:
        return credential.country, credential.pro, current
    return _catalog_entries(
        catalog=Catalog.load(),
        country=credential.country.code if country is UNSET else country,
        pro=credential.pro.name if pro is UNSET else pro,
        report_types=[rt.code for rt in current] if report_types is UNSET else report_types,
    )


@sensitive_variables("login", "password")
def _planned_collective(
    *,
    client: Client,
    credential: Credential | None,
    collective_account_id,
    country: Country,
    pro: Pro,
    login,
    password,
) -> Credential | None:
    """The collective account linked after the change (UNSET keeps the current link)."""
    if collective_account_id is UNSET:
        collective_account_id = credential.collective_account_id if credential else None
    collective = _collective_account(
        client=client,
        collective_account_id=collective_account_id,
        country=country,
        pro=pro,
    )
    if collective is not None:
        _refuse_own_secrets_when_linked(login=login, password=password, collective=collective)
    return collective


def _refuse_overlap_of_plan(*, client: Client, credential: Credential | None, plan: _Plan) -> None:
    """Check the one-credential-per-report-type rule when the plan could break it: a new
    credential, one moved to another country or PRO, or one given more report types."""
    relocated = credential is not None and (
        plan.country.pk != credential.country_id or plan.pro.pk != credential.pro_id
    )
    if credential is None or relocated or plan.added_report_types:
        _refuse_overlap(
            client=client,
            country=plan.country,
            pro=plan.pro,
            report_types=plan.report_types,
            exclude_credential_id=credential.pk if credential else None,
        )


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
    country_obj, pro_obj, report_type_objs = _planned_catalog_entries(
        credential=credential,
        current=current,
        country=country,
        pro=pro,
        report_types=report_types,
    )
    if credential is not None and client.collective_account:
        _refuse_moving_a_collective_with_links(
            credential=credential, country=country_obj, pro=pro_obj
        )
    collective = _planned_collective(
        client=client,
        credential=credential,
        collective_account_id=collective_account_id,
        country=country_obj,
        pro=pro_obj,
        login=login,
        password=password,
    )
    plan = _Plan(
        country=country_obj,
        pro=pro_obj,
        report_types=report_type_objs,
        current_report_types=current,
        collective=collective,
    )
    _refuse_overlap_of_plan(client=client, credential=credential, plan=plan)
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
