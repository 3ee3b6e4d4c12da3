from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse

from reporting.models import Country, DeadlineRule, Pro, ReportType, Scheme
from reporting.reporting_api import ReportingApiError
from reporting.services import catalog_sync_from_reporting_api


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_en", "name_fr", "name_zh", "is_vat", "epr_activated"]
    list_filter = ["epr_activated", "is_vat"]
    search_fields = ["code", "name_en", "name_fr", "bubble_id"]


@admin.register(ReportType)
class ReportTypeAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


class SchemeInline(admin.TabularInline):
    model = Scheme
    extra = 0
    fields = [
        "report_type",
        "scheme_code",
        "scheme_name_en",
        "declaration_frequency",
        "scheme_partner",
    ]
    autocomplete_fields = ["report_type"]


@admin.register(Pro)
class ProAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "city", "report_type_codes"]
    list_filter = ["country", "report_types"]
    search_fields = ["name", "city", "country__code", "country__name_en"]
    list_select_related = ["country"]
    inlines = [SchemeInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("report_types")

    @admin.display(description="report types")
    def report_type_codes(self, obj: Pro) -> str:
        return ", ".join(rt.code for rt in obj.report_types.all())


@admin.register(Scheme)
class SchemeAdmin(admin.ModelAdmin):
    list_display = [
        "__str__",
        "scheme_code",
        "declaration_frequency",
        "registration_deposit",
        "scheme_partner",
    ]
    list_filter = ["report_type", "pro__country", "scheme_partner"]
    search_fields = [
        "pro__name",
        "scheme_code",
        "ademe_scheme_code",
        "scheme_name_en",
        "scheme_name_fr",
        "bubble_id",
    ]
    list_select_related = ["pro__country", "report_type"]
    autocomplete_fields = ["pro", "report_type"]
    change_list_template = "admin/reporting/scheme/change_list.html"

    def get_urls(self):
        sync = path(
            "sync-from-reporting-api/",
            self.admin_site.admin_view(self.sync_from_reporting_api),
            name="reporting_scheme_sync",
        )
        return [sync, *super().get_urls()]

    def sync_from_reporting_api(self, request):
        """Pull the catalog from the reporting API (POST only, from the changelist button)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_add_permission(request):
            raise PermissionDenied
        try:
            result = catalog_sync_from_reporting_api()
        except ReportingApiError as error:
            self.message_user(
                request, f"Catalog not synced, nothing changed: {error}", messages.ERROR
            )
        else:
            self.message_user(request, f"Catalog synced: {result}.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:reporting_scheme_changelist"))


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(admin.ModelAdmin):
    """Deadline rules are catalog data: shipped where a public source states them, and editable
    here (organizations override them for themselves under Credentials)."""

    list_display = ["scheme", "frequency", "due_months_after", "due_day", "source_url"]
    list_filter = ["frequency", "scheme__pro__country", "scheme__report_type"]
    search_fields = ["scheme__pro__name", "scheme__report_type__code", "note", "source_url"]
    list_select_related = ["scheme__pro__country", "scheme__report_type"]
    autocomplete_fields = ["scheme"]
