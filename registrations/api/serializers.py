"""The `/users` registrations contract: camelCase names over the models' snake_case fields."""

from datetime import UTC

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.strict_input import UnknownFieldsRefusedMixin
from registrations.errors import (
    InvalidRegistrations,
    MethodNotAllowed,
    NotAuthenticated,
    ProducerNotFound,
    RegistrationsError,
    RouteNotFound,
    TooManyRequests,
    UnsupportedMediaType,
)
from registrations.services import MAX_LENGTHS


class MillisecondDateTimeField(serializers.DateTimeField):
    """A UTC timestamp written as the contract does: `2024-01-19T12:45:04.147Z`."""

    def to_representation(self, value):
        return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class JsonNumberField(serializers.DecimalField):
    """A decimal written as a JSON number, without trailing zeros: `42`, `72522.45`."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 18)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("coerce_to_string", False)
        super().__init__(**kwargs)

    def to_representation(self, value):
        number = super().to_representation(value)
        return int(number) if number == number.to_integral_value() else float(number)


class RegistrationUpsertItemSerializer(UnknownFieldsRefusedMixin, serializers.Serializer):
    """One registration to upsert. `id`, `createdAt` and `updatedAt` belong to the server and
    are ignored when sent; any other field not below is refused."""

    ignored_fields = frozenset({"id", "createdAt", "updatedAt"})

    bubbleId = serializers.CharField(
        source="bubble_id",
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=MAX_LENGTHS["bubble_id"],
        help_text="Bubble unique ID of the Registration. It can be null if the Registration was "
        "not created on Bubble at first.",
    )
    producerBubbleId = serializers.CharField(
        source="producer_bubble_id",
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=MAX_LENGTHS["producer_bubble_id"],
        help_text="Bubble unique ID of the Producer; when given, the path's producer's.",
    )
    producerId = serializers.UUIDField(
        source="producer_id",
        required=False,
        allow_null=True,
        help_text="Database UUID of the Producer; when given, the path's producer's.",
    )
    schemeProBubbleId = serializers.CharField(
        source="scheme_pro_bubble_id",
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=MAX_LENGTHS["scheme_pro_bubble_id"],
        help_text="Bubble unique ID of the SchemePro.",
    )
    schemeProId = serializers.UUIDField(
        source="scheme_pro_id",
        required=False,
        allow_null=True,
        help_text="Database UUID of the SchemePro. This or schemeProBubbleId is required to "
        "create a registration; both given must name the same scheme.",
    )
    uin = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=MAX_LENGTHS["uin"],
        help_text="Uin given by ADEME or equivalent",
    )
    proMemberId = serializers.CharField(
        source="pro_member_id",
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=MAX_LENGTHS["pro_member_id"],
        help_text="External id given by pro",
    )
    status = serializers.CharField(
        required=False, allow_null=True, allow_blank=True, max_length=MAX_LENGTHS["status"]
    )
    schemeDepositAmount = serializers.DecimalField(
        source="scheme_deposit_amount",
        required=False,
        allow_null=True,
        max_digits=12,
        decimal_places=2,
        coerce_to_string=False,
    )
    isExternalRegistration = serializers.BooleanField(
        source="is_external_registration", required=False
    )
    uinReceivedAt = serializers.DateTimeField(
        source="uin_received_at", required=False, allow_null=True
    )
    registrationSentToProAt = serializers.DateTimeField(
        source="registration_sent_to_pro_at", required=False, allow_null=True
    )

    @classmethod
    def field_names_by_source(cls) -> dict[str, str]:
        """`{"scheme_pro_id": "schemeProId", ...}`, to name the service's errors as sent."""
        return {field.source: name for name, field in cls().fields.items()}


class RegistrationCountrySerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="Database UUID of the Country")
    bubbleId = serializers.CharField(
        source="bubble_id", allow_null=True, help_text="Bubble unique ID of the Country."
    )
    codeIso2 = serializers.CharField(source="code")
    isVat = serializers.BooleanField(source="is_vat")
    nameEN = serializers.CharField(source="name_en")
    nameFR = serializers.CharField(source="name_fr")
    nameZH = serializers.CharField(source="name_zh")
    eprActivated = serializers.BooleanField(source="epr_activated")
    createdAt = MillisecondDateTimeField(source="created_at")
    updatedAt = MillisecondDateTimeField(source="updated_at")


class RegistrationSellerSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="Database UUID of the Seller")
    bubbleId = serializers.CharField(
        source="bubble_id", allow_null=True, help_text="Bubble unique ID of the Seller"
    )
    companyName = serializers.CharField(source="company_name")
    nrn = serializers.CharField()
    vat = serializers.CharField()
    companyAddress = serializers.CharField(source="company_address")
    companyLogo = serializers.CharField(source="company_logo")
    superAdminEmail = serializers.CharField(source="super_admin_email")
    superAdminMobilePhone = serializers.CharField(source="super_admin_mobile_phone")
    superAdminFirstName = serializers.CharField(source="super_admin_first_name")
    superAdminLastName = serializers.CharField(source="super_admin_last_name")
    registrationFeesId = serializers.CharField(source="registration_fees_id")
    declarationBasicFeesId = serializers.CharField(source="declaration_basic_fees_id")
    declarationPremiumFeesId = serializers.CharField(source="declaration_premium_fees_id")
    connectAlgorepId = serializers.CharField(source="connect_algorep_id")
    commissionPercentage = serializers.DecimalField(
        source="commission_percentage", max_digits=5, decimal_places=2, allow_null=True
    )
    createdAt = MillisecondDateTimeField(source="created_at")
    updatedAt = MillisecondDateTimeField(source="updated_at")


class RegistrationSellerStripeConfigSerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text="Database UUID of the SellerSchemeProStripeConfig")
    sellerId = serializers.UUIDField(source="seller_id", help_text="Database UUID of the Seller")
    schemeProId = serializers.UUIDField(
        source="scheme_id", help_text="Database UUID of the SchemePro"
    )
    depositPriceId = serializers.CharField(source="deposit_price_id")
    ecoContributionPriceId = serializers.CharField(source="eco_contribution_price_id")
    connectId = serializers.CharField(source="connect_id")
    createdAt = MillisecondDateTimeField(source="created_at")
    updatedAt = MillisecondDateTimeField(source="updated_at")


class RegistrationSchemeProSerializer(serializers.Serializer):
    """A registration's scheme, with what the producer's side adds to it (seller, stripe
    config, product count): it renders the registration itself (`source="*"`)."""

    id = serializers.UUIDField(source="scheme.id", help_text="Database UUID of the SchemePro")
    bubbleId = serializers.CharField(
        source="scheme.bubble_id", allow_null=True, help_text="Bubble unique ID of the SchemePro."
    )
    ecoOrganismName = serializers.CharField(source="scheme.eco_organism")
    eprCountryCode = serializers.CharField(source="scheme.pro.country.code")
    schemeCode = serializers.CharField(source="scheme.scheme_code")
    ademeSchemeCode = serializers.CharField(source="scheme.ademe_scheme_code")
    currencyDeposit = serializers.CharField(source="scheme.currency_deposit")
    declarationFrequency = serializers.CharField(source="scheme.declaration_frequency")
    proAddress = serializers.CharField(source="scheme.pro.address")
    proCity = serializers.CharField(source="scheme.pro.city")
    proZipCode = serializers.CharField(source="scheme.pro.zip_code")
    proCountryBubbleId = serializers.CharField(
        source="scheme.pro.country.bubble_id", allow_null=True
    )
    proCountryId = serializers.UUIDField(source="scheme.pro.country_id")
    proLogo = serializers.CharField(source="scheme.pro.logo")
    registrationDeposit = JsonNumberField(source="scheme.registration_deposit", allow_null=True)
    schemeNameEn = serializers.CharField(source="scheme.scheme_name_en")
    schemeNameFr = serializers.CharField(source="scheme.scheme_name_fr")
    schemePartner = serializers.BooleanField(source="scheme.scheme_partner")
    createdAt = MillisecondDateTimeField(source="scheme.created_at")
    updatedAt = MillisecondDateTimeField(source="scheme.updated_at")
    countProductsScheme = serializers.IntegerField(
        source="count_products_scheme",
        allow_null=True,
        help_text="Number of Products for this Scheme if any: the products this producer "
        "declared under the scheme (a producer has one registration per scheme, so this equals "
        "the registration's countProductsScheme).",
    )
    country = RegistrationCountrySerializer(source="scheme.pro.country")
    seller = RegistrationSellerSerializer(
        source="producer.seller", allow_null=True, help_text="The producer's seller."
    )
    sellerStripeConfig = RegistrationSellerStripeConfigSerializer(
        source="seller_stripe_config",
        allow_null=True,
        help_text="The seller's Stripe config for this scheme, null if it has none.",
    )


