import pytest

from reporting.selectors import Catalog, CatalogLookupError


@pytest.fixture
def catalog(db):
    return Catalog.load()


def test_lookups_are_case_insensitive_and_answer_the_catalog_spelling(catalog):
    germany = catalog.country("de")

    assert catalog.pro(germany, "stiftung ear").name == "Stiftung EAR"
    assert catalog.report_type("weee").code == "WEEE"


def test_unknown_country_names_the_valid_ones(catalog):
    with pytest.raises(
        CatalogLookupError, match=r"Unknown country 'XX'\. Valid countries: AT, BE"
    ) as error:
        catalog.country("XX")

    assert error.value.field == "country"


def test_unknown_pro_names_the_pros_of_that_country(catalog):
    with pytest.raises(
        CatalogLookupError, match="Valid PROs: Afvalfonds Verpakkingen, Stichting OPEN"
    ):
        catalog.pro(catalog.country("NL"), "Citeo")


def test_report_types_accept_a_comma_string_or_a_list_without_repeats(catalog):
    assert [rt.code for rt in catalog.report_types_of("WEEE, batteries,WEEE")] == [
        "WEEE",
        "Batteries",
    ]
    assert [rt.code for rt in catalog.report_types_of(["Packaging"])] == ["Packaging"]


@pytest.mark.parametrize("codes", ["", " , ", []])
def test_report_types_are_required(catalog, codes):
    with pytest.raises(CatalogLookupError, match="At least one report type"):
        catalog.report_types_of(codes)


def test_a_pro_that_does_not_take_a_report_type_says_what_it_takes(catalog):
    ear = catalog.pro(catalog.country("DE"), "Stiftung EAR")

    with pytest.raises(
        CatalogLookupError, match=r"does not take Packaging\. It takes: Batteries, WEEE"
    ):
        catalog.check_offered(ear, catalog.report_type("Packaging"))


def test_only_pro_for_names_a_single_candidate_and_nothing_when_ambiguous(catalog):
    germany = catalog.country("DE")

    assert catalog.only_pro_for(germany, catalog.report_type("WEEE")).name == "Stiftung EAR"
    assert catalog.only_pro_for(germany, catalog.report_type("Packaging")) is None


def test_a_pro_filter_names_the_pros_of_that_name_in_every_country(catalog):
    assert {pro.country.code for pro in catalog.pros_named(" citeo ")} == {"FR"}


def test_filter_values_answer_the_rows_found_and_a_message_per_unknown_value(catalog):
    found, errors = catalog.filter_values("country", ["de", "XX", "fr"])

    assert [country.code for country in found] == ["DE", "FR"]
    assert len(errors) == 1 and errors[0].startswith("Unknown country 'XX'. Valid countries:")


def test_an_unknown_pro_in_a_filter_names_every_pro(catalog):
    found, errors = catalog.filter_values("pro", ["Nobody"])

    assert found == []
    assert errors[0].startswith("Unknown PRO 'Nobody'. Valid PROs: ")
    assert "Citeo" in errors[0] and "Stiftung EAR" in errors[0]
