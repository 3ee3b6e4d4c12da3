"""What this app adds to the client admin: the client's credentials, missing credentials and
deadlines on its page, CSV/XLSX import and export of the clients."""

from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from django.urls import reverse
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from import_export.forms import ExportForm

from clients.client_page import ClientPageSection
from clients.selectors import MissingCredential
from clients.tenancy import membership_for_user
from credentials.admin.common import may_reveal_passwords
from credentials.calendar.selectors import DeadlineFilter, deadline_page, organization_today
from credentials.import_admin import ClientImportAdminMixin, PendingImportAdminMixin
from credentials.models import Credential
from credentials.resources import ClientFile, ClientResource
from credentials.selectors import credentials_with_relations, missing_credentials
from reporting.models import Country, Pro, ReportType


@dataclass(frozen=True)
class CatalogIds:
    countries: dict[str, int]
    pros: dict[tuple[str, str], int]
    report_types: dict[str, int]


def _catalog_ids(missing: list[MissingCredential]) -> CatalogIds:
    """The catalog ids of the missing rows' country, PRO and report type codes, which the
    credential add form takes as its initial values; no query when nothing is missing."""
    if not missing:
        return CatalogIds(countries={}, pros={}, report_types={})
    codes = {row.country for row in missing}
    return CatalogIds(
        countries=dict(Country.objects.filter(code__in=codes).values_list("code", "pk")),
        pros={
            (country, name): pk
            for country, name, pk in Pro.objects.filter(
                country__code__in=codes, name__in={row.pro for row in missing if row.pro}
            ).values_list("country__code", "name", "pk")
        },
        report_types=dict(
            ReportType.objects.filter(code__in={row.report_type for row in missing}).values_list(
                "code", "pk"
            )
        ),
    )


class ClientCredentialsAdminMixin(
    PendingImportAdminMixin, ClientImportAdminMixin, ImportExportMixin
):
    """What this app adds to the client admin (clients.admin.client_admin_extensions): the
    client's credentials and missing credentials by country on its page, CSV/XLSX import
    (upload, mapping, preview, confirm, rejected rows: credentials.import_admin) and CSV/XLSX
    export of the clients listed."""

    resource_classes = [ClientResource]
    export_form_class = ExportForm
    import_formats = [ClientFile]
    export_formats = [base_formats.CSV, base_formats.XLSX]
    # Each import is recorded as a ClientImport and every change is in the history.
    skip_admin_log = True

    # The client's deadlines shown on its page: from a month back (the recent overdue ones) to
    # three months ahead, the first few in due-date order; the Deadlines page has them all.
    DEADLINES_BACK_DAYS = 31
    DEADLINES_AHEAD_DAYS = 92
    DEADLINES_SHOWN = 12

    def _deadlines_section(self, client) -> ClientPageSection:
        organization = client.organization
        today = organization_today(organization)
        page = deadline_page(
            organization,
            DeadlineFilter(
                start=today - timedelta(days=self.DEADLINES_BACK_DAYS),
                end=today + timedelta(days=self.DEADLINES_AHEAD_DAYS),
                client_ids=frozenset({client.pk}),
            ),
            limit=self.DEADLINES_SHOWN,
            today=today,
        )
        return ClientPageSection(
            template="admin/credentials/client/deadlines_section.html",
            order=25,
            context={
                "deadlines": page.deadlines,
                "total": page.total,
                "deadlines_url": reverse("admin:credentials_deadlinecalendar_changelist"),
            },
        )

    def client_page_sections(self, request, client) -> list[ClientPageSection]:
        """The client's credentials by country, each country's missing credentials (the
        obligations no credential covers, as the credentials search's showMissing lists them)
        with a link to add one, in a few queries whatever their number."""
        credentials = credentials_with_relations(Credential.objects.filter(client=client))
        missing = missing_credentials(client=client)
        countries: dict[str, dict] = {}
        for credential in credentials.order_by("country__code", "pro__name", "id"):
            country = credential.country
            group = countries.setdefault(
                country.code, {"code": country.code, "name": country.name_en, "missing": []}
            )
            group.setdefault("credentials", []).append(credential)
        add_url = reverse("admin:credentials_credential_add")
        links = _catalog_ids(missing)
        for row in missing:
            group = countries.setdefault(
                row.country, {"code": row.country, "name": row.country_name, "missing": []}
            )
            initial = {
                "client": client.pk,
                "country": links.countries.get(row.country),
                "pro": links.pros.get((row.country, row.pro)),
                "report_types": links.report_types.get(row.report_type),
            }
            query = urlencode({key: value for key, value in initial.items() if value})
            group["missing"].append({"row": row, "add_url": f"{add_url}?{query}"})
        may_add = self.admin_site.get_model_admin(Credential).has_add_permission(request)
        return [
            *super().client_page_sections(request, client),
            self._deadlines_section(client),
            ClientPageSection(
                template="admin/credentials/client/credentials_section.html",
                order=20,
                context={
                    "countries": [countries[code] for code in sorted(countries)],
                    "credential_count": sum(
                        len(group.get("credentials", ())) for group in countries.values()
                    ),
                    "missing_count": len(missing),
                    "add_url": f"{add_url}?{urlencode({'client': client.pk})}" if may_add else None,
                    "may_add": may_add,
                    "may_reveal": may_reveal_passwords(request),
                },
            ),
        ]

    def has_import_permission(self, request) -> bool:
        membership = membership_for_user(request.user)
        return membership is not None and membership.can_write

    def has_export_permission(self, request) -> bool:
        return self.has_view_permission(request)

    def get_export_queryset(self, request):
        return super().get_export_queryset(request).prefetch_related("aliases")

    def init_request_context_data(self, request, form):
        # The export page lists the columns the file has (the resource's visible fields are
        # the ones an import reads).
        context = super().init_request_context_data(request, form)
        kwargs = self.get_export_resource_kwargs(request)
        context["fields_list"] = [
            (resource.get_display_name(), resource(**kwargs).get_export_headers())
            for resource in self.get_export_resource_classes(request)
        ]
        return context
