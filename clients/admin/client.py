"""The client admin, with the additions of the apps built on this one."""

from django.apps import apps
from django.contrib import admin, messages
from django.utils.module_loading import import_string
from simple_history.admin import SimpleHistoryAdmin

from clients.admin.filters import (
    CollectiveAccountListFilter,
    CountryListFilter,
    MissingCredentialsListFilter,
    ProListFilter,
    ReportTypeListFilter,
)
from clients.admin.forms import ClientAdminForm
from clients.admin.inlines import AliasInline, ObligationInline
from clients.admin_changelist import CountedChangeListMixin
from clients.client_page import ClientPageSection
from clients.models import GLOBAL_SCOPE, Alias, Client, ClientStatus, Obligation
from clients.portfolio_stats import MISSING_DIMENSION, MISSING_KEY, organization_counts
from clients.selectors import (
    client_aliases,
    client_obligations,
    client_part_history,
    client_portfolio_summaries,
    clients_covering_count,
    clients_matching,
)
from clients.services import client_create, client_update, clients_set_status
from clients.tenancy import OrganizationScopedHistoryAdminMixin, organization_for_user
from reporting.models import Country

# The list's questions the kept counts answer: no search, at most one of these filters (the
# collective-account pseudo-clients hidden, as the kept counts leave them out).
CATALOG_FILTERS = {
    CountryListFilter.parameter_name: "countries",
    ReportTypeListFilter.parameter_name: "report_types",
    ProListFilter.parameter_name: "pros",
}


