from decimal import Decimal

from django.contrib import admin
from django.db.models import Prefetch
from django.utils.dateparse import parse_datetime
from django.utils.formats import date_format
from django.utils.timezone import localtime

from clients.client_page import ClientPageSection
from clients.models import Organization
from clients.search import folded_search_fields
from clients.tenancy import OrganizationScopedAdminMixin, organization_for_user
from registrations.models import (
    Declaration,
    FrontendUser,
    Producer,
    Registration,
    Seller,
    SellerSchemeProStripeConfig,
)
from registrations.selectors import registrations_with_totals
from reporting.models import Scheme

CENTS = Decimal("0.01")
ORGANIZATION_OWNED = (FrontendUser, Producer, Registration, Seller)


class RegistrationsAdminMixin(OrganizationScopedAdminMixin):
    """Members pick related rows of their own organization only, and their organization is
    filled in (shown, not editable) so its uniqueness rules are checked on the form."""

    def _narrow(self, db_field, request, kwargs) -> None:
        model = db_field.related_model
        if model is Scheme:
            # A scheme's name shows its PRO, country and report type.
            kwargs["queryset"] = Scheme.objects.select_related("pro__country", "report_type")
        if request.user.is_superuser:
            return
        organization = organization_for_user(request.user)
        if model is Organization:
            kwargs["queryset"] = Organization.objects.filter(pk=getattr(organization, "pk", None))
            kwargs["initial"] = organization
            kwargs["disabled"] = True
        elif model in ORGANIZATION_OWNED:
            kwargs["queryset"] = model.objects.of(organization)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        self._narrow(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        self._narrow(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Seller)
class SellerAdmin(RegistrationsAdminMixin, admin.ModelAdmin):
    list_display = ["company_name", "nrn", "vat", "super_admin_email", "bubble_id", "updated_at"]
    list_filter = ["created_at", "updated_at"]
    search_fields = ["company_name", "nrn", "vat", "bubble_id", "super_admin_email"]
    readonly_fields = ["id", "created_at", "updated_at"]


@admin.register(SellerSchemeProStripeConfig)
class SellerSchemeProStripeConfigAdmin(RegistrationsAdminMixin, admin.ModelAdmin):
    organization_path = "seller__organization"
    list_display = ["seller", "scheme", "deposit_price_id", "eco_contribution_price_id"]
    list_filter = [
        ("seller", admin.RelatedOnlyFieldListFilter),
        "scheme__pro__country",
        "scheme__report_type",
    ]
    search_fields = [
        "seller__company_name",
        "scheme__pro__name",
        "scheme__scheme_code",
        "deposit_price_id",
        "eco_contribution_price_id",
        "connect_id",
    ]
    list_select_related = ["seller", "scheme__pro__country", "scheme__report_type"]
    # The catalog's admin is superuser-only, so its autocomplete would refuse members: schemes
    # are a plain select (the catalog has a few hundred at most).
    autocomplete_fields = ["seller"]
    readonly_fields = ["id", "created_at", "updated_at"]


@admin.register(FrontendUser)
class FrontendUserAdmin(RegistrationsAdminMixin, admin.ModelAdmin):
    list_display = ["bubble_id", "email", "created_at"]
    list_filter = ["created_at"]
    search_fields = ["bubble_id", "email", "producers__nrn", "producers__company_name"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Producer)
class ProducerAdmin(RegistrationsAdminMixin, admin.ModelAdmin):
    list_display = ["company_name", "nrn", "bubble_id", "seller", "client"]
    list_filter = [
        ("seller", admin.RelatedOnlyFieldListFilter),
        ("client", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = [
        "company_name",
        "nrn",
        "bubble_id",
        "seller__company_name",
        *folded_search_fields("client__name"),
        "users__bubble_id",
        "users__email",
    ]
    list_select_related = ["seller", "client"]
    # The client admin's search (name, aliases) within the member's organization.
    autocomplete_fields = ["seller", "users", "client"]
    readonly_fields = ["id", "created_at", "updated_at"]


class DeclarationInline(RegistrationsAdminMixin, admin.TabularInline):
    organization_path = "registration__organization"
    model = Declaration
    extra = 0
    fields = ["period", "product_count", "quantity", "amount", "paid_at"]


@admin.register(Registration)
class RegistrationAdmin(RegistrationsAdminMixin, admin.ModelAdmin):
    list_display = [
        "producer",
        "scheme",
        "status",
        "uin",
        "bubble_id",
        "is_external_registration",
        "total_amount",
        "paid_at",
        "updated_at",
    ]
    list_filter = [
        "status",
        "is_external_registration",
        "scheme__pro__country",
        "scheme__report_type",
        ("producer__seller", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = [
        "producer__company_name",
        "producer__nrn",
        "bubble_id",
        "uin",
        "pro_member_id",
        "scheme__pro__name",
        "scheme__scheme_code",
        "scheme__eco_organism_name",
    ]
    list_select_related = ["producer", "scheme__pro__country", "scheme__report_type"]
    autocomplete_fields = ["producer"]
    readonly_fields = [
        "id",
        "product_count",
        "total_quantity",
        "total_amount",
        "paid_at",
        "created_at",
        "updated_at",
    ]
    inlines = [DeclarationInline]

    def get_queryset(self, request):
        # The totals the API answers for a registration, computed the same way.
        return registrations_with_totals(super().get_queryset(request))

    def get_search_results(self, request, queryset, search_term):
        # The declaration form's registration autocomplete names each result by its producer
        # and scheme: read them with the results, not one query each.
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        queryset = queryset.select_related(
            "producer", "scheme__pro__country", "scheme__report_type"
        )
        return queryset, may_have_duplicates

    @admin.display(description="products (all declarations)", ordering="count_products_scheme")
    def product_count(self, registration: Registration):
        return _or_dash(getattr(registration, "count_products_scheme", None))

    @admin.display(description="quantity (all declarations)", ordering="total_quantity_scheme")
    def total_quantity(self, registration: Registration):
        return _or_dash(getattr(registration, "total_quantity_scheme", None))

    @admin.display(description="amount (all declarations)", ordering="total_amount_scheme")
    def total_amount(self, registration: Registration):
        amount = getattr(registration, "total_amount_scheme", None)
        return _or_dash(None if amount is None else Decimal(amount).quantize(CENTS))

    @admin.display(description="paid (last payment)", ordering="producer_paid_at")
    def paid_at(self, registration: Registration):
        paid_at = getattr(registration, "producer_paid_at", None)
        if isinstance(paid_at, str):
            # SQLite answers the latest of the declarations' datetimes as text.
            paid_at = parse_datetime(paid_at)
        if paid_at is None:
            return "—"
        return date_format(localtime(paid_at), "DATETIME_FORMAT")


def _or_dash(value):
    # Missing on a page not loaded through get_queryset (the add page) or without declarations.
    return "—" if value is None else value


@admin.register(Declaration)
class DeclarationAdmin(RegistrationsAdminMixin, admin.ModelAdmin):
    organization_path = "registration__organization"
    list_display = ["registration", "period", "product_count", "quantity", "amount", "paid_at"]
    list_filter = ["period", "paid_at", "registration__scheme__pro__country"]
    search_fields = [
        "period",
        "registration__bubble_id",
        "registration__producer__company_name",
        "registration__producer__nrn",
    ]
    list_select_related = [
        "registration__producer",
        "registration__scheme__pro__country",
        "registration__scheme__report_type",
    ]
    autocomplete_fields = ["registration"]


class ClientRegistrationsAdminMixin:
    """What this app adds to the client admin (clients.admin.client_admin_extensions): the
    producers linked to the client and their registrations, read-only on the client's page,
    each linking to its own admin page."""

    def client_page_sections(self, request, client) -> list[ClientPageSection]:
        registrations = Registration.objects.select_related(
            "scheme__pro__country", "scheme__report_type"
        ).order_by("scheme__pro__country__code", "scheme__pro__name", "created_at")
        producers = (
            Producer.objects.filter(client=client, organization_id=client.organization_id)
            .select_related("seller")
            .prefetch_related(Prefetch("registrations", queryset=registrations))
        )
        return [
            *super().client_page_sections(request, client),
            ClientPageSection(
                template="admin/registrations/client/registrations_section.html",
                order=30,
                context={"producers": list(producers)},
            ),
        ]
