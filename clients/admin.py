from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from simple_history.admin import SimpleHistoryAdmin

from clients.models import (
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
    client_name_taken,
    client_organizations_consenting,
    clients_covering,
)
from clients.services import (
    api_key_create,
    client_organization_invitation_accept,
    client_organization_invite,
    clients_set_status,
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "client_organization" in self.fields:
            # Only an organization that agreed to be this client (or the one it already has);
            # any other id gets the same "not one of the available choices" as an unknown one.
            self.fields["client_organization"].queryset = client_organizations_consenting(
                self.instance
            ) | Organization.objects.filter(pk=self.instance.client_organization_id)

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
            # Typed as an id: the raw-id widget would show the name of any organization whose
            # id is typed. The form narrows the choices to the consenting organizations.
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