class ClientAdmin(CountedChangeListMixin, OrganizationScopedHistoryAdminMixin, SimpleHistoryAdmin):
    """The client admin. Apps built on this one add to it through client_admin_extensions()."""

    form = ClientAdminForm
    change_form_template = "admin/clients/client/change_form.html"
    list_display = [
        "name",
        "status",
        "alias_names",
        "countries",
        "credential_count",
        "missing_count",
        "shared",
        "updated_at",
    ]
    list_filter = [
        "status",
        MissingCredentialsListFilter,
        CountryListFilter,
        ReportTypeListFilter,
        ProListFilter,
        CollectiveAccountListFilter,
        "shared",
    ]
    # Searched by get_search_results, as the API's search is; the field only shows the box.
    search_fields = ["name"]
    search_help_text = "Name, alias, notes, credential login or registration number."
    # The page count is enough: a second count of every client would cost as much again.
    show_full_result_count = False
    inlines = [AliasInline, ObligationInline]
    actions = ["archive_selected", "activate_selected"]
    readonly_fields = ["created_at", "updated_at"]
    list_per_page = 50

    object_history_template = "admin/clients/client_history.html"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("aliases")

    def get_search_results(self, request, queryset, search_term):
        return clients_matching(queryset, text=search_term), False

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        # The page's portfolio summaries, read as the API's list reads them: a few queries for
        # the whole page.
        summaries = client_portfolio_summaries([client.pk for client in changelist.result_list])
        for client in changelist.result_list:
            client.portfolio_summary = summaries[client.pk]
        return changelist

    def kept_count(self, organization, changelist):
        """The total of the unfiltered list, of one status, of the clients with (or without)
        missing credentials, or of one country, report type or PRO, read from the counts the
        database keeps (clients/portfolio_stats.py) rather than counted."""
        params = changelist.get_filters_params()
        if changelist.query or len(params) > 1:
            return None
        name, values = next(iter(params.items()), ("", [""]))
        value = values[-1] if values else ""
        if name in CATALOG_FILTERS:
            return lambda: clients_covering_count(
                organization=organization,
                collective_account=False,
                **{CATALOG_FILTERS[name]: [value]},
            )

        def total(counts) -> int:
            return sum(counts["status"].values())

        def missing(counts) -> int:
            return counts[MISSING_DIMENSION][MISSING_KEY]

        missing_filter = MissingCredentialsListFilter.parameter_name
        readers = {
            ("", ""): total,
            (missing_filter, "yes"): missing,
            (missing_filter, "no"): lambda counts: total(counts) - missing(counts),
        }
        reader = readers.get((name, value))
        if name == "status__exact":

            def reader(counts) -> int:
                return counts["status"][value]

        if reader is None:
            return None
        return lambda: reader(organization_counts(organization.pk))

    @admin.display(description="countries")
    def countries(self, obj: Client) -> str:
        return ", ".join(obj.portfolio_summary.countries) or "—"

    @admin.display(description="credentials")
    def credential_count(self, obj: Client) -> int:
        return obj.portfolio_summary.credential_count

    @admin.display(description="missing")
    def missing_count(self, obj: Client) -> int:
        return obj.portfolio_summary.missing_count

    def client_page_sections(self, request, client: Client) -> list[ClientPageSection]:
        """The read-only sections of the client's page; admin extensions add theirs."""
        obligations = client_obligations(client)
        aliases = client_aliases(client)
        codes = sorted({*aliases, *(row["country"] for row in obligations)} - {GLOBAL_SCOPE})
        names = dict(Country.objects.filter(code__in=codes).values_list("code", "name_en"))
        countries = [
            {
                "code": code,
                "name": names.get(code, ""),
                "local_name": aliases.get(code),
                "obligations": [row for row in obligations if row["country"] == code],
            }
            for code in codes
        ]
        return [
            ClientPageSection(
                template="admin/clients/client/names_section.html",
                order=10,
                context={"trading_name": aliases.get(GLOBAL_SCOPE), "countries": countries},
            )
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.pk:
            sections = self.client_page_sections(request, obj)
            context["client_page_sections"] = sorted(sections, key=lambda s: s.order)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def render_history_view(self, request, template, context, **kwargs):
        # On the history list (the version page renders here too) simple-history has found
        # the client, or answered 404, by now; the changes of its aliases and obligations are
        # kept in their own history tables.
        if template == self.object_history_template:
            context["part_history"] = client_part_history(client_id=context["object"].pk)
        return super().render_history_view(request, template, context, **kwargs)

    def get_fields(self, request, obj=None):
        fields = [
            "name",
            "status",
            "notes",
            "shared",
            "client_organization",
            "collective_account",
            "created_at",
            "updated_at",
        ]
        return ["organization", *fields] if request.user.is_superuser else fields

    def get_readonly_fields(self, request, obj=None):
        # The client services create a client in an organization and never move it to another.
        readonly = super().get_readonly_fields(request, obj)
        return [*readonly, "organization"] if obj is not None else readonly

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if not request.user.is_superuser:
            form.organization_of_member = organization_for_user(request.user)
        return form

    def save_model(self, request, obj, form, change):
        # Written in save_related, with its aliases and obligations, by one service call.
        pass

    def save_related(self, request, form, formsets, change):
        parts = {formset.model: formset for formset in formsets}
        changes = form.service_fields()
        if Alias in parts:
            changes["aliases"] = {
                row["scope"]: row["name"] for row in self._kept_rows(parts.pop(Alias))
            }
        if Obligation in parts:
            changes["obligations"] = [
                {
                    "country": row["country"].code,
                    "report_type": row["report_type"].code,
                    "pro": row["pro"].name if row.get("pro") else None,
                }
                for row in self._kept_rows(parts.pop(Obligation))
            ]
        if change:
            # The form's instance holds the new values already: the service compares against
            # the stored ones.
            client = client_update(client=Client.objects.get(pk=form.instance.pk), changes=changes)
        else:
            organization = form.target_organization()
            client = client_create(organization=organization, **changes)
        form.instance.pk = client.pk
        form.instance._state.adding = False
        form.instance.refresh_from_db()
        for formset in parts.values():
            formset.instance = form.instance
            self.save_formset(request, form, formset, change=change)

    @staticmethod
    def _kept_rows(formset) -> list[dict]:
        """The cleaned rows of an inline formset that are neither deleted nor left blank.

        The service writes them; the formset records what changed, as its save() would, for
        the admin's change message."""
        deleted = [
            inline for inline in formset.initial_forms if formset._should_delete_form(inline)
        ]
        formset.deleted_objects = [inline.instance for inline in deleted]
        formset.changed_objects = [
            (inline.instance, inline.changed_data)
            for inline in formset.initial_forms
            if inline not in deleted and inline.has_changed()
        ]
        formset.new_objects = [
            inline.instance
            for inline in formset.extra_forms
            if inline.has_changed() and not formset._should_delete_form(inline)
        ]
        return [
            inline.cleaned_data
            for inline in formset.forms
            if inline.cleaned_data and not formset._should_delete_form(inline)
        ]

    @admin.display(description="aliases")
    def alias_names(self, obj: Client) -> str:
        return ", ".join(f"{scope}: {name}" for scope, name in client_aliases(obj).items())

    def _set_status(self, request, queryset, status: str, verb: str) -> None:
        changed = clients_set_status(clients=queryset, status=status)
        self.message_user(request, f"{verb} {changed} client(s).", messages.SUCCESS)

    @admin.action(description="Archive selected clients", permissions=["change"])
    def archive_selected(self, request, queryset):
        self._set_status(request, queryset, ClientStatus.ARCHIVED, "Archived")

    @admin.action(description="Activate selected clients", permissions=["change"])
    def activate_selected(self, request, queryset):
        self._set_status(request, queryset, ClientStatus.ACTIVE, "Activated")


def client_admin_extensions() -> list[type]:
    """The admin mixins that apps built on this one add to the client admin (their inlines,
    columns, actions, pages), in the order of INSTALLED_APPS.

    An app names its mixin in its AppConfig's `client_admin_extension` (a dotted path), so this
    app imports none of the apps that depend on it."""
    return [
        import_string(config.client_admin_extension)
        for config in apps.get_app_configs()
        if getattr(config, "client_admin_extension", None)
    ]


admin.site.register(
    Client,
    type(
        "ClientAdmin",
        (*client_admin_extensions(), ClientAdmin),
        {"__module__": __name__, "__doc__": ClientAdmin.__doc__},
    ),
)
