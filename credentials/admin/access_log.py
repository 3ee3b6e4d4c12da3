"""The password access log."""

from django.contrib import admin
from django.contrib.admin import DateFieldListFilter, RelatedOnlyFieldListFilter
from import_export.admin import ExportMixin
from import_export.forms import ExportForm

from clients.search import folded_search_fields
from clients.tenancy import OrganizationScopedAdminMixin, is_organization_admin
from credentials.models import PasswordAccessEvent
from credentials.resources import PasswordAccessEventResource


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
    search_fields = [
        *folded_search_fields("username", "credential_label", "client__name", "route"),
        "ip",
    ]
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
