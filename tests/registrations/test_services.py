import uuid
from decimal import Decimal

import pytest
from django.db import IntegrityError

from registrations.errors import InvalidRegistrations, RegistrationsConflict
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

    with pytest.raises(RegistrationsConflict):
        registrations_upsert(
            producer=producer,
            items=[{"scheme_pro_id": citeo.pk}, {"bubble_id": "1711x1", "status": "x"}],
        )

    assert not Registration.objects.filter(scheme=citeo).exists()
    assert Registration.objects.get(bubble_id="1711x1").status != "x"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "limit"),
    [
        ("uin", 100),
        ("pro_member_id", 100),
        ("status", 64),
        ("bubble_id", 64),
        ("producer_bubble_id", 64),
        ("scheme_pro_bubble_id", 64),
    ],
)
def test_upsert_refuses_a_text_longer_than_its_column_and_writes_nothing(
    producer, refashion, field, limit
):
    items = [{"scheme_pro_id": refashion.pk, "uin": "ok"}, {"scheme_pro_id": refashion.pk}]
    items[1][field] = "x" * (limit + 1)

    with pytest.raises(InvalidRegistrations) as caught:
        registrations_upsert(producer=producer, items=items)

    assert caught.value.details == {
        "1": {field: [f"{field} is too long: at most {limit} characters."]}
    }
    assert not Registration.objects.exists()


@pytest.mark.django_db
def test_upsert_stores_texts_at_their_column_size(producer, refashion):
    (written,) = registrations_upsert(
        producer=producer,
        items=[
            {
                "scheme_pro_id": refashion.pk,
                "uin": "u" * 100,
                "pro_member_id": "p" * 100,
                "status": "s" * 64,
                "bubble_id": "b" * 64,
            }
        ],
    )

    stored = Registration.objects.get(pk=written.pk)
    assert (stored.uin, stored.pro_member_id, stored.status, stored.bubble_id) == (
        "u" * 100,
        "p" * 100,
        "s" * 64,
        "b" * 64,
    )


@pytest.mark.django_db
def test_upsert_runs_again_once_when_the_database_refuses_a_duplicate(
    producer, refashion, monkeypatch
):
    bulk_create = Registration.objects.bulk_create
    attempts = []

    def refuse_first(*args, **kwargs):
        attempts.append(1)
        if len(attempts) == 1:
            raise IntegrityError("duplicate key value violates unique constraint")
        return bulk_create(*args, **kwargs)

    monkeypatch.setattr(Registration.objects, "bulk_create", refuse_first)

    (written,) = registrations_upsert(
        producer=producer, items=[{"scheme_pro_id": refashion.pk, "bubble_id": "1711x1"}]
    )

    assert len(attempts) == 2
    assert list(Registration.objects.values_list("pk", "bubble_id")) == [(written.pk, "1711x1")]
