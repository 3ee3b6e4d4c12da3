import pytest
from django.core.exceptions import ValidationError

from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def test_an_organization_reports_in_paris_time_and_14_days_is_due_soon_by_default():
    organization = OrganizationFactory()

    assert (organization.time_zone, organization.due_soon_days) == ("Europe/Paris", 14)


def test_an_unknown_time_zone_is_refused():
    organization = OrganizationFactory.build(time_zone="Mars/Olympus")

    with pytest.raises(ValidationError, match="not a time zone"):
        organization.full_clean()
