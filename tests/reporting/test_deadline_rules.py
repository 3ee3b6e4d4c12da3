import pytest

from reporting.catalog_files import starting_deadline_rules
from reporting.models import DeadlineRule


@pytest.mark.django_db
def test_the_catalog_ships_the_stiftung_ear_weee_monthly_rule_with_its_source():
    rule = DeadlineRule.objects.get(
        scheme__pro__name="Stiftung EAR", scheme__report_type__code="WEEE"
    )

    assert (rule.frequency, rule.due_months_after, rule.due_day) == ("monthly", 1, 15)
    assert rule.source_url.startswith("https://www.stiftung-ear.de/")


@pytest.mark.django_db
def test_the_catalog_ships_the_fost_plus_annual_rule_due_28_february():
    rule = DeadlineRule.objects.get(scheme__pro__name="Fost Plus")

    assert (rule.frequency, rule.due_months_after, rule.due_day) == ("yearly", 2, 28)


@pytest.mark.django_db
def test_every_shipped_rule_found_its_scheme():
    assert DeadlineRule.objects.count() == len(starting_deadline_rules())


def test_every_shipped_rule_names_an_https_source():
    assert all(entry.source_url.startswith("https://") for entry in starting_deadline_rules())
