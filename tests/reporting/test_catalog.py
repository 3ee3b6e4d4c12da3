import pytest

from reporting.models import Country, Pro, Scheme

EU_CODES = {"AT", "BE", "CZ", "DE", "ES", "FR", "IE", "IT", "LU", "NL", "PL", "PT", "SE", "SK"}


@pytest.mark.django_db
def test_starting_catalog_covers_at_least_twelve_eu_countries_with_pros():
    countries_with_pros = set(
        Pro.objects.filter(country__code__in=EU_CODES).values_list("country__code", flat=True)
    )

    assert len(countries_with_pros) >= 12


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["WEEE", "Packaging", "Batteries", "Textiles", "Furniture"])
def test_starting_catalog_has_schemes_for_each_main_report_type(code):
    assert Scheme.objects.filter(report_type__code=code).exists()


@pytest.mark.django_db
def test_countries_carry_names_in_three_languages():
    france = Country.objects.get(code="FR")

    assert (france.name_en, france.name_fr, france.name_zh) == ("France", "France", "法国")


@pytest.mark.django_db
def test_uk_is_written_as_the_epr_world_writes_it():
    assert Country.objects.filter(code="UK").exists()
    assert not Country.objects.filter(code="GB").exists()
