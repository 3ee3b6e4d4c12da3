"""The credential admin: the list, the form (through credentials.services), the catalog of its
dependent choices and the logged reveals."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.cache import patch_cache_control
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.views.decorators.debug import sensitive_post_parameters
from simple_history.admin import SimpleHistoryAdmin

from clients.admin_changelist import CountedChangeListMixin
from clients.search import folded_search_fields
from clients.tenancy import OrganizationScopedHistoryAdminMixin, organization_for_user
from credentials.admin.common import (
    NeedsAttentionListFilter,
    ProListFilter,
    may_reveal_passwords,
    may_reveal_previous_passwords,
    reveal_control,
)
from credentials.admin.forms import CredentialAdminForm, catalog_pk
from credentials.admin.inlines import LinkedCredentialInline, PasswordHistoryInline
from credentials.models import MASK, AccessReason, Credential, CredentialPasswordHistory
from credentials.services import (
    credential_create,
    credential_delete,
    credential_update,
    request_origin,
    secrets_reveal,
)
from reporting.models import Country, Pro, ReportType


@admin.register(Credential)
class CredentialAdmin(
    CountedChangeListMixin, OrganizationScopedHistoryAdminMixin, SimpleHistoryAdmin
):
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
    # A credential's status and interval changes leave the portfolio version as it is, and
    # "needs attention" also changes with time.
    unversioned_filters = (
        NeedsAttentionListFilter.parameter_name,
        "status__exact",
        "interval__exact",
    )
    list_filter = [
        NeedsAttentionListFilter,
        "country",
        ("pro", ProListFilter),
        "report_types",
        "status",
        "interval",
    ]
    search_fields = folded_search_fields(
        "client__name", "login", "registration_number", "pro__name"
    )
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
