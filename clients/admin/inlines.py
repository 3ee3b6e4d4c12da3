"""A client's aliases and obligations, edited on its page."""

from django.contrib import admin
from django.forms.models import BaseInlineFormSet

from clients.admin.forms import AliasForm, ObligationForm
from clients.models import Alias, Obligation
from clients.tenancy import OrganizationScopedAdminMixin
from reporting.models import Pro


class ClientPartInline(OrganizationScopedAdminMixin, admin.TabularInline):
    """Rows that belong to a client: members of its organization see and edit them."""

    organization_path = "client__organization"
    extra = 0


class AliasInline(ClientPartInline):
    model = Alias
    form = AliasForm
    fields = ["scope", "name"]


class CatalogChoicesFormSet(BaseInlineFormSet):
    """Every row's catalog selects share the choices read by the first: without it each row
    reads the countries, report types and PROs again."""

    catalog_fields = ("country", "report_type", "pro")

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        choices = self.__dict__.setdefault("_catalog_choices", {})
        for name in self.catalog_fields:
            if name in form.fields:
                if name not in choices:
                    choices[name] = list(form.fields[name].choices)
                form.fields[name].choices = choices[name]
        return form


class ObligationInline(ClientPartInline):
    model = Obligation
    form = ObligationForm
    formset = CatalogChoicesFormSet
    fields = ["country", "report_type", "pro"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("country", "report_type", "pro")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "pro":
            kwargs["queryset"] = Pro.objects.select_related("country")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
