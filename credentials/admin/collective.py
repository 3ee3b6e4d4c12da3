"""Collective accounts and the clients linked to each."""

from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html

from clients.search import folded_search_fields
from clients.tenancy import OrganizationScopedAdminMixin
from credentials.admin.common import ProListFilter, ReadOnlyAdminMixin
from credentials.admin.inlines import LinkedCredentialInline
from credentials.models import CollectiveAccount


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
    search_fields = folded_search_fields(
        "client__name", "login", "pro__name", "linked_credentials__client__name"
    )
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