class RegistrationSerializer(serializers.Serializer):
    """A registration as the upsert answers it (see registrations_with_details)."""

    id = serializers.UUIDField(help_text="Database UUID of the Registration")
    bubbleId = serializers.CharField(
        source="bubble_id",
        allow_null=True,
        help_text="Bubble unique ID of the Registration. It can be null if the Registration was "
        "not created on Bubble at first.",
    )
    producerBubbleId = serializers.CharField(
        source="producer.bubble_id", allow_null=True, help_text="Bubble unique ID of the Producer."
    )
    producerId = serializers.UUIDField(
        source="producer_id", help_text="Database UUID of the Producer"
    )
    schemeProBubbleId = serializers.CharField(
        source="scheme.bubble_id", allow_null=True, help_text="Bubble unique ID of the SchemePro."
    )
    schemeProId = serializers.UUIDField(
        source="scheme_id", help_text="Database UUID of the SchemePro"
    )
    uin = serializers.CharField(allow_null=True, help_text="Uin given by ADEME or equivalent")
    proMemberId = serializers.CharField(
        source="pro_member_id", allow_null=True, help_text="External id given by pro"
    )
    status = serializers.CharField(allow_null=True)
    schemeDepositAmount = JsonNumberField(source="scheme_deposit_amount", allow_null=True)
    isExternalRegistration = serializers.BooleanField(source="is_external_registration")
    uinReceivedAt = MillisecondDateTimeField(source="uin_received_at", allow_null=True)
    registrationSentToProAt = MillisecondDateTimeField(
        source="registration_sent_to_pro_at", allow_null=True
    )
    createdAt = MillisecondDateTimeField(source="created_at")
    updatedAt = MillisecondDateTimeField(source="updated_at")
    schemePro = RegistrationSchemeProSerializer(source="*")
    countProductsScheme = serializers.IntegerField(
        source="count_products_scheme",
        allow_null=True,
        help_text="Number of Products for this Registration/Scheme: the sum over its declarations.",
    )
    totalQuantityScheme = serializers.IntegerField(
        source="total_quantity_scheme",
        allow_null=True,
        help_text="Quantity of products for this Registration/Scheme: the sum over its "
        "declarations.",
    )
    totalAmountScheme = JsonNumberField(
        source="total_amount_scheme",
        allow_null=True,
        help_text="Amount estimated or paid for this Registration/Scheme: the sum over its "
        "declarations.",
    )
    producerPaidAt = MillisecondDateTimeField(
        source="producer_paid_at",
        allow_null=True,
        help_text="Date at which producer paid for this declaration: the latest payment.",
    )


ERRORS = (
    RegistrationsError,
    InvalidRegistrations,
    ProducerNotFound,
    NotAuthenticated,
    MethodNotAllowed,
    UnsupportedMediaType,
    RouteNotFound,
    TooManyRequests,
)


@extend_schema_field(
    {
        "type": "string",
        "pattern": "^ALGOREP_[0-9]{3}$",
        "description": "; ".join(f"{error.code}: {error.default_message}" for error in ERRORS),
    }
)
class ErrorCodeField(serializers.CharField):
    pass


class RegistrationsErrorSerializer(serializers.Serializer):
    error = ErrorCodeField()
    message = serializers.CharField()
    details = serializers.DictField(
        required=False,
        help_text="For ALGOREP_005, the problems by item index (as a string) and field, "
        'e.g. {"0": {"schemeDepositAmount": ["A valid number is required."]}}; for ALGOREP_029, '
        "`retryAfter`: the seconds to wait, as the `Retry-After` header says.",
    )
