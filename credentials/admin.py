"""Admin for credentials: masked passwords with a logged reveal, previous passwords, collective
accounts with their linked clients, credentials on the client page, and the access log."""

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import DateFieldListFilter, RelatedOnlyFieldListFilter
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
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
from credentials.calendar.selectors import DeadlineFilter, deadline_page, organization_today
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


REVEAL_CONTROL_TEMPLATE = "admin/credentials/_reveal_control.html"


def reveal_control(credential: Credential) -> str:
    """The masked password with its in-place reveal (templates/admin/credentials/
    _reveal_control.html), for the admin columns shown only to users who may reveal the
    organization's passwords (the page's CSRF token is read by the control's script)."""
    return render_to_string(
        REVEAL_CONTROL_TEMPLATE, {"credential": credential, "reveal_allowed": True}
    )


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


class ExtraInfoField(forms.JSONField):
    """extra_info typed as a JSON object: empty when there is none (not "null"), and a bad
    value answered in words."""

    default_error_messages = {
        "invalid": (
            "This is not valid JSON. Write an object in braces with quoted names, e.g. "
            '{"portal_url": "https://example.com", "customer_no": "4711"}, or leave it empty.'
        ),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            'More fields of the portal login as a JSON object, e.g. {"customer_no": "4711"}. '
            "Leave empty when there are none.",
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if value is None:
            return ""
        return super().prepare_value(value)


COLLECTIVE_ACCOUNT_HELP = (
    "Choose the collective account this credential shares its login with (same country and "
    "PRO): its login and password are then read from the collective account, so leave Login "
    "and Password empty here. Choose the empty line to give this credential its own login."
)


class CredentialAdminForm(forms.ModelForm):
    """Edits go through credentials.services; the stored password is never put in the page.

    A password typed into a form that comes back with errors is put back into its box (the
    typed value only, never the stored one), so that saving again does not drop it."""

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
    extra_info = ExtraInfoField(label="Extra info")
    # The credentials that read their password from this one (set by the admin).
    linked_clients = 0

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
            "collective_account": COLLECTIVE_ACCOUNT_HELP,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "report_type_choices" in self.fields:
            self.fields["report_type_choices"].initial = list(
                ReportType.objects.filter(code__in=self.instance.report_type_list)
            )
        self._follow_the_catalog()
        if self.linked_clients and "new_password" in self.fields:
            self.fields["new_password"].help_text = (
                "Warning: this is a collective account. A new password here is the password "
                f"of the {self.linked_clients} linked client(s) listed below as well. Leave "
                "blank to keep the current password."
            )

    def _chosen(self, name: str):
        """The pk chosen for `name`: the submitted one, else the credential's, else the add
        form's starting value (a missing credential's "Add credential" link)."""
        if self.is_bound:
            return self.data.get(self.add_prefix(name)) or None
        return getattr(self.instance, f"{name}_id", None) or self.initial.get(name)

    def _follow_the_catalog(self) -> None:
        """The PRO choices shown are the chosen country's, the report types the chosen PRO's;
        the page's script (credentials/credential_form.js) keeps them in step as the user
        picks. The fields still take any catalog value, so that a combination the catalog does
        not offer gets the services' message, which names the valid choices."""
        if "pro" in self.fields:
            country = catalog_pk(Country, self._chosen("country"))
            pros = Pro.objects.filter(country_id=country).order_by("name") if country else []
            _show_choices(self.fields["pro"], [("", "---------")], pros, lambda p: p.name)
        if "report_type_choices" in self.fields:
            pro = catalog_pk(Pro, self._chosen("pro"))
            field = self.fields["report_type_choices"]
            offered = ReportType.objects.filter(pros=pro) if pro else []
            _show_choices(field, [], offered, str)
            field.help_text = (
                "The report types the chosen PRO takes." if pro else "Choose a PRO first."
            )

    def full_clean(self):
        super().full_clean()
        if self.is_bound and self.errors and "new_password" in self.fields:
            # The re-rendered page keeps what the user typed (the submitted value, never the
            # stored password), so that the next save does not silently drop it.
            self.fields["new_password"].widget.render_value = True

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
        """The services' rules are checked even when another field has an error, so that one
        submit shows every error at once; a field that failed its own check is left out."""
        cleaned = super().clean()
        client = cleaned.get("client") or (self.instance.client if self.instance.pk else None)
        required = ("country", "pro", "report_type_choices", "status")
        if client is None or any(not cleaned.get(name) for name in required):
            return cleaned
        arguments = self.service_arguments()
        failed = {self.FORM_FIELDS.get(name, name) for name in self.errors}
        checked = {
            name: value
            for name, value in arguments.items()
            if self.FORM_FIELDS.get(name, name) not in failed
        }
        try:
            credential_validate(
                client=client,
                credential=self.instance if self.instance.pk else None,
                **{name: checked.get(name, UNSET) for name in SERVICE_CHECKED},
            )
        except ValidationError as exc:
            collective = cleaned.get("collective_account")
            for field, messages_ in exc.message_dict.items():
                name = self.FORM_FIELDS.get(field, field)
                if field in ("login", "password") and collective is not None:
                    messages_ = [linked_secret_message(field, collective)]
                self.add_error(name if name in self.fields else None, messages_)
        return cleaned


# The arguments credential_validate checks.
SERVICE_CHECKED = (
    "country",
    "pro",
    "report_types",
    "login",
    "password",
    "extra_info",
    "collective_account_id",
    "registration_number",
    "notes",
)


def linked_secret_message(field: str, collective: Credential) -> str:
    return (
        f"This credential reads its {field} from the collective account {collective}. To give "
        f"it its own {field}, set Collective account to the empty line and save the login and "
        "password together."
    )


def _show_choices(field, first, rows, label) -> None:
    widget = getattr(field.widget, "widget", field.widget)
    widget.choices = [*first, *((str(row.pk), label(row)) for row in rows)]


def catalog_pk(model, value):
    """`value` as a primary key of the catalog `model`, or None when it is not one."""
    if value in (None, ""):
        return None
    try:
        return model._meta.pk.to_python(value)
    except ValidationError:
        return None


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
    readonly_fields = ["password_state", "masked_password_state", "created_at", "updated_at"]
    inlines = [PasswordHistoryInline]
    list_per_page = 50
    # Newest first, read along the primary key: the model's ordering (country code, PRO name)
    # sorts every credential of the organization for each page.
    ordering = ["-pk"]
    # The page count is enough: a second count of every credential would cost as much again.
    show_full_result_count = False
    reveal_template = "admin/credentials/reveal_password.html"

    class Media:
        js = ["credentials/credential_form.js"]

    def get_fieldsets(self, request, obj=None):
        login = ["collective_account", "login"]
        if obj is not None:
            login.append(
                "password_state" if may_reveal_passwords(request) else "masked_password_state"
            )
        if self.has_change_permission(request, obj):
            login += ["new_password", "clear_password"] if obj else ["new_password"]
        login.append("registration_number")
        return [
            (
                None,
                {
                    "fields": [
                        "client",
                        "country",
                        "pro",
                        "report_type_choices",
                        "status",
                        "interval",
                    ]
                },
            ),
            ("Login", {"fields": login}),
            ("More", {"fields": ["notes", "extra_info", "created_at", "updated_at"]}),
        ]

    def get_inlines(self, request, obj):
        if obj is None:
            return []
        if obj.client.collective_account:
            return [*self.inlines, LinkedCredentialInline]
        return self.inlines

    @staticmethod
    def _linked_count(credential: Credential | None) -> int:
        if credential is None or not credential.client.collective_account:
            return 0
        return credential.linked_credentials.count()

    def _is_id_of(self, field_name: str, value) -> bool:
        try:
            self.opts.get_field(field_name).target_field.to_python(value)
        except ValidationError:
            return False
        return True

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if request.GET.get("field_name") == "collective_account":
            # The credential form's collective account: only collective accounts are offered,
            # each named by its client, country and PRO (read with it, not per result).
            queryset = queryset.filter(client__collective_account=True).select_related(
                "client", "country", "pro"
            )
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
        form.linked_clients = self._linked_count(obj)
        if "country" in form.base_fields:
            select = getattr(form.base_fields["country"].widget, "widget", None)
            select = select or form.base_fields["country"].widget
            select.attrs["data-catalog-url"] = reverse("admin:credentials_credential_catalog")
        return form

    def catalog_view(self, request):
        """The PROs of `?country=<id>` or the report types of `?pro=<id>`, for the credential
        form's dependent choices. Django's autocomplete does not fit: it cannot narrow one
        field by another's value without a forwarding add-on, and the catalog's own admin
        (which an autocomplete would ask) is for superusers only."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        country = catalog_pk(Country, request.GET.get("country"))
        pro = catalog_pk(Pro, request.GET.get("pro"))
        if country:
            pros = Pro.objects.filter(country_id=country).order_by("name")
            return JsonResponse({"pros": [{"id": str(p.pk), "name": p.name} for p in pros]})
        if pro:
            report_types = ReportType.objects.filter(pros=pro).order_by("code")
            return JsonResponse(
                {"report_types": [{"id": str(rt.pk), "name": str(rt)} for rt in report_types]}
            )
        return JsonResponse({"detail": "Give ?country=<id> or ?pro=<id>."}, status=400)

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
        linked = self._linked_count(saved) if change else 0
        if linked and "password" in arguments:
            self.message_user(
                request,
                f"The password of this collective account changed for the {linked} client(s) "
                "linked to it.",
                messages.WARNING,
            )

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
                "catalog/",
                self.admin_site.admin_view(self.catalog_view),
                name="{}_{}_catalog".format(*info),
            ),
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
        """The confirmation page, then the password shown once; a POST asking for JSON (the
        in-place reveal of _reveal_control.html) answers the login and the password instead."""
        credential = self._credential_or_404(request, object_id)
        if not may_reveal_passwords(request):
            raise PermissionDenied

        def reveal(origin) -> str:
            return secrets_reveal(
                user=request.user,
                credentials=[credential],
                origin=origin,
                reason=AccessReason.ADMIN_REVEAL,
            ).passwords.get(credential.pk, "")

        # A browser's form asks for HTML first (and accepts */*): only a JSON-first request
        # gets JSON.
        wants_json = request.get_preferred_type(["text/html", "application/json"])
        if request.method == "POST" and wants_json == "application/json":
            password = reveal(request_origin(request))
            response = JsonResponse({"login": credential.effective_login, "password": password})
            patch_cache_control(response, no_store=True, private=True)
            return response
        return self._reveal_page(request, credential, f"the password of {credential}", reveal)

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
        return reveal_control(credential)

    @admin.display(description="current password")
    def password_state(self, credential: Credential):
        """For users who may reveal: the in-place reveal of the login and password."""
        return self._password_state(credential, self.password_with_reveal)

    @admin.display(description="current password")
    def masked_password_state(self, credential: Credential):
        return self._password_state(credential, self.masked_password)

    @staticmethod
    def _password_state(credential: Credential, shown):
        if credential.is_linked:
            collective = reverse(
                "admin:credentials_credential_change", args=[credential.collective_account_id]
            )
            return format_html(
                'Read from <a href="{}">collective account {}</a>. {}',
                collective,
                credential.collective_account,
                shown(credential),
            )
        return shown(credential) if credential.has_password else "Not set."


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

    # The client's deadlines shown on its page: from a month back (the recent overdue ones) to
    # three months ahead, the first few in due-date order; the Deadlines page has them all.
    DEADLINES_BACK_DAYS = 31
    DEADLINES_AHEAD_DAYS = 92
    DEADLINES_SHOWN = 12

    def _deadlines_section(self, client) -> ClientPageSection:
        organization = client.organization
        today = organization_today(organization)
        page = deadline_page(
            organization,
            DeadlineFilter(
                start=today - timedelta(days=self.DEADLINES_BACK_DAYS),
                end=today + timedelta(days=self.DEADLINES_AHEAD_DAYS),
                client_ids=frozenset({client.pk}),
            ),
            limit=self.DEADLINES_SHOWN,
            today=today,
        )
        return ClientPageSection(
            template="admin/credentials/client/deadlines_section.html",
            order=25,
            context={
                "deadlines": page.deadlines,
                "total": page.total,
                "deadlines_url": reverse("admin:credentials_deadlinecalendar_changelist"),
            },
        )

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
            self._deadlines_section(client),
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

    def init_request_context_data(self, request, form):
        # The export page lists the columns the file has (the resource's visible fields are
        # the ones an import reads).
        context = super().init_request_context_data(request, form)
        kwargs = self.get_export_resource_kwargs(request)
        context["fields_list"] = [
            (resource.get_display_name(), resource(**kwargs).get_export_headers())
            for resource in self.get_export_resource_classes(request)
        ]
        return context


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
