"""Fixtures of the compliance calendar: a fixed "now" and rows of the calendar."""

import datetime

import factory
import pytest
from factory.django import DjangoModelFactory

from credentials.calendar.models import DeadlineRuleOverride, Submission
from tests.factories import country, pro, report_type, scheme


class SubmissionFactory(DjangoModelFactory):
    class Meta:
        model = Submission

    client = factory.SubFactory("tests.factories.ClientFactory")
    organization = factory.SelfAttribute("client.organization")
    country = factory.LazyFunction(lambda: country("DE"))
    pro = factory.LazyFunction(lambda: pro("DE", "Stiftung EAR"))
    report_type = factory.LazyFunction(lambda: report_type("WEEE"))
    period = "2026-02"


class DeadlineRuleOverrideFactory(DjangoModelFactory):
    class Meta:
        model = DeadlineRuleOverride

    scheme = factory.LazyFunction(lambda: scheme("DE", "Stiftung EAR", "WEEE"))
    frequency = "quarterly"
    due_months_after = 1
    due_day = 31


@pytest.fixture
def freeze_now(monkeypatch):
    """Fix the calendar's "now" (an aware datetime; naive ones are taken as UTC)."""

    def freeze(moment: datetime.datetime) -> None:
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=datetime.UTC)
        monkeypatch.setattr("credentials.calendar.selectors.current_time", lambda: moment)

    return freeze


@pytest.fixture
def browser_for(client, organization):
    """The Django test client logged in as a new member of `organization` with `role`."""
    from clients.models import Role
    from tests.factories import MembershipFactory

    def login(role=Role.STAFF, org=None):
        membership = MembershipFactory(organization=org or organization, role=role)
        client.force_login(membership.user)
        client.user = membership.user
        return client

    return login
