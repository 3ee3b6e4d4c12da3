"""Client names are unique ignoring the case of every letter, on SQLite as on PostgreSQL."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from clients.models import Client
from clients.services import client_create
from tests.factories import ClientFactory

pytestmark = pytest.mark.django_db

CASE_VARIANTS = [
    ("Imp Öko Tools", "imp öko tools"),
    ("Éco Systèmes", "ÉCO SYSTÈMES"),
    ("Łódź Recykling", "łÓDŹ RECYKLING"),
    ("Straße Verpackung", "STRAßE VERPACKUNG"),
]


@pytest.mark.parametrize(("existing", "variant"), CASE_VARIANTS)
def test_a_name_differing_only_in_case_is_refused_by_the_service(organization, existing, variant):
    ClientFactory(organization=organization, name=existing)

    with pytest.raises(ValidationError, match="already exists"):
        client_create(organization=organization, name=variant)

    assert Client.objects.of(organization).count() == 1


@pytest.mark.parametrize(("existing", "variant"), CASE_VARIANTS)
def test_a_name_differing_only_in_case_is_refused_by_the_database(organization, existing, variant):
    ClientFactory(organization=organization, name=existing)

    with pytest.raises(IntegrityError), transaction.atomic():
        Client.objects.create(organization=organization, name=variant)

    assert Client.objects.of(organization).count() == 1


def test_names_are_compared_lowered_not_case_folded_so_ss_is_not_sharp_s(organization):
    ClientFactory(organization=organization, name="Strasse Verpackung")

    client_create(organization=organization, name="Straße Verpackung")

    assert Client.objects.of(organization).count() == 2


def test_the_same_name_in_another_organization_is_another_client(organization, other_organization):
    ClientFactory(organization=organization, name="Imp Öko Tools")

    client_create(organization=other_organization, name="IMP ÖKO TOOLS")

    assert Client.objects.of(other_organization).get().name == "IMP ÖKO TOOLS"
