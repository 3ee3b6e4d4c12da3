"""Admin for credentials: masked passwords with a logged reveal, previous passwords, collective
accounts with their linked clients, credentials on the client page, and the access log."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import DateFieldListFilter, RelatedOnlyFieldListFilter
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html, format_html_join
from django.views.decorators.debug import sensitive_post_parameters
from import_export.admin import ExportMixin, ImportExportMixin
from import_export.formats import base_formats
from import_export.forms import ExportForm
from simple_history.admin import SimpleHistoryAdmin

from clients.client_page import ClientPageSection
from clients.selectors import MissingCredential
from clients.tenancy import (
    OrganizationScopedAdminMixin,
    OrganizationScopedHistoryAdminMixin,
    is_organization_admin,
    membership_for_user,
    organization_for_user,
)
from credentials.attention import needs_attention
from credentials.client_import.jobs import import_job_resume
from credentials.import_admin import ClientImportAdminMixin, PendingImportAdminMixin
from credentials.models import (
    MASK,
    AccessReason,
    ClientImport,
    CollectiveAccount,
    Credential,
    CredentialPasswordHistory,
    ImportJob,
    PasswordAccessEvent,
)
from credentials.resources import ClientFile, ClientResource, PasswordAccessEventResource
from credentials.selectors import credentials_with_relations, missing_credentials
from credentials.services import (
    UNSET,
    credential_create,
    credential_delete,
    credential_update,
    credential_validate,
    password_reveal_allowed,
    request_origin,
    secrets_reveal,
)
from reporting.models import Country, Pro, ReportType


def may_reveal_passwords(request) -> bool:
    """Whether to offer reveal buttons (the admin lists the organization's own credentials)."""
    return password_reveal_allowed(user=request.user)


def may_reveal_previous_passwords(request) -> bool:
    return password_reveal_allowed(user=request.user, previous=True)


def _reveal_link(url: str):
    return format_html('{} <a class="button" href="{}">Reveal</a>', MASK, url)


class ReadOnlyAdminMixin:
    """Rows the admin shows and never adds, changes or deletes (records, history)."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ProListFilter(admin.RelatedFieldListFilter):
    """The PROs the listed credentials use, labelled with their country in one query."""

    def field_choices(self, field, request, model_admin):
        used = model_admin.get_queryset(request).values("pro")
        return [
            (pro.pk, str(pro)) for pro in Pro.objects.filter(pk__in=used).select_related("country")
        ]


class NeedsAttentionListFilter(admin.SimpleListFilter):
    """Invalid or pending credentials and passwords older than the PRO accepts
    (credentials/attention.py)."""

    title = "needs attention"
    parameter_name = "attention"

    def lookups(self, request, model_admin):
        return [("yes", "Needs attention")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return needs_attention(queryset, timezone.now())
        return queryset


class CredentialAdminForm(forms.ModelForm):
    """Edits go through credentials.services; the stored password is never put in the page."""

    report_type_choices = forms.ModelMultipleChoiceField(
        label="Report types",
        queryset=ReportType.objects.all(),
        widget=forms.CheckboxSelectMultiple,
    )
    new_password = forms.CharField(
        label="Password",
        required=False,
        strip=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Leave blank to keep the current password. It is stored encrypted.",
    )
    clear_password = forms.BooleanField(label="Remove the password", required=False)

    # Service field names → the form fields that carry them.
    FORM_FIELDS = {
        "report_types": "report_type_choices",
        "report_type": "report_type_choices",
        "password": "new_password",
        "collective_account_id": "collective_account",
    }

    class Meta:
        model = Credential
        fields = [
            "client",
            "country",
            "pro",
            "status",
            "interval",
            "collective_account",
            "login",
            "registration_number",
            "notes",
            "extra_info",
        ]
        help_texts = {
            "login": "Leave empty when the credential reads it from a collective account.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "report_type_choices" in self.fields:
            self.fields["report_type_choices"].initial = list(
                ReportType.objects.filter(code__in=self.instance.report_type_list)
            )

    def password_argument(self):
        if self.cleaned_data.get("clear_password"):
            return ""
        return self.cleaned_data.get("new_password") or UNSET

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        arguments = {
            "country": data["country"].code,
            "pro": data["pro"].name,
            "report_types": [rt.code for rt in data["report_type_choices"]],
            "login": data.get("login") or "",
            "registration_number": data.get("registration_number") or "",
            "status": data["status"],
            "notes": data.get("notes") or "",
            "interval": data.get("interval") or None,
            "extra_info": data.get("extra_info"),
            "collective_account_id": (
                data["collective_account"].pk if data.get("collective_account") else None
            ),
        }
        password = self.password_argument()
        if password is not UNSET:
            arguments["password"] = password
        return arguments

    def clean(self):
        cleaned = super().clean()
        client = cleaned.get("client") or (self.instance.client if self.instance.pk else None)
        required = ("country", "pro", "report_type_choices", "status")
        if self.errors or client is None or any(not cleaned.get(name) for name in required):
            return cleaned
        arguments = self.service_arguments()
        try:
            credential_validate(
                client=client,
                credential=self.instance if self.instance.pk else None,
                country=arguments["country"],
                pro=arguments["pro"],
                report_types=arguments["report_types"],
                login=arguments["login"],
                password=arguments.get("password", UNSET),
                extra_info=arguments["extra_info"],
                collective_account_id=arguments["collective_account_id"],
                registration_number=arguments["registration_number"],
                notes=arguments["notes"],
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                name = self.FORM_FIELDS.get(field, field)
                self.add_error(name if name in self.fields else None, messages)
        return cleaned


class PasswordHistoryInline(ReadOnlyAdminMixin, OrganizationScopedAdminMixin, admin.TabularInline):
    """Previous passwords: who replaced them and when, masked; revealing one is logged."""

    model = CredentialPasswordHistory
    organization_path = "credential__client__organization"
    extra = 0
    can_delete = False

    def get_fields(self, request, obj=None):
        fields = ["changed_at", "changed_by", "masked_password"]
        return [*fields, "reveal"] if may_reveal_previous_passwords(request) else fields

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by")

    @admin.display(description="password")
    def masked_password(self, entry: CredentialPasswordHistory) -> str:
        return MASK

    @admin.display(description="")
    def reveal(self, entry: CredentialPasswordHistory):
        url = reverse(
            "admin:credentials_credential_reveal_previous",
            args=[entry.credential_id, entry.pk],
        )
        return format_html('<a class="button" href="{}">Reveal</a>', url)


class ReadOnlyCredentialInline(
    ReadOnlyAdminMixin, OrganizationScopedAdminMixin, admin.TabularInline
):
    model = Credential
    organization_path = "client__organization"
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("client", "country", "pro__country", "collective_account")
        )


@admin.register(Credential)
class CredentialAdmin(OrganizationScopedHistoryAdminMixin, SimpleHistoryAdmin):
    organization_path = "client__organization"
    form = CredentialAdminForm
    list_display = [
        "client",
        "country",
        "pro",
        "report_type_codes",
        "shown_login",
        "masked_password",
        "status",
        "interval",
    ]
    list_filter = [
        NeedsAttentionListFilter,
        "country",
        ("pro", ProListFilter),
        "report_types",
        "status",
        "interval",
    ]
    search_fields = ["client__name", "login", "registration_number", "pro__name"]
    list_select_related = ["client", "country", "pro__country", "collective_account"]
    # Searched as you type: a select would render every collective account of the
    # organization (thousands) on each credential form.
    autocomplete_fields = ["client", "collective_account"]
    readonly_fields = ["password_state", "created_at", "updated_at"]
    inlines = [PasswordHistoryInline]
    list_per_page = 50
    # Newest first, read along the primary key: the model's ordering (country code, PRO name)
    # sorts every credential of the organization for each page.
    ordering = ["-pk"]
    # The page count is enough: a second count of every credential would cost as much again.
    show_full_result_count = False
    reveal_template = "admin/credentials/reveal_password.html"

    def get_fieldsets(self, request, obj=None):
        login = ["collective_account", "login"]
        if obj is not None:
            login.append("password_state")
        if self.has_change_permission(request, obj):
            login += ["new_password", "clear_password"] if obj else ["new_password"]
        login.append("registration_number")
        return [
            (None, {"fields": ["client", "country", "pro", "report_type_choices", "status"]}),
            ("Login", {"fields": login}),
            ("More", {"fields": ["interval", "notes", "extra_info", "created_at", "updated_at"]}),
        ]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def _is_id_of(self, field_name: str, value) -> bool:
        try:
            self.opts.get_field(field_name).target_field.to_python(value)
        except ValidationError:
            return False
        return True

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if request.GET.get("field_name") == "collective_account":
            # The credential form's collective account: only collective accounts are offered.
            queryset = queryset.filter(client__collective_account=True)
        return queryset, may_have_duplicates

    def get_changeform_initial_data(self, request):
        """The add form pre-filled from the query string, as the admin does for model fields
        (`?client=1&country=…&pro=…&report_types=…,…`, ids), report types included. A value
        that is not an id is left out rather than failing the page."""
        initial = super().get_changeform_initial_data(request)
        for name in ("client", "country", "pro", "collective_account"):
            if name in initial and not self._is_id_of(name, initial[name]):
                del initial[name]
        ids = [
            pk
            for pk in initial.pop("report_types", None) or []
            if self._is_id_of("report_types", pk)
        ]
        if ids:
            initial["report_type_choices"] = ids
        return initial

    def get_readonly_fields(self, request, obj=None):
        readonly = list(self.readonly_fields)
        # Moving a credential to another client is not an edit: delete it and create a new one.
        return [*readonly, "client"] if obj is not None else readonly

    def get_list_display(self, request):
        if not may_reveal_passwords(request):
            return self.list_display
        return [
            "password_with_reveal" if name == "masked_password" else name
            for name in self.list_display
        ]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "collective_account":
            # Labels only: thousands of choices, none of whose passwords is to be decrypted.
            queryset = (
                Credential.objects.filter(client__collective_account=True)
                .select_related("client", "country", "pro")
                .only("client__name", "country__code", "pro__name")
            )
            if not request.user.is_superuser:
                queryset = queryset.of(organization_for_user(request.user))
            kwargs["queryset"] = queryset
        elif db_field.name == "pro":
            kwargs["queryset"] = Pro.objects.select_related("country")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        # The catalog is edited by superusers on its own pages, credentials on theirs.
        for name in ("country", "pro", "collective_account"):
            widget = form.base_fields[name].widget if name in form.base_fields else None
            if widget is not None:
                widget.can_add_related = widget.can_change_related = False
                widget.can_delete_related = widget.can_view_related = False
        return form

    @method_decorator(sensitive_post_parameters("new_password"))
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        arguments = form.service_arguments()
        if change:
            saved = credential_update(credential=obj, user=request.user, **arguments)
        else:
            saved = credential_create(
                client=form.cleaned_data["client"], user=request.user, **arguments
            )
        obj.pk = saved.pk
        obj._state.adding = False

    def delete_model(self, request, obj):
        credential_delete(credential=obj, user=request.user)

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        for credential in queryset.select_related("client", "country", "pro"):
            credential_delete(credential=credential, user=request.user)

    def save_related(self, request, form, formsets, change):
        # The report types were written by the service: no form.save_m2m().
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<int:object_id>/reveal/",
                self.admin_site.admin_view(self.reveal_view),
                name="{}_{}_reveal".format(*info),
            ),
            path(
                "<int:object_id>/previous-passwords/<int:entry_id>/reveal/",
                self.admin_site.admin_view(self.reveal_previous_view),
                name="{}_{}_reveal_previous".format(*info),
            ),
            *super().get_urls(),
        ]

    def _credential_or_404(self, request, object_id) -> Credential:
        credential = self.get_object(request, str(object_id))
        if credential is None:
            raise Http404
        return credential

    def _reveal_page(self, request, credential: Credential, subject: str, reveal):
        """GET asks to confirm; POST reveals once through `reveal(origin)` (which records the
        access) and shows it. admin_view marks the page never to be cached."""
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": credential,
            "title": f"Reveal {subject}",
            "subject": subject,
            "password": None,
        }
        if request.method == "POST":
            context["password"] = reveal(origin=request_origin(request))
        return TemplateResponse(request, self.reveal_template, context)

    def reveal_view(self, request, object_id):
        credential = self._credential_or_404(request, object_id)
        if not may_reveal_passwords(request):
            raise PermissionDenied
        return self._reveal_page(
            request,
            credential,
            f"the password of {credential}",
            lambda origin: secrets_reveal(
                user=request.user,
                credentials=[credential],
                origin=origin,
                reason=AccessReason.ADMIN_REVEAL,
            ).passwords.get(credential.pk, ""),
        )

    def reveal_previous_view(self, request, object_id, entry_id):
        credential = self._credential_or_404(request, object_id)
        if not may_reveal_previous_passwords(request):
            raise PermissionDenied
        entry = get_object_or_404(
            CredentialPasswordHistory.objects.select_related("changed_by"),
            pk=entry_id,
            credential=credential,
        )
        entry.credential = credential
        by = f" by {entry.changed_by}" if entry.changed_by else ""
        return self._reveal_page(
            request,
            credential,
            f"the password of {credential} replaced on {entry.changed_at:%Y-%m-%d %H:%M}{by}",
            lambda origin: secrets_reveal(
                user=request.user,
                previous_passwords=[entry],
                origin=origin,
                reason=AccessReason.HISTORY_REVEAL,
            ).previous_passwords[entry.pk],
        )

    @admin.display(description="login")
    def shown_login(self, credential: Credential) -> str:
        if credential.is_linked:
            return f"{credential.effective_login} (collective)"
        return credential.login

    @admin.display(description="password")
    def masked_password(self, credential: Credential) -> str:
        return MASK if credential.has_password else "—"

    @admin.display(description="password")
    def password_with_reveal(self, credential: Credential):
        if not credential.has_password:
            return "—"
        return _reveal_link(reverse("admin:credentials_credential_reveal", args=[credential.pk]))

    @admin.display(description="current password")
    def password_state(self, credential: Credential):
        if credential.is_linked:
            collective = reverse(
                "admin:credentials_credential_change", args=[credential.collective_account_id]
            )
            return format_html(
                'Read from <a href="{}">collective account {}</a>.',
                collective,
                credential.collective_account_id,
            )
        return self.password_with_reveal(credential) if credential.has_password else "Not set."


class LinkedCredentialInline(ReadOnlyCredentialInline):
    """The clients whose credentials read their login and password from a collective account."""

    fk_name = "collective_account"
    fields = ["client", "report_type_codes", "registration_number", "status"]
    readonly_fields = fields
    verbose_name = "linked client"
    verbose_name_plural = "linked clients"


@admin.register(CollectiveAccount)
class CollectiveAccountAdmin(ReadOnlyAdminMixin, OrganizationScopedAdminMixin, admin.ModelAdmin):
    """Collective accounts and the clients linked to each; edited as credentials."""

    organization_path = "client__organization"
    list_display = [
        "client",
        "country",
        "pro",
        "report_type_codes",
        "login",
        "linked_clients",
        "edit",
    ]
    list_filter = ["country", ("pro", ProListFilter)]
    search_fields = ["client__name", "login", "pro__name", "linked_credentials__client__name"]
    list_select_related = ["client", "country", "pro__country"]
    fields = ["client", "country", "pro", "report_type_codes", "login", "registration_number"]
    readonly_fields = fields
    inlines = [LinkedCredentialInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .filter(client__collective_account=True)
            .annotate(linked_count=Count("linked_credentials"))
        )

    @admin.display(description="linked clients", ordering="linked_count")
    def linked_clients(self, account) -> int:
        return account.linked_count

    @admin.display(description="")
    def edit(self, account):
        url = reverse("admin:credentials_credential_change", args=[account.pk])
        return format_html('<a href="{}">Edit credential</a>', url)


@admin.register(PasswordAccessEvent)
class PasswordAccessEventAdmin(OrganizationScopedAdminMixin, ExportMixin, admin.ModelAdmin):
    """Every plaintext password that left the server. Read-only; exportable; admins only."""

    resource_classes = [PasswordAccessEventResource]
    export_form_class = ExportForm
    list_display = ["at", "username", "client", "credential_label", "reason", "ip", "route"]
    list_filter = [
        ("at", DateFieldListFilter),
        "reason",
        ("user", RelatedOnlyFieldListFilter),
        ("client", RelatedOnlyFieldListFilter),
    ]
    date_hierarchy = "at"
    search_fields = ["username", "credential_label", "client__name", "ip", "route"]
    list_select_related = ["client"]
    list_per_page = 100

    def _member_may(self, request, write: bool) -> bool:
        if write:
            return False
        return request.user.is_superuser or is_organization_admin(request.user)

    def has_export_permission(self, request):
        return self.has_view_permission(request)

    def get_export_queryset(self, request):
        return super().get_export_queryset(request).select_related("organization", "client")


@dataclass(frozen=True)
class CatalogIds:
    countries: dict[str, int]
    pros: dict[tuple[str, str], int]
    report_types: dict[str, int]


def _catalog_ids(missing: list[MissingCredential]) -> CatalogIds:
    """The catalog ids of the missing rows' country, PRO and report type codes, which the
    credential add form takes as its initial values; no query when nothing is missing."""
    if not missing:
        return CatalogIds(countries={}, pros={}, report_types={})
    codes = {row.country for row in missing}
    return CatalogIds(
        countries=dict(Country.objects.filter(code__in=codes).values_list("code", "pk")),
        pros={
            (country, name): pk
            for country, name, pk in Pro.objects.filter(
                country__code__in=codes, name__in={row.pro for row in missing if row.pro}
            ).values_list("country__code", "name", "pk")
        },
        report_types=dict(
            ReportType.objects.filter(code__in={row.report_type for row in missing}).values_list(
                "code", "pk"
            )
        ),
    )


class ClientCredentialsAdminMixin(
    PendingImportAdminMixin, ClientImportAdminMixin, ImportExportMixin
):
    """What this app adds to the client admin (clients.admin.client_admin_extensions): the
    client's credentials and missing credentials by country on its page, CSV/XLSX import
    (upload, mapping, preview, confirm, rejected rows: credentials.import_admin) and CSV/XLSX
    export of the clients listed."""

    resource_classes = [ClientResource]
    export_form_class = ExportForm
    import_formats = [ClientFile]
    export_formats = [base_formats.CSV, base_formats.XLSX]
    # Each import is recorded as a ClientImport and every change is in the history.
    skip_admin_log = True

    def client_page_sections(self, request, client) -> list[ClientPageSection]:
        """The client's credentials by country, each country's missing credentials (the
        obligations no credential covers, as the credentials search's showMissing lists them)
        with a link to add one, in a few queries whatever their number."""
        credentials = credentials_with_relations(Credential.objects.filter(client=client))
        missing = missing_credentials(client=client)
        countries: dict[str, dict] = {}
        for credential in credentials.order_by("country__code", "pro__name", "id"):
            country = credential.country
            group = countries.setdefault(
                country.code, {"code": country.code, "name": country.name_en, "missing": []}
            )
            group.setdefault("credentials", []).append(credential)
        add_url = reverse("admin:credentials_credential_add")
        links = _catalog_ids(missing)
        for row in missing:
            group = countries.setdefault(
                row.country, {"code": row.country, "name": row.country_name, "missing": []}
            )
            initial = {
                "client": client.pk,
                "country": links.countries.get(row.country),
                "pro": links.pros.get((row.country, row.pro)),
                "report_types": links.report_types.get(row.report_type),
            }
            query = urlencode({key: value for key, value in initial.items() if value})
            group["missing"].append({"row": row, "add_url": f"{add_url}?{query}"})
        may_add = self.admin_site.get_model_admin(Credential).has_add_permission(request)
        return [
            *super().client_page_sections(request, client),
            ClientPageSection(
                template="admin/credentials/client/credentials_section.html",
                order=20,
                context={
                    "countries": [countries[code] for code in sorted(countries)],
                    "credential_count": sum(
                        len(group.get("credentials", ())) for group in countries.values()
                    ),
                    "missing_count": len(missing),
                    "add_url": f"{add_url}?{urlencode({'client': client.pk})}" if may_add else None,
                    "may_add": may_add,
                    "may_reveal": may_reveal_passwords(request),
                },
            ),
        ]

    def has_import_permission(self, request) -> bool:
        membership = membership_for_user(request.user)
        return membership is not None and membership.can_write

    def has_export_permission(self, request) -> bool:
        return self.has_view_permission(request)

    def get_export_queryset(self, request):
        return super().get_export_queryset(request).prefetch_related("aliases")


@admin.register(ClientImport)
class ClientImportAdmin(ReadOnlyAdminMixin, OrganizationScopedAdminMixin, admin.ModelAdmin):
    """Every executed bulk upload (API, admin, command): who, when, which file, what it did."""

    list_display = [
        "created_at",
        "username",
        "source",
        "file_name",
        "shown_file_ids",
        "rows",
        "created",
        "updated",
        "errors",
        "warnings",
        "applied",
    ]
    list_filter = ["source", "applied", ("created_at", DateFieldListFilter)]
    search_fields = ["username", "file_name"]
    date_hierarchy = "created_at"
    fields = [
        "created_at",
        "username",
        "source",
        "job_progress",
        "file_name",
        "shown_file_ids",
        "mapping",
        "atomic",
        "applied",
        "rows",
        "valid_rows",
        "created",
        "updated",
        "errors",
        "warnings",
        "duration_ms",
        "error_table",
    ]
    readonly_fields = fields
    list_per_page = 50
    actions = ["resume_jobs"]
    # The record page of a job still running reloads itself this often (seconds).
    JOB_REFRESH_SECONDS = 5

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("job")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = (
            ImportJob.objects.filter(
                client_import__in=self.get_queryset(request), pk=object_id
            ).first()
            if str(object_id).isdigit()
            else None
        )
        running = job is not None and job.state in (ImportJob.State.QUEUED, ImportJob.State.RUNNING)
        extra_context = {
            **(extra_context or {}),
            "refresh_seconds": running and self.JOB_REFRESH_SECONDS,
        }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="background job")
    def job_progress(self, record: ClientImport):
        job = getattr(record, "job", None)
        if job is None:
            return "— (run at once)"
        text = f"{job.get_state_display()}: {job.rows_done:,} of {job.rows_total:,} rows"
        return format_html(
            '<progress value="{}" max="{}"></progress> {}{}',
            job.rows_done,
            job.rows_total,
            text,
            f" — {job.error}" if job.error else "",
        )

    @admin.action(description="Resume the selected failed background jobs")
    def resume_jobs(self, request, queryset):
        if not self._member_may(request, write=True):
            raise PermissionDenied
        resumed = sum(
            import_job_resume(job)
            for job in ImportJob.objects.filter(
                client_import__in=queryset, state=ImportJob.State.FAILED
            )
        )
        self.message_user(request, f"{resumed} job(s) queued again.", messages.SUCCESS)

    @admin.display(description="file ids")
    def shown_file_ids(self, record: ClientImport) -> str:
        return ", ".join(record.file_ids)

    @admin.display(description="row errors")
    def error_table(self, record: ClientImport):
        if not record.row_errors:
            return "—"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (error["row"], error["field"] or "(row)", error["message"])
                for error in record.row_errors
            ),
        )
        return format_html(
            "<table><thead><tr><th>row</th><th>field</th><th>message</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            rows,
        )


# The compliance calendar's admin pages register with this app's.
from credentials.calendar import admin as calendar_admin  # noqa: E402, F401
