import uuid
from decimal import Decimal

import pytest
from django.db import IntegrityError

from registrations.errors import InvalidRegistrations
from registrations.models import Registration
from registrations.services import MAX_REGISTRATIONS_PER_UPSERT, registrations_upsert
from tests.factories import ProducerFactory, RegistrationFactory


@pytest.mark.django_db
def test_upsert_creates_a_registration_per_new_scheme(producer, refashion, citeo):
    written = registrations_upsert(
        producer=producer,
        items=[
            {"scheme_pro_id": refashion.pk, "uin": "A", "scheme_deposit_amount": Decimal("42")},
            {"scheme_pro_bubble_id": refashion.bubble_id, "status": "S"},
            {"scheme_pro_id": citeo.pk, "bubble_id": "1711x2"},
        ],
    )

    assert Registration.objects.count() == 2
    assert written[0] is written[1]
    assert (written[0].uin, written[0].status) == ("A", "S")
    assert written[2].bubble_id == "1711x2"
    assert all(r.organization_id == producer.organization_id for r in written)


@pytest.mark.django_db
def test_upsert_matches_by_bubble_id_before_scheme(producer, refashion, citeo):
    by_bubble = RegistrationFactory(producer=producer, scheme=refashion, bubble_id="1711x1")
    RegistrationFactory(producer=producer, scheme=citeo, bubble_id=None)

    (written,) = registrations_upsert(
        producer=producer, items=[{"bubble_id": "1711x1", "status": "matched"}]
    )

    assert written.pk == by_bubble.pk
    assert Registration.objects.get(pk=by_bubble.pk).status == "matched"


@pytest.mark.django_db
def test_upsert_moves_a_registration_to_the_scheme_sent_with_its_bubble_id(
    producer, refashion, citeo
):
    registration = RegistrationFactory(producer=producer, scheme=refashion, bubble_id="1711x1")

    registrations_upsert(
        producer=producer, items=[{"bubble_id": "1711x1", "scheme_pro_id": citeo.pk}]
    )

    registration.refresh_from_db()
    assert registration.scheme == citeo


@pytest.mark.django_db
def test_upsert_keeps_null_text_and_null_values_as_null(producer, refashion):
    RegistrationFactory(
        producer=producer,
        scheme=refashion,
        bubble_id="1711x1",
        uin="U",
        scheme_deposit_amount=Decimal("1"),
    )

    (written,) = registrations_upsert(
        producer=producer,
        items=[{"bubble_id": "1711x1", "uin": None, "scheme_deposit_amount": None}],
    )

    written.refresh_from_db()
    assert (written.uin, written.scheme_deposit_amount) == (None, None)


@pytest.mark.django_db
def test_upsert_sets_updated_at_on_the_registrations_it_updates(producer, refashion):
    registration = RegistrationFactory(producer=producer, scheme=refashion, bubble_id="1711x1")

    registrations_upsert(producer=producer, items=[{"bubble_id": "1711x1", "status": "x"}])

    assert Registration.objects.get(pk=registration.pk).updated_at > registration.updated_at


@pytest.mark.django_db
def test_upsert_writes_nothing_when_one_item_is_invalid(producer, refashion, citeo):
    registration = RegistrationFactory(producer=producer, scheme=refashion, bubble_id="1711x1")

    with pytest.raises(InvalidRegistrations) as raised:
        registrations_upsert(
            producer=producer,
            items=[
                {"bubble_id": "1711x1", "status": "changed"},
                {"scheme_pro_id": citeo.pk},
                {"scheme_pro_id": uuid.uuid4()},
                {"producer_id": uuid.uuid4(), "scheme_pro_id": citeo.pk},
            ],
        )

    assert set(raised.value.details) == {"2", "3"}
    assert list(raised.value.details["3"]) == ["producer_id"]
    assert Registration.objects.get().status == registration.status


@pytest.mark.django_db
def test_upsert_refuses_a_bubble_id_of_another_producers_registration(
    organization, producer, refashion
):
    RegistrationFactory(
        producer=ProducerFactory(organization=organization), scheme=refashion, bubble_id="1711x9"
    )

    with pytest.raises(InvalidRegistrations) as raised:
        registrations_upsert(
            producer=producer, items=[{"bubble_id": "1711x9", "scheme_pro_id": refashion.pk}]
        )

    assert list(raised.value.details["0"]) == ["bubble_id"]


@pytest.mark.django_db
def test_upsert_ignores_bubble_ids_of_other_organizations(other_organization, producer, refashion):
    theirs = RegistrationFactory(
        producer=ProducerFactory(organization=other_organization),
        scheme=refashion,
        bubble_id="1711x9",
    )

    (ours,) = registrations_upsert(
        producer=producer, items=[{"bubble_id": "1711x9", "scheme_pro_id": refashion.pk}]
    )

    assert ours.pk != theirs.pk
    assert ours.producer == producer
    assert Registration.objects.filter(bubble_id="1711x9").count() == 2


@pytest.mark.django_db
def test_upsert_refuses_more_than_its_cap(producer):
    with pytest.raises(InvalidRegistrations):
        registrations_upsert(producer=producer, items=[{}] * (MAX_REGISTRATIONS_PER_UPSERT + 1))


@pytest.mark.django_db
def test_upsert_rolls_back_everything_when_the_database_refuses(
    producer, refashion, citeo, monkeypatch
):
    RegistrationFactory(producer=producer, scheme=refashion, bubble_id="1711x1")

    def refuse(*args, **kwargs):
        raise IntegrityError("refused")

    monkeypatch.setattr(Registration.objects, "bulk_update", refuse)

    with pytest.raises(IntegrityError):
        registrations_upsert(
            producer=producer,
            items=[{"scheme_pro_id": citeo.pk}, {"bubble_id": "1711x1", "status": "x"}],
        )

    assert not Registration.objects.filter(scheme=citeo).exists()
