from django.contrib import admin, messages

from clients.models import ApiKey, Membership, Organization, Role
from clients.services import api_key_create
from clients.tenancy import (
    OrganizationScopedAdminMixin,
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
