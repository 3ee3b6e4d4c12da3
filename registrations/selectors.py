"""Reads of producers and their registrations."""

from collections.abc import Sequence
from uuid import UUID

from django.db.models import Max, QuerySet, Sum

from clients.models import Organization
from registrations.errors import ProducerNotFound
from registrations.models import Producer, Registration, SellerSchemeProStripeConfig


def producer_for_user(*, organization: Organization, user_bubble_id: str, nrn: str) -> Producer:
    """The producer with `nrn` that the frontend user `user_bubble_id` may act on.

    An unknown user, an unknown NRN and a producer the user may not act on are the same answer,
    so a caller learns nothing about what exists; other organizations' rows are never looked at.
    """
    if "\x00" in user_bubble_id + nrn:
        # No stored value holds NUL (PostgreSQL text cannot), and the database refuses to
        # compare with one.
        raise ProducerNotFound(details={"UserBubbleId": user_bubble_id, "ProducerNrn": nrn})
    producer = (
        Producer.objects.of(organization)
        .select_related("seller")
        .filter(
            nrn=nrn,
            users__organization=organization,
            users__bubble_id=user_bubble_id,
        )
        .first()
    )
    if producer is None:
        raise ProducerNotFound(details={"UserBubbleId": user_bubble_id, "ProducerNrn": nrn})
    return producer


def registrations_with_totals(registrations: QuerySet[Registration]) -> QuerySet[Registration]:
    """`registrations` with the totals of their declarations: `count_products_scheme`,
    `total_quantity_scheme`, `total_amount_scheme` and `producer_paid_at` (the last payment);
    all None without declarations."""
    return registrations.annotate(
        count_products_scheme=Sum("declarations__product_count"),
        total_quantity_scheme=Sum("declarations__quantity"),
        total_amount_scheme=Sum("declarations__amount"),
        producer_paid_at=Max("declarations__paid_at"),
    )


def registrations_with_details(
    *, producer: Producer, registration_ids: Sequence[UUID]
) -> list[Registration]:
    """The producer's registrations in the order of `registration_ids`, ready to render.

    Each carries its scheme with PRO and country, the producer's seller, the seller's stripe
    config for the scheme (`seller_stripe_config`, None if there is none) and the totals of its
    declarations (`count_products_scheme`, `total_quantity_scheme`, `total_amount_scheme`,
    `producer_paid_at`: the last payment; all None without declarations). Two queries, whatever
    the number of registrations.
    """
    if not registration_ids:
        return []
    rows = (
        registrations_with_totals(
            Registration.objects.filter(producer=producer, pk__in=set(registration_ids))
        )
    ).select_related("producer__seller", "scheme__pro__country")
    by_id = {registration.pk: registration for registration in rows}
    configs = {}
    if producer.seller_id:
        configs = {
            config.scheme_id: config
            for config in SellerSchemeProStripeConfig.objects.filter(
                seller_id=producer.seller_id,
                scheme_id__in={registration.scheme_id for registration in by_id.values()},
            )
        }
    for registration in by_id.values():
        registration.seller_stripe_config = configs.get(registration.scheme_id)
    return [by_id[registration_id] for registration_id in registration_ids]
