"""A client's aliases and obligations, edited on its page."""

from django.contrib import admin
from django.forms.models import BaseInlineFormSet

from clients.admin.forms import AliasForm, ObligationForm
from clients.admin.widgets import SharedChoices, SharedChoicesSelect
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
    """Every row's catalog selects (the empty row's too) share the choices read by the first,
    with their options built once (SharedChoices): without it each row reads the countries,
    report types and PROs again and renders each of their options."""

    catalog_fields = ("country", "report_type", "pro")

    def add_fields(self, form, index):
        super().add_fields(form, index)
        choices = self.__dict__.setdefault("_catalog_choices", {})
        for name in self.catalog_fields:
            if name in form.fields:
                if name not in choices:
                    choices[name] = SharedChoices(form.fields[name].choices)
                form.fields[name].choices = choices[name]


class ObligationInline(ClientPartInline):
    model = Obligation
    form = ObligationForm
    formset = CatalogChoicesFormSet
    fields = ["country", "report_type", "pro"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("country", "report_type", "pro")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in CatalogChoicesFormSet.catalog_fields:
            kwargs["widget"] = SharedChoicesSelect
        if db_field.name == "pro":
            kwargs["queryset"] = Pro.objects.select_related("country")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
