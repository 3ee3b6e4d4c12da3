import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from registrations.models import Producer, Registration
from tests.factories import (
    ClientFactory,
    FrontendUserFactory,
    ProducerFactory,
    RegistrationFactory,
    SellerFactory,
)


@pytest.mark.django_db
def test_a_registration_takes_its_producers_organization(organization, refashion):
    registration = Registration(
        producer=ProducerFactory(organization=organization), scheme=refashion
    )

    registration.save()

    assert registration.organization == organization


@pytest.mark.django_db
def test_a_producer_has_one_registration_per_scheme(producer, refashion):
    RegistrationFactory(producer=producer, scheme=refashion)

    with pytest.raises(IntegrityError):
        RegistrationFactory(producer=producer, scheme=refashion)


@pytest.mark.django_db
def test_registration_bubble_ids_are_unique_within_an_organization(organization, refashion, citeo):
    RegistrationFactory(producer=ProducerFactory(organization=organization), bubble_id="b1")
    duplicate = Registration(
        producer=ProducerFactory(organization=organization), scheme=citeo, bubble_id="b1"
    )

    with pytest.raises(ValidationError) as raised:
        duplicate.full_clean(exclude={"organization"})

    assert "__all__" in raised.value.message_dict


@pytest.mark.django_db
def test_the_same_bubble_ids_may_exist_in_two_organizations(organization, other_organization):
    for owner in (organization, other_organization):
        FrontendUserFactory(organization=owner, bubble_id="1708x1")
        SellerFactory(organization=owner, bubble_id="1708x1")
        ProducerFactory(organization=owner, bubble_id="1708x1", nrn="34368801600504")
        RegistrationFactory(producer__organization=owner, bubble_id="1708x1")

    assert Registration.objects.filter(bubble_id="1708x1").count() == 2


@pytest.mark.django_db
def test_frontend_user_bubble_ids_are_unique_within_an_organization(organization):
    FrontendUserFactory(organization=organization, bubble_id="1708x1")

    with pytest.raises(IntegrityError):
        FrontendUserFactory(organization=organization, bubble_id="1708x1")


@pytest.mark.django_db
def test_producers_without_bubble_id_may_be_many(organization):
    ProducerFactory(organization=organization, bubble_id=None)
    ProducerFactory(organization=organization, bubble_id=None)

    assert Producer.objects.filter(bubble_id=None).count() == 2


@pytest.mark.django_db
def test_a_producer_refuses_a_seller_or_client_of_another_organization(
    organization, other_organization
):
    producer = ProducerFactory.build(
        organization=organization,
        seller=SellerFactory(organization=other_organization),
        client=ClientFactory(organization=other_organization),
    )

    with pytest.raises(ValidationError) as raised:
        producer.clean()

    assert set(raised.value.message_dict) == {"seller", "client"}
