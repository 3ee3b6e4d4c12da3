"""Inlines of credentials: previous passwords, and the clients linked to a collective account."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from clients.tenancy import OrganizationScopedAdminMixin
from credentials.admin.common import ReadOnlyAdminMixin, may_reveal_previous_passwords
from credentials.models import MASK, Credential, CredentialPasswordHistory


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


class LinkedCredentialInline(ReadOnlyCredentialInline):
    """The clients whose credentials read their login and password from a collective account."""

    fk_name = "collective_account"
    fields = ["client", "report_type_codes", "registration_number", "status"]
    readonly_fields = fields
    verbose_name = "linked client"
    verbose_name_plural = "linked clients"
