"""The bench producer for the registrations upsert: a seller, a frontend user, a producer and
as many bench schemes (with the seller's Stripe config each) as registrations in one upsert.

A producer has at most one registration per scheme, and the shipped catalog has fewer than
100 schemes, so the bench adds schemes `BENCH001`... to existing PROs and report types.
"""

from datetime import UTC, datetime

from clients.models import Organization
from reporting.models import Scheme

USER_BUBBLE_ID = "bench-frontend-user"
PRODUCER_NRN = "99999999900001"
SCHEME_CODE_PREFIX = "BENCH"
SENT_AT = datetime(2024, 1, 19, 12, 45, 4, tzinfo=UTC).isoformat()


def bench_schemes(count: int) -> list[Scheme]:
    offers = list(
        Scheme.objects.exclude(scheme_code__startswith=SCHEME_CODE_PREFIX)
        .order_by("pro__country__code", "pro__name", "report_type__code")
        .values_list("pro_id", "report_type_id")
        .distinct()
    )
    schemes = []
    for number in range(1, count + 1):
        pro_id, report_type_id = offers[(number - 1) % len(offers)]
        scheme, _ = Scheme.objects.get_or_create(
            pro_id=pro_id,
            report_type_id=report_type_id,
            scheme_code=f"{SCHEME_CODE_PREFIX}{number:03d}",
            defaults={
                "scheme_name_en": f"Bench scheme {number}",
                "registration_deposit": 42,
                "declaration_frequency": "Annual",
            },
        )
        schemes.append(scheme)
    return schemes


def registrations_fixture(organization: Organization, count: int) -> tuple[str, list[dict]]:
    """The upsert's path and `count` registration items of the bench producer."""
    from registrations.models import FrontendUser, Producer, Seller, SellerSchemeProStripeConfig

    schemes = bench_schemes(count)
    seller, _ = Seller.objects.update_or_create(
        organization=organization,
        bubble_id="bench-seller",
        defaults={"company_name": "Bench Seller SAS", "nrn": "99999999900000"},
    )
    for scheme in schemes:
        SellerSchemeProStripeConfig.objects.get_or_create(
            seller=seller,
            scheme=scheme,
            defaults={"deposit_price_id": "price_bench", "connect_id": "acct_bench"},
        )
    user, _ = FrontendUser.objects.get_or_create(
        organization=organization,
        bubble_id=USER_BUBBLE_ID,
        defaults={"email": "bench.producer@example.com"},
    )
    producer, _ = Producer.objects.update_or_create(
        organization=organization,
        nrn=PRODUCER_NRN,
        defaults={
            "company_name": "Bench Producer GmbH",
            "bubble_id": "bench-producer",
            "seller": seller,
        },
    )
    producer.users.add(user)
    items = [
        {
            "bubbleId": f"bench-registration-{number:03d}",
            "producerId": str(producer.pk),
            "schemeProId": str(scheme.pk),
            "uin": f"UIN{number:06d}",
            "proMemberId": f"M{number:05d}",
            "status": "1 - Bench",
            "schemeDepositAmount": 42.5,
            "isExternalRegistration": False,
            "uinReceivedAt": SENT_AT,
            "registrationSentToProAt": SENT_AT,
        }
        for number, scheme in enumerate(schemes, start=1)
    ]
    return f"/users/{USER_BUBBLE_ID}/producers/{PRODUCER_NRN}/registrations", items
