"""Writes of producers' registrations."""

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import TypedDict
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from clients.limits import length_errors
from registrations.errors import InvalidRegistrations, RegistrationsConflict
from registrations.models import Producer, Registration
from reporting.models import Scheme

MAX_REGISTRATIONS_PER_UPSERT = 1000


class RegistrationItem(TypedDict, total=False):
    """One registration to upsert. Only the keys present are written."""

    bubble_id: str | None
    producer_id: UUID | None
    producer_bubble_id: str | None
    scheme_pro_id: UUID | None
    scheme_pro_bubble_id: str | None
    uin: str | None
    pro_member_id: str | None
    status: str | None
    scheme_deposit_amount: Decimal | None
    is_external_registration: bool
    uin_received_at: datetime | None
    registration_sent_to_pro_at: datetime | None


TEXT_FIELDS = ("uin", "pro_member_id", "status")
VALUE_FIELDS = (
    "scheme_deposit_amount",
    "is_external_registration",
    "uin_received_at",
    "registration_sent_to_pro_at",
)
UPDATED_FIELDS = ["bubble_id", "scheme", *TEXT_FIELDS, *VALUE_FIELDS, "updated_at"]
# The most characters of each text an item carries: the columns' sizes.
MAX_LENGTHS = {
    **{name: Registration._meta.get_field(name).max_length for name in ("bubble_id", *TEXT_FIELDS)},
    "producer_bubble_id": Producer._meta.get_field("bubble_id").max_length,
    "scheme_pro_bubble_id": Scheme._meta.get_field("bubble_id").max_length,
}


class _Batch:
    """The registrations an upsert touches, indexed the two ways an item can name one."""

    def __init__(self, producer: Producer, existing: list[Registration]):
        self.producer = producer
        self.by_bubble_id = {r.bubble_id: r for r in existing if r.bubble_id}
        self.by_scheme = {r.scheme_id: r for r in existing if r.producer_id == producer.pk}
        self.created: dict[UUID, Registration] = {}
        self.updated: dict[UUID, Registration] = {}
        # Moves and renames of stored registrations, in request order.
        self.reassignments: list[tuple[UUID, dict]] = []

    def create(self, scheme: Scheme) -> Registration:
        registration = Registration(
            organization_id=self.producer.organization_id, producer=self.producer, scheme=scheme
        )
        self.created[registration.pk] = registration
        self.by_scheme[scheme.pk] = registration
        return registration

    def touch(self, registration: Registration) -> None:
        if registration.pk not in self.created:
            self.updated[registration.pk] = registration

    def move(self, registration: Registration, scheme: Scheme) -> None:
        del self.by_scheme[registration.scheme_id]
        registration.scheme = scheme
        self.by_scheme[scheme.pk] = registration
        self._reassigned(registration, scheme_id=scheme.pk)

    def rename(self, registration: Registration, bubble_id: str) -> None:
        self.by_bubble_id.pop(registration.bubble_id, None)
        registration.bubble_id = bubble_id
        self.by_bubble_id[bubble_id] = registration
        self._reassigned(registration, bubble_id=bubble_id)

    def _reassigned(self, registration: Registration, **values) -> None:
        if registration.pk not in self.created:
            self.reassignments.append((registration.pk, values))


def _schemes_named_in(items: Sequence[RegistrationItem]) -> tuple[dict, dict]:
    ids = {item["scheme_pro_id"] for item in items if item.get("scheme_pro_id")}
    bubble_ids = {
        item["scheme_pro_bubble_id"] for item in items if item.get("scheme_pro_bubble_id")
    }
    if not ids and not bubble_ids:
        return {}, {}
    schemes = list(Scheme.objects.filter(Q(pk__in=ids) | Q(bubble_id__in=bubble_ids)))
    return (
        {scheme.pk: scheme for scheme in schemes},
        {scheme.bubble_id: scheme for scheme in schemes if scheme.bubble_id},
    )


def _scheme_of(item: RegistrationItem, by_id: dict, by_bubble_id: dict, errors: dict):
    scheme_id, bubble_id = item.get("scheme_pro_id"), item.get("scheme_pro_bubble_id")
    by_id_match = by_id.get(scheme_id) if scheme_id else None
    by_bubble_match = by_bubble_id.get(bubble_id) if bubble_id else None
    if scheme_id and by_id_match is None:
        errors["scheme_pro_id"] = [f"No scheme has the id {scheme_id}."]
    if bubble_id and by_bubble_match is None:
        errors["scheme_pro_bubble_id"] = [f"No scheme has the bubble id {bubble_id!r}."]
    if by_id_match and by_bubble_match and by_id_match != by_bubble_match:
        errors["scheme_pro_bubble_id"] = [
            f"The bubble id {bubble_id!r} names another scheme than the id {scheme_id}."
        ]
    return None if errors else (by_id_match or by_bubble_match)


def _check_producer(item: RegistrationItem, producer: Producer, errors: dict) -> None:
    producer_id, bubble_id = item.get("producer_id"), item.get("producer_bubble_id")
    if producer_id and producer_id != producer.pk:
        errors["producer_id"] = [f"Must be the id of the producer {producer.nrn}: {producer.pk}."]
    if bubble_id and bubble_id != producer.bubble_id:
        expected = producer.bubble_id or "none"
        errors["producer_bubble_id"] = [
            f"Must be the bubble id of the producer {producer.nrn}: {expected}."
        ]


def _write(registration: Registration, item: RegistrationItem) -> None:
    for field in (*TEXT_FIELDS, *VALUE_FIELDS):
        if field in item:
            setattr(registration, field, item[field])


