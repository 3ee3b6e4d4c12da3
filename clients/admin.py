from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import ValidationError
from simple_history.admin import SimpleHistoryAdmin

from clients.models import (
    Alias,
    ApiKey,
    Client,
    ClientStatus,
    Membership,
    Obligation,
    Organization,
    Role,
)
from clients.selectors import (
    client_aliases,
    client_name_taken,
    client_organizations_available,
    clients_covering,
)
from clients.services import api_key_create, clients_set_status
from clients.tenancy import (
    OrganizationScopedAdminMixin,
    OrganizationScopedHistoryAdminMixin,
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
        membership = membership_for_user(request.user)
        return request.user.is_superuser or (
            membership is not None and membership.role == Role.ADMIN
        )

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


class ClientPartInline(OrganizationScopedAdminMixin, admin.TabularInline):
    """Rows that belong to a client: members of its organization see and edit them."""

    organization_path = "client__organization"
    extra = 0


class AliasInline(ClientPartInline):
    model = Alias
    fields = ["scope", "name"]


class ObligationInline(ClientPartInline):
    model = Obligation
    fields = ["country", "report_type", "pro"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("country", "report_type", "pro")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "pro":
            kwargs["queryset"] = Pro.objects.select_related("country")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ClientAdminForm(forms.ModelForm):
    """The organization of a member's new client is theirs; names stay unique within it."""

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

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        organization = self.instance.organization if self.instance.organization_id else None
        organization = organization or self.organization_of_member
        if organization and client_name_taken(
            organization=organization, name=name, exclude=self.instance
        ):
            raise forms.ValidationError(f"A client named {name!r} already exists.")
        return name


@admin.register(Client)
class ClientAdmin(OrganizationScopedHistoryAdminMixin, SimpleHistoryAdmin):
    form = ClientAdminForm
    list_display = ["name", "status", "alias_names", "shared", "collective_account", "updated_at"]
    list_filter = [
        "status",
        CountryListFilter,
        ReportTypeListFilter,
        ProListFilter,
        "collective_account",
        "shared",
    ]
    search_fields = ["name", "aliases__name"]
    inlines = [AliasInline, ObligationInline]
    actions = ["archive_selected", "activate_selected"]
    readonly_fields = ["created_at", "updated_at"]
    # A select would list every organization's name to members of any organization.
    raw_id_fields = ["client_organization"]
    list_per_page = 50

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("aliases")

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

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if not request.user.is_superuser:
            form.organization_of_member = organization_for_user(request.user)
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "client_organization" and not request.user.is_superuser:
            # Only the organizations the member's organization may name, typed as an id: the raw-id
            # widget would show the name of any organization whose id is typed.
            organization = organization_for_user(request.user)
            kwargs["queryset"] = (
                client_organizations_available(organization)
                if organization
                else Organization.objects.none()
            )
            kwargs["widget"] = forms.NumberInput
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change and not request.user.is_superuser:
            obj.organization = organization_for_user(request.user)
        super().save_model(request, obj, form, change)

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
