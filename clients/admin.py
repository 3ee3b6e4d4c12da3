from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.module_loading import import_string
from simple_history.admin import SimpleHistoryAdmin

from clients.client_page import ClientPageSection
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
)
from clients.selectors import (
    client_aliases,
    client_obligations,
    client_organizations_consenting,
    client_part_history,
    client_portfolio_summaries,
    clients_covering,
    clients_matching,
    clients_missing_credentials,
)
from clients.services import (
    api_key_create,
    client_alias_validate,
    client_create,
    client_organization_invitation_accept,
    client_organization_invite,
    client_update,
    client_validate,
    clients_set_status,
    obligation_validate,
)
from clients.tenancy import (
    OrganizationScopedAdminMixin,
    OrganizationScopedHistoryAdminMixin,
    is_organization_admin,
    membership_for_user,
    organization_for_user,
)
from reporting.models import Country, Pro, ReportType


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "created_at"]
    search_fields = ["name"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role"]
    list_filter = ["role", "organization"]
    search_fields = ["user__username", "user__email", "organization__name"]
    autocomplete_fields = ["user", "organization"]


@admin.register(ApiKey)
class ApiKeyAdmin(OrganizationScopedAdminMixin, admin.ModelAdmin):
    list_display = ["name", "organization", "prefix", "created_at", "last_used_at", "revoked"]
    list_filter = ["revoked"]
    search_fields = ["name", "prefix", "organization__name"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]

    def get_fields(self, request, obj=None):
        fields = ["name", "revoked", "prefix", "created_at", "last_used_at"]
        return ["organization", *fields] if request.user.is_superuser else fields

    def _member_may(self, request, write: bool) -> bool:
        # Keys open the /users routes: only organization admins manage them.
        return request.user.is_superuser or is_organization_admin(request.user)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        organization = (
            obj.organization if request.user.is_superuser else organization_for_user(request.user)
        )
        api_key, raw_key = api_key_create(organization=organization, name=obj.name)
        obj.pk = api_key.pk
        self.message_user(
            request,
            f"API key created. Copy it now, it is not shown again: {raw_key}",
            messages.WARNING,
        )


class CatalogListFilter(admin.SimpleListFilter):
    """Clients with a credential or an obligation matching one catalog value."""

    covering_argument = ""

    def catalog_rows(self):
        raise NotImplementedError

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        try:
            rows = self.catalog_rows().filter(pk=self.value())
        except (ValueError, ValidationError) as error:
            # Not an id (a hand-edited URL): the admin's "invalid filter" answer, not a 500.
            raise IncorrectLookupParameters(error) from error
        return clients_covering(queryset, **{self.covering_argument: rows})


class CountryListFilter(CatalogListFilter):
    title = "country"
    parameter_name = "country"
    covering_argument = "countries"

    def catalog_rows(self):
        return Country.objects.all()

    def lookups(self, request, model_admin):
        return [(str(c.pk), f"{c.code} · {c.name_en}") for c in self.catalog_rows()]


class ReportTypeListFilter(CatalogListFilter):
    title = "report type"
    parameter_name = "report_type"
    covering_argument = "report_types"

    def catalog_rows(self):
        return ReportType.objects.all()

    def lookups(self, request, model_admin):
        return [(str(rt.pk), rt.code) for rt in self.catalog_rows()]


class ProListFilter(CatalogListFilter):
    title = "PRO"
    parameter_name = "pro"
    covering_argument = "pros"

    def catalog_rows(self):
        return Pro.objects.select_related("country")

    def lookups(self, request, model_admin):
        return [(str(p.pk), f"{p.name} ({p.country.code})") for p in self.catalog_rows()]


class MissingCredentialsListFilter(admin.SimpleListFilter):
    """Clients with an obligation that no credential covers (the rule of the credentials
    search's showMissing, clients.selectors.uncovered_obligations)."""

    title = "missing credentials"
    parameter_name = "missing"

    def lookups(self, request, model_admin):
        return [("yes", "Has missing credentials"), ("no", "None missing")]

    def queryset(self, request, queryset):
        if self.value() not in ("yes", "no"):
            return queryset
        return clients_missing_credentials(queryset, missing=self.value() == "yes")


class CollectiveAccountListFilter(admin.SimpleListFilter):
    """Collective-account pseudo-clients are left out of the list unless asked for, as the
    API's list leaves them out unless collective_account=true."""

    title = "collective accounts"
    parameter_name = "collective"

    def lookups(self, request, model_admin):
        return [("only", "Only collective accounts"), ("all", "Clients and collective accounts")]

    def queryset(self, request, queryset):
        if self.value() == "only":
            return queryset.filter(collective_account=True)
        if self.value() == "all":
            return queryset
        return queryset.filter(collective_account=False)

    def choices(self, changelist):
        choices = list(super().choices(changelist))
        # The default is not "all" here: it hides the pseudo-clients.
        choices[0]["display"] = "Hidden"
        return choices


class ClientPartInline(OrganizationScopedAdminMixin, admin.TabularInline):
    """Rows that belong to a client: members of its organization see and edit them."""

    organization_path = "client__organization"
    extra = 0


def add_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's ValidationError on the form: each message on the field it names, when the
    form has that field, otherwise above the form."""
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


class AliasForm(forms.ModelForm):
    """Scope and name as clients.services stores them, or the service's errors."""

    def clean(self):
        cleaned = super().clean()
        if self.errors or not cleaned or cleaned.get("DELETE"):
            return cleaned
        try:
            cleaned["scope"], cleaned["name"] = client_alias_validate(
                scope=cleaned.get("scope"), name=cleaned.get("name")
            )
        except ValidationError as error:
            add_service_errors(self, error)
        return cleaned


class ObligationForm(forms.ModelForm):
    """The catalog's rule for an obligation's PRO (clients.services), or its error."""

    def clean(self):
        cleaned = super().clean()
        if self.errors or not cleaned or cleaned.get("DELETE"):
            return cleaned
        try:
            obligation_validate(
                country=cleaned["country"],
                report_type=cleaned["report_type"],
                pro=cleaned.get("pro"),
            )
        except ValidationError as error:
            add_service_errors(self, error)
        return cleaned


class AliasInline(ClientPartInline):
    model = Alias
    form = AliasForm
    fields = ["scope", "name"]


class CatalogChoicesFormSet(BaseInlineFormSet):
    """Every row's catalog selects share the choices read by the first: without it each row
    reads the countries, report types and PROs again."""

    catalog_fields = ("country", "report_type", "pro")

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        choices = self.__dict__.setdefault("_catalog_choices", {})
        for name in self.catalog_fields:
            if name in form.fields:
                if name not in choices:
                    choices[name] = list(form.fields[name].choices)
                form.fields[name].choices = choices[name]
        return form


class ObligationInline(ClientPartInline):
    model = Obligation
    form = ObligationForm
    formset = CatalogChoicesFormSet
    fields = ["country", "report_type", "pro"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("country", "report_type", "pro")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "pro":
            kwargs["queryset"] = Pro.objects.select_related("country")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# The client's own fields, as the client services take them.
CLIENT_FIELDS = ("name", "status", "notes", "shared", "client_organization", "collective_account")


class ClientAdminForm(forms.ModelForm):
    """The organization of a member's new client is theirs; the client services' rules (a
    name unique within the organization, the limits, consent) show as the form's errors."""

    organization_of_member: Organization | None = None

    class Meta:
        model = Client
        fields = [
            "organization",
            "name",
            "status",
            "notes",
            "shared",
            "client_organization",
            "collective_account",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "client_organization" in self.fields:
            # Only an organization that agreed to be this client (or the one it already has);
            # any other id gets the same "not one of the available choices" as an unknown one.
            # A select of these, by name: no other organization's name is ever listed.
            field = self.fields["client_organization"]
            field.queryset = (
                client_organizations_consenting(self.instance)
                | Organization.objects.filter(pk=self.instance.client_organization_id)
            ).order_by("name")
            field.help_text = (
                "The organization that is this client, among those that accepted your "
                "invitation (Client organization grants)."
            )

    def target_organization(self) -> Organization | None:
        if self.instance.organization_id:
            return self.instance.organization
        return self.cleaned_data.get("organization") or self.organization_of_member

    def service_fields(self) -> dict:
        return {
            name: self.cleaned_data[name] for name in CLIENT_FIELDS if name in self.cleaned_data
        }

    def clean(self):
        cleaned = super().clean()
        organization = self.target_organization()
        if organization is None or any(name in self.errors for name in ("name", "status")):
            return cleaned
        fields = self.service_fields()
        try:
            client_validate(
                organization=organization,
                client=self.instance if self.instance.pk else None,
                **{name: fields[name] for name in ("name", "status", "notes") if name in fields},
                client_organization=fields.get("client_organization"),
            )
        except ValidationError as error:
            add_service_errors(self, error)
        return cleaned


class ClientAdmin(OrganizationScopedHistoryAdminMixin, SimpleHistoryAdmin):
    """The client admin. Apps built on this one add to it through client_admin_extensions()."""

    form = ClientAdminForm
    change_form_template = "admin/clients/client/change_form.html"
    list_display = [
        "name",
        "status",
        "alias_names",
        "countries",
        "credential_count",
        "missing_count",
        "shared",
        "updated_at",
    ]
    list_filter = [
        "status",
        MissingCredentialsListFilter,
        CountryListFilter,
        ReportTypeListFilter,
        ProListFilter,
        CollectiveAccountListFilter,
        "shared",
    ]
    # Searched by get_search_results, as the API's search is; the field only shows the box.
    search_fields = ["name"]
    search_help_text = "Name, alias, notes, credential login or registration number."
    # The page count is enough: a second count of every client would cost as much again.
    show_full_result_count = False
    inlines = [AliasInline, ObligationInline]
    actions = ["archive_selected", "activate_selected"]
    readonly_fields = ["created_at", "updated_at"]
    list_per_page = 50

    object_history_template = "admin/clients/client_history.html"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("aliases")

    def get_search_results(self, request, queryset, search_term):
        return clients_matching(queryset, text=search_term), False

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        # The page's portfolio summaries, read as the API's list reads them: a few queries for
        # the whole page.
        summaries = client_portfolio_summaries([client.pk for client in changelist.result_list])
        for client in changelist.result_list:
            client.portfolio_summary = summaries[client.pk]
        return changelist

    @admin.display(description="countries")
    def countries(self, obj: Client) -> str:
        return ", ".join(obj.portfolio_summary.countries) or "—"

    @admin.display(description="credentials")
    def credential_count(self, obj: Client) -> int:
        return obj.portfolio_summary.credential_count

    @admin.display(description="missing")
    def missing_count(self, obj: Client) -> int:
        return obj.portfolio_summary.missing_count

    def client_page_sections(self, request, client: Client) -> list[ClientPageSection]:
        """The read-only sections of the client's page; admin extensions add theirs."""
        obligations = client_obligations(client)
        aliases = client_aliases(client)
        codes = sorted({*aliases, *(row["country"] for row in obligations)} - {GLOBAL_SCOPE})
        names = dict(Country.objects.filter(code__in=codes).values_list("code", "name_en"))
        countries = [
            {
                "code": code,
                "name": names.get(code, ""),
                "local_name": aliases.get(code),
                "obligations": [row for row in obligations if row["country"] == code],
            }
            for code in codes
        ]
        return [
            ClientPageSection(
                template="admin/clients/client/names_section.html",
                order=10,
                context={"trading_name": aliases.get(GLOBAL_SCOPE), "countries": countries},
            )
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            sections = self.client_page_sections(request, obj)
            context["client_page_sections"] = sorted(sections, key=lambda s: s.order)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def render_history_view(self, request, template, context, **kwargs):
        # On the history list (the version page renders here too) simple-history has found
        # the client, or answered 404, by now; the changes of its aliases and obligations are
        # kept in their own history tables.
        if template == self.object_history_template:
            context["part_history"] = client_part_history(client_id=context["object"].pk)
        return super().render_history_view(request, template, context, **kwargs)

    def get_fields(self, request, obj=None):
        fields = [
            "name",
            "status",
            "notes",
            "shared",
            "client_organization",
            "collective_account",
            "created_at",
            "updated_at",
        ]
        return ["organization", *fields] if request.user.is_superuser else fields

    def get_readonly_fields(self, request, obj=None):
        # The client services create a client in an organization and never move it to another.
        readonly = super().get_readonly_fields(request, obj)
        return [*readonly, "organization"] if obj is not None else readonly

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if not request.user.is_superuser:
            form.organization_of_member = organization_for_user(request.user)
        return form

    def save_model(self, request, obj, form, change):
        # Written in save_related, with its aliases and obligations, by one service call.
        pass

    def save_related(self, request, form, formsets, change):
        parts = {formset.model: formset for formset in formsets}
        changes = form.service_fields()
        if Alias in parts:
            changes["aliases"] = {
                row["scope"]: row["name"] for row in self._kept_rows(parts.pop(Alias))
            }
        if Obligation in parts:
            changes["obligations"] = [
                {
                    "country": row["country"].code,
                    "report_type": row["report_type"].code,
                    "pro": row["pro"].name if row.get("pro") else None,
                }
                for row in self._kept_rows(parts.pop(Obligation))
            ]
        if change:
            # The form's instance holds the new values already: the service compares against
            # the stored ones.
            client = client_update(client=Client.objects.get(pk=form.instance.pk), changes=changes)
        else:
            organization = form.target_organization()
            client = client_create(organization=organization, **changes)
        form.instance.pk = client.pk
        form.instance._state.adding = False
        form.instance.refresh_from_db()
        for formset in parts.values():
            formset.instance = form.instance
            self.save_formset(request, form, formset, change=change)

    @staticmethod
    def _kept_rows(formset) -> list[dict]:
        """The cleaned rows of an inline formset that are neither deleted nor left blank.

        The service writes them; the formset records what changed, as its save() would, for
        the admin's change message."""
        deleted = [
            inline for inline in formset.initial_forms if formset._should_delete_form(inline)
        ]
        formset.deleted_objects = [inline.instance for inline in deleted]
        formset.changed_objects = [
            (inline.instance, inline.changed_data)
            for inline in formset.initial_forms
            if inline not in deleted and inline.has_changed()
        ]
        formset.new_objects = [
            inline.instance
            for inline in formset.extra_forms
            if inline.has_changed() and not formset._should_delete_form(inline)
        ]
        return [
            inline.cleaned_data
            for inline in formset.forms
            if inline.cleaned_data and not formset._should_delete_form(inline)
        ]

    @admin.display(description="aliases")
    def alias_names(self, obj: Client) -> str:
        return ", ".join(f"{scope}: {name}" for scope, name in client_aliases(obj).items())

    def _set_status(self, request, queryset, status: str, verb: str) -> None:
        changed = clients_set_status(clients=queryset, status=status)
        self.message_user(request, f"{verb} {changed} client(s).", messages.SUCCESS)

    @admin.action(description="Archive selected clients", permissions=["change"])
    def archive_selected(self, request, queryset):
        self._set_status(request, queryset, ClientStatus.ARCHIVED, "Archived")

    @admin.action(description="Activate selected clients", permissions=["change"])
    def activate_selected(self, request, queryset):
        self._set_status(request, queryset, ClientStatus.ACTIVE, "Activated")


def client_admin_extensions() -> list[type]:
    """The admin mixins that apps built on this one add to the client admin (their inlines,
    columns, actions, pages), in the order of INSTALLED_APPS.

    An app names its mixin in its AppConfig's `client_admin_extension` (a dotted path), so this
    app imports none of the apps that depend on it."""
    return [
        import_string(config.client_admin_extension)
        for config in apps.get_app_configs()
        if getattr(config, "client_admin_extension", None)
    ]


admin.site.register(
    Client,
    type(
        "ClientAdmin",
        (*client_admin_extensions(), ClientAdmin),
        {"__module__": __name__, "__doc__": ClientAdmin.__doc__},
    ),
)


class InvitationTokenForm(forms.Form):
    token = forms.CharField(max_length=200, strip=True)


@admin.register(ClientOrganizationGrant)
class ClientOrganizationGrantAdmin(OrganizationScopedAdminMixin, admin.ModelAdmin):
    """An agency's grants: adding one invites the organization that is the client (the token is
    shown once); admins of any organization accept an invitation under "accept/"."""

    organization_path = "agency"
    list_display = ["client", "kind", "client_organization", "created_at", "accepted_at"]
    list_filter = ["kind"]
    search_fields = ["client__name"]
    list_select_related = ["client", "client_organization"]
    readonly_fields = [
        "agency",
        "kind",
        "client_organization",
        "created_at",
        "created_by",
        "accepted_at",
        "accepted_by",
    ]

    def get_fields(self, request, obj=None):
        return ["client"] if obj is None else ["client", *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["client", *self.readonly_fields]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        # A pending invitation may be withdrawn; an accepted consent is the other side's.
        pending = obj is None or obj.accepted_at is None
        return pending and super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        invitation, raw_token = client_organization_invite(client=obj.client, user=request.user)
        obj.pk = invitation.pk
        self.message_user(
            request,
            "Invitation created. Give this token to an admin of the organization that is "
            f"{obj.client}; it is not shown again: {raw_token}",
            messages.WARNING,
        )

    def get_urls(self):
        accept = path(
            "accept/",
            self.admin_site.admin_view(self.accept_view),
            name="clients_clientorganizationgrant_accept",
        )
        return [accept, *super().get_urls()]

    def accept_view(self, request):
        if not is_organization_admin(request.user):
            raise PermissionDenied
        membership = membership_for_user(request.user)
        form = InvitationTokenForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                invitation = client_organization_invitation_accept(
                    token=form.cleaned_data["token"], user=request.user
                )
            except ValidationError as error:
                form.add_error("token", error.message_dict["token"])
            else:
                self.message_user(
                    request,
                    f"{membership.organization} is now the organization of the client "
                    f"{invitation.client} of {invitation.agency}.",
                    messages.SUCCESS,
                )
                return redirect("admin:index")
        context = {**self.admin_site.each_context(request), "opts": self.opts, "form": form}
        return TemplateResponse(
            request, "admin/clients/accept_client_organization_invitation.html", context
        )