def registrations_upsert(
    *, producer: Producer, items: Sequence[RegistrationItem]
) -> list[Registration]:
    """Create or update the producer's registrations; answer them in the order of `items`.

    Each item names its registration by `bubble_id` when one of the organization's registrations
    has it, otherwise by its scheme (`scheme_pro_id` and/or `scheme_pro_bubble_id`, which must
    agree): a producer has at most one registration per scheme, created if missing. A given
    `bubble_id` that matches nothing is set on the registration. `producer_id` and
    `producer_bubble_id`, when given, must be `producer`'s. Items are applied in order, so a
    later item naming the same registration updates it again.

    A text longer than its column (MAX_LENGTHS) is an invalid item, never cut short.
    All or nothing: any invalid item raises InvalidRegistrations with details by item index and
    field, and nothing is written. A constant number of queries whatever the number of items.

    A concurrent writer (another producer's upsert, the admin) may commit a registration this
    one was about to create: the database refuses the duplicate, and the whole upsert runs once
    more, now matching that registration. Should that also clash, RegistrationsConflict.
    """
    try:
        return _registrations_upsert_once(producer=producer, items=items)
    except IntegrityError:
        pass
    try:
        return _registrations_upsert_once(producer=producer, items=items)
    except IntegrityError as error:
        raise RegistrationsConflict() from error


def _refuse_too_many(items: Sequence[RegistrationItem]) -> None:
    if len(items) > MAX_REGISTRATIONS_PER_UPSERT:
        raise InvalidRegistrations(
            details={
                "non_field_errors": [
                    f"At most {MAX_REGISTRATIONS_PER_UPSERT} registrations per request."
                ]
            }
        )


def _match(
    item: RegistrationItem, producer: Producer, batch: _Batch, schemes: tuple[dict, dict]
) -> tuple[Registration | None, Scheme | None, dict[str, list[str]]]:
    """The registration an item names (None: found or created by its scheme), its scheme, and
    what is wrong with the item."""
    errors = length_errors({name: (item.get(name), limit) for name, limit in MAX_LENGTHS.items()})
    if errors:
        return None, None, errors
    _check_producer(item, producer, errors)
    scheme = _scheme_of(item, *schemes, errors)
    bubble_id = item.get("bubble_id") or None
    registration = batch.by_bubble_id.get(bubble_id) if bubble_id else None
    if registration is not None and registration.producer_id != producer.pk:
        errors["bubble_id"] = [f"The registration {bubble_id!r} belongs to another producer."]
    if registration is None and scheme is None and not errors:
        errors["scheme_pro_id"] = [
            "A scheme is required to create or find a registration: give its id or bubble id."
        ]
    return registration, scheme, errors


def _apply(
    item: RegistrationItem, registration: Registration | None, scheme: Scheme | None, batch: _Batch
) -> tuple[Registration | None, dict[str, list[str]]]:
    """Write a matched item into the batch: the registration, or the item's errors."""
    if registration is None:
        registration = batch.by_scheme.get(scheme.pk) or batch.create(scheme)
    elif scheme is not None and scheme.pk != registration.scheme_id:
        holder = batch.by_scheme.get(scheme.pk)
        if holder is not None:
            return None, {
                "scheme_pro_id": [
                    f"The producer already has a registration for this scheme ({holder.pk})."
                ]
            }
        batch.move(registration, scheme)
    bubble_id = item.get("bubble_id") or None
    if bubble_id and registration.bubble_id != bubble_id:
        batch.rename(registration, bubble_id)
    _write(registration, item)
    batch.touch(registration)
    return registration, {}


def _save(batch: _Batch) -> None:
    # Moves and renames first, one by one in request order: an item may take a scheme or a
    # bubble id only after an earlier item freed it, and the database checks uniqueness row by
    # row (one UPDATE of them all, or an INSERT before them, could clash mid-way).
    for pk, values in batch.reassignments:
        Registration.objects.filter(pk=pk).update(**values)
    now = timezone.now()
    for registration in batch.updated.values():
        registration.updated_at = now
    Registration.objects.bulk_update(batch.updated.values(), fields=UPDATED_FIELDS)
    Registration.objects.bulk_create(batch.created.values())


@transaction.atomic
def _registrations_upsert_once(
    *, producer: Producer, items: Sequence[RegistrationItem]
) -> list[Registration]:
    _refuse_too_many(items)
    # Concurrent upserts for one producer take turns, so the later one reads what the earlier
    # wrote. A NO KEY UPDATE lock: a plain FOR UPDATE would also block the foreign key checks of
    # other writers' registrations of this producer (the admin's), which PostgreSQL runs at
    # commit, and the two would deadlock.
    list(
        Producer.objects.select_for_update(no_key=True)
        .filter(pk=producer.pk)
        .order_by()
        .values_list("pk")
    )

    schemes = _schemes_named_in(items)
    bubble_ids = {item["bubble_id"] for item in items if item.get("bubble_id")}
    existing = Registration.objects.of(producer.organization_id).filter(
        Q(bubble_id__in=bubble_ids) | Q(producer=producer, scheme_id__in=schemes[0].keys())
    )
    batch = _Batch(producer, list(existing))

    written: list[Registration] = []
    errors: dict[str, dict[str, list[str]]] = {}
    for index, item in enumerate(items):
        registration, scheme, item_errors = _match(item, producer, batch, schemes)
        if not item_errors:
            registration, item_errors = _apply(item, registration, scheme, batch)
        if item_errors:
            errors[str(index)] = item_errors
        else:
            written.append(registration)
    if errors:
        raise InvalidRegistrations(details=errors)
    _save(batch)
    return written
