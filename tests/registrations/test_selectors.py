from datetime import UTC, datetime
from decimal import Decimal

import pytest

from registrations.errors import ProducerNotFound
from registrations.selectors import producer_for_user, registrations_with_details
from tests.factories import (
    DeclarationFactory,
    FrontendUserFactory,
    ProducerFactory,
    RegistrationFactory,
    SellerFactory,
    SellerStripeConfigFactory,
)


@pytest.mark.django_db
def test_producer_for_user_finds_a_producer_the_user_may_act_on(
    organization, frontend_user, producer
):
    found = producer_for_user(
        organization=organization, user_bubble_id=frontend_user.bubble_id, nrn=producer.nrn
    )

    assert found == producer


@pytest.mark.django_db
@pytest.mark.parametrize("case", ["unknown user", "unknown nrn", "not the users", "other org"])
def test_producer_for_user_answers_not_found_alike(
    case, organization, other_organization, frontend_user, producer
):
    user_bubble_id, nrn, scope = frontend_user.bubble_id, producer.nrn, organization
    if case == "unknown user":
        user_bubble_id = "1708x0"
    elif case == "unknown nrn":
        nrn = "0"
    elif case == "not the users":
        nrn = ProducerFactory(organization=organization).nrn
    else:
        scope = other_organization

    with pytest.raises(ProducerNotFound) as raised:
        producer_for_user(organization=scope, user_bubble_id=user_bubble_id, nrn=nrn)

    assert raised.value.as_dict() == {
        "error": "ALGOREP_028",
        "message": "No Company Found With This NRN",
        "details": {"UserBubbleId": user_bubble_id, "ProducerNrn": nrn},
    }


@pytest.mark.django_db
def test_producer_for_user_ignores_a_user_of_another_organization_with_the_same_bubble_id(
    organization, other_organization, producer, frontend_user
):
    twin = FrontendUserFactory(organization=other_organization, bubble_id="1708xTWIN")
    producer.users.add(twin)

    with pytest.raises(ProducerNotFound):
        producer_for_user(organization=organization, user_bubble_id="1708xTWIN", nrn=producer.nrn)


@pytest.mark.django_db
def test_details_sum_the_declarations_and_take_the_last_payment(producer, refashion):
    registration = RegistrationFactory(producer=producer, scheme=refashion)
    last = datetime(2024, 1, 19, 12, 45, 4, 147000, tzinfo=UTC)
    DeclarationFactory(
        registration=registration,
        product_count=30,
        quantity=254,
        amount=Decimal("30150.00"),
        paid_at=last,
    )
    DeclarationFactory(
        registration=registration,
        product_count=42,
        quantity=400,
        amount=Decimal("42372.45"),
        paid_at=datetime(2023, 1, 1, tzinfo=UTC),
    )
    DeclarationFactory(
        registration=registration, product_count=0, quantity=0, amount=0, paid_at=None
    )

    (detailed,) = registrations_with_details(producer=producer, registration_ids=[registration.pk])

    assert detailed.count_products_scheme == 72
    assert detailed.total_quantity_scheme == 654
    assert detailed.total_amount_scheme == Decimal("72522.45")
    assert detailed.producer_paid_at == last


@pytest.mark.django_db
def test_details_are_null_without_declarations(producer, refashion):
    registration = RegistrationFactory(producer=producer, scheme=refashion)

    (detailed,) = registrations_with_details(producer=producer, registration_ids=[registration.pk])

    assert detailed.count_products_scheme is None
    assert detailed.total_quantity_scheme is None
    assert detailed.total_amount_scheme is None
    assert detailed.producer_paid_at is None


@pytest.mark.django_db
def test_details_take_the_stripe_config_of_the_producers_seller_for_the_scheme(
    organization, producer, refashion, citeo
):
    ours = SellerStripeConfigFactory(seller=producer.seller, scheme=refashion)
    SellerStripeConfigFactory(seller=SellerFactory(organization=organization), scheme=citeo)
    with_config = RegistrationFactory(producer=producer, scheme=refashion)
    without_config = RegistrationFactory(producer=producer, scheme=citeo)

    detailed = registrations_with_details(
        producer=producer, registration_ids=[with_config.pk, without_config.pk]
    )

    assert [r.seller_stripe_config for r in detailed] == [ours, None]


@pytest.mark.django_db
def test_details_keep_the_order_and_repeats_of_the_ids(producer, refashion, citeo):
    first = RegistrationFactory(producer=producer, scheme=refashion)
    second = RegistrationFactory(producer=producer, scheme=citeo)

    detailed = registrations_with_details(
        producer=producer, registration_ids=[second.pk, first.pk, second.pk]
    )

    assert [r.pk for r in detailed] == [second.pk, first.pk, second.pk]


@pytest.mark.django_db
def test_details_of_no_ids_ask_nothing(producer, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert registrations_with_details(producer=producer, registration_ids=[]) == []
