"""The client list's filters."""

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef

from clients.models import ClientStatFacet, StatDimension
from clients.selectors import clients_covering, clients_missing_credentials
from reporting.models import Country, Pro, ReportType


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
    search's showMissing, clients.selectors.uncovered_obligations).

    Read from the "missing credentials" facet the database keeps for each client
    (clients/portfolio_stats.py): the list walks the clients in its order and probes each one's
    facets, instead of comparing every obligation with every credential. Collective-account
    pseudo-clients have no facets: when the list shows them, the rule is applied to the rows."""

    title = "missing credentials"
    parameter_name = "missing"

    def lookups(self, request, model_admin):
        return [("yes", "Has missing credentials"), ("no", "None missing")]

    def queryset(self, request, queryset):
        if self.value() not in ("yes", "no"):
            return queryset
        missing = self.value() == "yes"
        if request.GET.get(CollectiveAccountListFilter.parameter_name) in ("only", "all"):
            return clients_missing_credentials(queryset, missing=missing)
        flagged = Exists(
            ClientStatFacet.objects.filter(
                client_id=OuterRef("pk"), dimension=StatDimension.MISSING
            )
        )
        return queryset.filter(flagged) if missing else queryset.exclude(flagged)


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
