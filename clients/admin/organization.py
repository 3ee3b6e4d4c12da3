"""Organizations, their members and API keys, and the grants that make an organization the
client of an agency (invitation and acceptance)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path

from clients.models import ApiKey, ClientOrganizationGrant, Membership, Organization
from clients.search import folded_search_fields
from clients.services import (
    api_key_create,
    client_organization_invitation_accept,
    client_organization_invite,
)
from clients.tenancy import (
    OrganizationScopedAdminMixin,
    is_organization_admin,
    membership_for_user,
    organization_for_user,
)


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


class InvitationTokenForm(forms.Form):
    token = forms.CharField(max_length=200, strip=True)


@admin.register(ClientOrganizationGrant)
class ClientOrganizationGrantAdmin(OrganizationScopedAdminMixin, admin.ModelAdmin):
    """An agency's grants: adding one invites the organization that is the client (the token is
    shown once); admins of any organization accept an invitation under "accept/"."""

    organization_path = "agency"
    list_display = ["client", "kind", "client_organization", "created_at", "accepted_at"]
    list_filter = ["kind"]
    search_fields = folded_search_fields("client__name")
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
