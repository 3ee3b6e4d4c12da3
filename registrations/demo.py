"""The contract's example records, so its curl example works as written against `make run`.

The seed (002) shows one registration of the producer NRN 34368801600504, acting through the
frontend user 1708861331497x933611102973227500, with the LEKO scheme
50658c1e-356e-4407-b120-d110552292d8 in France. The seed uses that UUID for the producer as well
(its request's `producerId`), and for every other record; the producer must have it. LEKO is the
catalog's French PRO Léko, sold under the name "LEKO" by this scheme. The scheme's names are the
textiles stream's, so its report type is Textiles: in the demo catalog Léko takes textiles, which
the real Léko does not (Refashion does).
"""

from datetime import UTC, datetime
from decimal import Decimal
from uuid import UUID

from clients.models import Organization
from registrations.models import (
    Declaration,
    FrontendUser,
    Producer,
    Registration,
    Seller,
    SellerSchemeProStripeConfig,
)
from reporting.models import Country, Pro, ReportType, Scheme

SEED_ID = UUID("50658c1e-356e-4407-b120-d110552292d8")
SEED_BUBBLE_ID = "1708861331497x933611102973227500"
FRANCE_BUBBLE_ID = "1699973781289x474882884422860800"
SEED_TIME = datetime(2024, 1, 19, 12, 45, 4, 147000, tzinfo=UTC)
USER_BUBBLE_ID = SEED_BUBBLE_ID
PRODUCER_NRN = "34368801600504"
DECLARATIONS = [
    # period, products, quantity, amount, paid at: together the seed's 72, 654, 72522.45.
    ("2022", 30, 254, Decimal("30150.00"), datetime(2023, 2, 14, 9, 30, tzinfo=UTC)),
    ("2023", 42, 400, Decimal("42372.45"), SEED_TIME),
]


def _leko_scheme() -> Scheme:
    france = Country.objects.get(code="FR")
    if france.bubble_id is None:
        france.bubble_id = FRANCE_BUBBLE_ID
        france.save(update_fields=["bubble_id", "updated_at"])
    leko = Pro.objects.get(country=france, name__iexact="Léko")
    if not (leko.address or leko.city or leko.zip_code or leko.logo):
        leko.address = "14, Boulevard de la Chapelle"
        leko.city = "Paris"
        leko.zip_code = "75018"
        leko.logo = "https://my-logo"
        leko.save()
    scheme, _ = Scheme.objects.update_or_create(
        id=SEED_ID,
        defaults={
            "pro": leko,
            "report_type": ReportType.objects.get(code="Textiles"),
            "bubble_id": SEED_BUBBLE_ID,
            "eco_organism_name": "LEKO",
            "scheme_code": "EMPAP",
            "ademe_scheme_code": "PCHIM",
            "currency_deposit": "€",
            "declaration_frequency": "Annuel",
            "registration_deposit": Decimal("77"),
            "scheme_name_en": "Clothing textiles, household linens and shoes",
            "scheme_name_fr": "Textiles d'habillement, Linge de maison et Chaussures",
            "scheme_partner": True,
        },
    )
    return scheme


def seed(*, organization: Organization) -> None:
    """Create or refresh the seed's records for `organization`; safe to run again."""
    scheme = _leko_scheme()
    seller, _ = Seller.objects.update_or_create(
        id=SEED_ID,
        defaults={
            "organization": organization,
            "bubble_id": SEED_BUBBLE_ID,
            "company_name": "Coca-Cola",
            "nrn": "45649879465",
            "vat": "FR95645645678",
            "company_address": "42 RUE VICTOR HUGO",
            "company_logo": "https://my-url",
            "super_admin_email": "super-admin@email.com",
            "super_admin_mobile_phone": "0609921214",
            "super_admin_first_name": "Nicolas",
            "super_admin_last_name": "Delalande",
            "registration_fees_id": "string",
            "declaration_basic_fees_id": "string",
            "declaration_premium_fees_id": "string",
            "connect_algorep_id": "string",
            "commission_percentage": Decimal("10.00"),
        },
    )
    SellerSchemeProStripeConfig.objects.update_or_create(
        id=SEED_ID,
        defaults={
            "seller": seller,
            "scheme": scheme,
            "deposit_price_id": "some-id",
            "eco_contribution_price_id": "some-id",
            "connect_id": "some-id",
        },
    )
    user, _ = FrontendUser.objects.update_or_create(
        organization=organization,
        bubble_id=USER_BUBBLE_ID,
        defaults={"email": "demo.producer@example.com"},
    )
    producer, _ = Producer.objects.update_or_create(
        id=SEED_ID,
        defaults={
            "organization": organization,
            "nrn": PRODUCER_NRN,
            "bubble_id": SEED_BUBBLE_ID,
            "company_name": "Demo Textiles SAS",
            "seller": seller,
        },
    )
    producer.users.add(user)
    registration, _ = Registration.objects.update_or_create(
        id=SEED_ID,
        defaults={
            "producer": producer,
            "scheme": scheme,
            "bubble_id": SEED_BUBBLE_ID,
            "uin": "5raeztrytegrfezrgtrhytuy",
            "pro_member_id": "AGJYRTYH987",
            "status": "4 - PendingPro",
            "scheme_deposit_amount": Decimal("42"),
            "is_external_registration": False,
            "uin_received_at": SEED_TIME,
            "registration_sent_to_pro_at": SEED_TIME,
        },
    )
    for period, product_count, quantity, amount, paid_at in DECLARATIONS:
        Declaration.objects.update_or_create(
            registration=registration,
            period=period,
            defaults={
                "product_count": product_count,
                "quantity": quantity,
                "amount": amount,
                "paid_at": paid_at,
            },
        )
