import pytest

from reporting.models import Country, Pro, ReportType, Scheme
from reporting.services import CatalogFormatError, catalog_merge, catalog_parse


@pytest.mark.parametrize(
    "payload",
    [
        [],
        "DE",
        {"Germany": {"Stiftung EAR": ["WEEE"]}},
        {"DE": ["Stiftung EAR"]},
        {"DE": {"Stiftung EAR": "WEEE"}},
        {"DE": {"": ["WEEE"]}},
        {"DE": {"Stiftung EAR": [""]}},
        {"DE": {"Stiftung EAR": [42]}},
        {"DE": {"x" * 121: ["WEEE"]}},
    ],
)
def test_catalog_parse_rejects_malformed_documents(payload):
    with pytest.raises(CatalogFormatError):
        catalog_parse(payload)


def test_catalog_parse_normalises_codes_and_whitespace():
    assert catalog_parse({" de ": {" Stiftung EAR ": [" WEEE "]}}) == {
        "DE": {"Stiftung EAR": ["WEEE"]}
    }


@pytest.mark.django_db
def test_catalog_merge_adds_only_what_is_missing():
    before = Scheme.objects.count()

    result = catalog_merge(
        catalog={
            "DE": {"stiftung ear": ["weee", "Lamps"]},
            "MT": {"GreenPak": ["Packaging"]},
        }
    )

    assert (result.countries_created, result.pros_created) == (1, 1)
    assert (result.report_types_created, result.schemes_created) == (1, 2)
    assert Scheme.objects.count() == before + 2
    assert Country.objects.get(code="MT").name_en == "MT"
    assert ReportType.objects.filter(code="Lamps").exists()
    assert Pro.objects.filter(country__code="DE", name__iexact="Stiftung EAR").count() == 1


@pytest.mark.django_db
def test_catalog_merge_twice_changes_nothing_the_second_time():
    catalog = {"MT": {"GreenPak": ["Packaging"]}}
    catalog_merge(catalog=catalog)

    result = catalog_merge(catalog=catalog)

    assert str(result) == "0 countries, 0 PROs, 0 report types and 0 schemes created"
