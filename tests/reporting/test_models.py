import pytest

from tests.factories import scheme


@pytest.mark.django_db
def test_a_scheme_is_sold_under_its_pros_name_by_default():
    textiles = scheme("FR", "Refashion", "Textiles")

    assert textiles.eco_organism == "Refashion"


@pytest.mark.django_db
def test_a_scheme_may_be_sold_under_its_own_name():
    packaging = scheme("FR", "Léko", "Packaging")
    packaging.eco_organism_name = "LEKO"

    assert packaging.eco_organism == "LEKO"
