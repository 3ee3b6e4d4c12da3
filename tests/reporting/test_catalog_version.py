"""The catalog kept in memory (Catalog.current) follows every write to the catalog tables."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from reporting.catalog_version import catalog_version
from reporting.models import CatalogVersion, Pro, ReportType, Scheme
from reporting.selectors import Catalog
from tests.factories import country

pytestmark = pytest.mark.django_db


def test_the_kept_catalog_costs_one_query_while_the_catalog_is_unchanged():
    first = Catalog.current()

    with CaptureQueriesContext(connection) as queries:
        again = Catalog.current()

    assert again is first
    assert len(queries) == 1
    assert again.country("DE").code == "DE"


def test_a_caller_that_read_the_version_already_costs_no_query():
    version = catalog_version()
    first = Catalog.current(version)

    with CaptureQueriesContext(connection) as queries:
        again = Catalog.current(version)

    assert again is first
    assert len(queries) == 0


def test_a_new_pro_is_read_at_once():
    kept = Catalog.current()
    germany = country("DE")
    Pro.objects.create(country=germany, name="Neue Rücknahme")

    fresh = Catalog.current()

    assert fresh is not kept
    assert fresh.pro(germany, "neue rücknahme").name == "Neue Rücknahme"


def test_a_bulk_update_without_signals_is_read_at_once():
    Catalog.current()
    ReportType.objects.filter(code="WEEE").update(name="Electrical equipment (renamed)")

    assert Catalog.current().report_type("WEEE").name == "Electrical equipment (renamed)"


def test_a_removed_scheme_is_no_longer_offered():
    germany = country("DE")
    stiftung_ear = Catalog.current().pro(germany, "Stiftung EAR")
    weee = Catalog.current().report_type("WEEE")
    Catalog.current().check_offered(stiftung_ear, weee)

    Scheme.objects.filter(pro=stiftung_ear, report_type=weee).delete()

    with pytest.raises(ValueError, match="does not take WEEE"):
        Catalog.current().check_offered(stiftung_ear, weee)


def test_a_rolled_back_change_is_forgotten_with_its_rows():
    germany = country("DE")
    before = catalog_version()

    with pytest.raises(RuntimeError), transaction.atomic():
        Pro.objects.create(country=germany, name="Short Lived")
        assert Catalog.current().pros.get(("DE", "short lived")) is not None
        raise RuntimeError

    assert catalog_version() == before
    assert Catalog.current().pros.get(("DE", "short lived")) is None


def test_without_a_version_the_catalog_is_read_each_time():
    CatalogVersion.objects.all().delete()
    first = Catalog.current()

    again = Catalog.current()

    assert again is not first
    assert again.country("FR").code == "FR"
    Pro.objects.create(country=country("FR"), name="Nouvel Eco-organisme")
    assert catalog_version() is not None
    assert Catalog.current().pro(country("FR"), "nouvel eco-organisme")
