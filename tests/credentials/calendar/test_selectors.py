import datetime
from datetime import date

import pytest

from clients.models import ClientStatus
from credentials.calendar.selectors import (
    DeadlineFilter,
    deadline_status,
    deadlines_of,
    organization_today,
)
from credentials.models import CredentialStatus
from reporting.models import DeadlineRule
from tests.credentials.calendar.conftest import DeadlineRuleOverrideFactory, SubmissionFactory
from tests.factories import (
    ClientFactory,
    CredentialFactory,
    ObligationFactory,
    country,
    pro,
    report_type,
    scheme,
)

pytestmark = pytest.mark.django_db

MARCH = DeadlineFilter(start=date(2026, 3, 1), end=date(2026, 3, 31))
TODAY = date(2026, 3, 10)


def listed(organization, wanted=MARCH, today=TODAY):
    return [
        (d.client_name, d.pro, d.report_type, d.period, d.due_date, d.status)
        for d in deadlines_of(organization, wanted, today=today)
    ]


def test_a_credential_gets_the_deadlines_of_its_schemes_rule(organization):
    client = ClientFactory(organization=organization, name="Alpha")
    credential = CredentialFactory(client=client)

    deadlines = deadlines_of(organization, MARCH, today=TODAY)

    assert [(d.period, d.due_date, d.credential_id) for d in deadlines] == [
        ("2026-02", date(2026, 3, 15), credential.pk)
    ]


def test_each_report_type_of_a_credential_has_its_own_deadline(organization):
    DeadlineRule.objects.create(
        scheme=scheme("DE", "Stiftung EAR", "Batteries"),
        frequency="monthly",
        due_months_after=1,
        due_day=20,
        source_url="https://example.org/rule",
    )
    CredentialFactory(
        client=ClientFactory(organization=organization), report_types=["WEEE", "Batteries"]
    )

    assert [d.report_type for d in deadlines_of(organization, MARCH, today=TODAY)] == [
        "WEEE",
        "Batteries",
    ]


def test_a_credentials_interval_overrides_the_rules_frequency(organization):
    CredentialFactory(client=ClientFactory(organization=organization), interval="quarterly")
    wanted = DeadlineFilter(start=date(2026, 1, 1), end=date(2026, 6, 30))

    assert [(d.period, d.due_date) for d in deadlines_of(organization, wanted, today=TODAY)] == [
        ("2025-Q4", date(2026, 1, 15)),
        ("2026-Q1", date(2026, 4, 15)),
    ]


def test_an_organization_override_replaces_the_catalogs_rule(organization):
    DeadlineRuleOverrideFactory(
        organization=organization, frequency="yearly", due_months_after=4, due_day=30
    )
    CredentialFactory(client=ClientFactory(organization=organization))
    wanted = DeadlineFilter(start=date(2026, 1, 1), end=date(2026, 12, 31))

    assert [(d.period, d.due_date) for d in deadlines_of(organization, wanted, today=TODAY)] == [
        ("2025", date(2026, 4, 30))
    ]


def test_another_organizations_override_changes_nothing_here(organization, other_organization):
    DeadlineRuleOverrideFactory(organization=other_organization, frequency="yearly")
    CredentialFactory(client=ClientFactory(organization=organization))

    assert [d.period for d in deadlines_of(organization, MARCH, today=TODAY)] == ["2026-02"]


def test_a_credential_with_an_interval_but_no_rule_has_no_deadline(organization):
    CredentialFactory(
        client=ClientFactory(organization=organization),
        country=country("FR"),
        pro=pro("FR", "Ecologic"),
        interval="monthly",
    )

    assert deadlines_of(organization, MARCH, today=TODAY) == []


def test_an_override_gives_a_deadline_where_the_catalog_has_no_rule(organization):
    DeadlineRuleOverrideFactory(
        organization=organization,
        scheme=scheme("FR", "Ecologic", "WEEE"),
        frequency="monthly",
        due_months_after=1,
        due_day=10,
    )
    CredentialFactory(
        client=ClientFactory(organization=organization),
        country=country("FR"),
        pro=pro("FR", "Ecologic"),
    )

    assert [(d.pro, d.due_date) for d in deadlines_of(organization, MARCH, today=TODAY)] == [
        ("Ecologic", date(2026, 3, 10))
    ]


def test_an_obligation_without_a_credential_has_a_deadline_without_credential(organization):
    ObligationFactory(client=ClientFactory(organization=organization))

    deadlines = deadlines_of(organization, MARCH, today=TODAY)

    assert [(d.pro, d.credential_id) for d in deadlines] == [("Stiftung EAR", None)]


def test_an_obligation_covered_by_a_credential_adds_no_second_deadline(organization):
    client = ClientFactory(organization=organization)
    ObligationFactory(client=client, pro=pro("DE", "Stiftung EAR"))
    credential = CredentialFactory(client=client)

    assert [d.credential_id for d in deadlines_of(organization, MARCH, today=TODAY)] == [
        credential.pk
    ]


def test_an_obligation_whose_country_has_several_pros_for_it_has_no_deadline(organization):
    ObligationFactory(
        client=ClientFactory(organization=organization),
        report_type=report_type("Packaging"),
    )

    assert deadlines_of(organization, MARCH, today=TODAY) == []


def test_a_recorded_submission_makes_the_deadline_submitted(organization):
    client = ClientFactory(organization=organization)
    CredentialFactory(client=client)
    submission = SubmissionFactory(client=client, period="2026-02")

    (deadline,) = deadlines_of(organization, MARCH, today=date(2026, 3, 20))

    assert (deadline.status, deadline.submission_id) == ("submitted", submission.pk)


def test_a_submission_of_another_period_leaves_the_deadline_open(organization):
    client = ClientFactory(organization=organization)
    CredentialFactory(client=client)
    SubmissionFactory(client=client, period="2026-01")

    assert [d.status for d in deadlines_of(organization, MARCH, today=date(2026, 3, 20))] == [
        "overdue"
    ]


@pytest.mark.parametrize(
    ("today", "status"),
    [
        (date(2026, 3, 16), "overdue"),
        (date(2026, 3, 15), "due_soon"),
        (date(2026, 3, 1), "due_soon"),
        (date(2026, 2, 28), "upcoming"),
    ],
)
def test_the_status_follows_today_and_the_due_soon_days(today, status):
    assert (
        deadline_status(due_date=date(2026, 3, 15), submitted=False, today=today, due_soon_days=14)
        == status
    )


def test_an_organization_may_change_how_soon_is_due_soon(organization):
    organization.due_soon_days = 3
    organization.save()
    CredentialFactory(client=ClientFactory(organization=organization))

    assert [d.status for d in deadlines_of(organization, MARCH, today=TODAY)] == ["upcoming"]


def test_a_status_filter_keeps_only_those_statuses(organization):
    CredentialFactory(client=ClientFactory(organization=organization))
    wanted = DeadlineFilter(
        start=date(2026, 2, 1), end=date(2026, 3, 31), statuses=frozenset({"overdue"})
    )

    assert [d.period for d in deadlines_of(organization, wanted, today=TODAY)] == ["2026-01"]


def test_deadlines_are_ordered_by_due_date_then_client_name(organization):
    CredentialFactory(client=ClientFactory(organization=organization, name="beta"))
    CredentialFactory(client=ClientFactory(organization=organization, name="Alpha"))
    wanted = DeadlineFilter(start=date(2026, 2, 1), end=date(2026, 3, 31))

    assert [(d.client_name, d.period) for d in deadlines_of(organization, wanted, today=TODAY)] == [
        ("Alpha", "2026-01"),
        ("beta", "2026-01"),
        ("Alpha", "2026-02"),
        ("beta", "2026-02"),
    ]


def test_catalog_and_client_filters_narrow_the_deadlines(organization):
    alpha = ClientFactory(organization=organization, name="Alpha")
    CredentialFactory(client=alpha)
    CredentialFactory(client=ClientFactory(organization=organization, name="Beta"))
    wanted = DeadlineFilter(
        start=MARCH.start,
        end=MARCH.end,
        client_ids=frozenset({alpha.pk}),
        country_ids=frozenset({country("DE").pk}),
        pro_ids=frozenset({pro("DE", "Stiftung EAR").pk}),
        report_type_ids=frozenset({report_type("WEEE").pk}),
    )

    assert [d.client_name for d in deadlines_of(organization, wanted, today=TODAY)] == ["Alpha"]


def test_inactive_clients_and_credentials_have_no_deadlines(organization):
    CredentialFactory(client=ClientFactory(organization=organization, status=ClientStatus.ARCHIVED))
    CredentialFactory(
        client=ClientFactory(organization=organization), status=CredentialStatus.INACTIVE
    )

    assert deadlines_of(organization, MARCH, today=TODAY) == []


def test_another_organizations_clients_never_appear(organization, other_organization):
    CredentialFactory(client=ClientFactory(organization=other_organization))

    assert deadlines_of(organization, MARCH, today=TODAY) == []


def test_today_is_the_date_in_the_organizations_time_zone(organization, freeze_now):
    freeze_now(datetime.datetime(2026, 3, 15, 23, 30))
    organization.time_zone = "Europe/Paris"

    assert organization_today(organization) == date(2026, 3, 16)


def test_a_deadline_is_overdue_only_once_its_day_is_over_in_the_organizations_zone(
    organization, freeze_now
):
    organization.time_zone = "America/Los_Angeles"
    organization.save()
    CredentialFactory(client=ClientFactory(organization=organization))
    # 02:00 UTC on the 16th is still the 15th, the due day, in Los Angeles.
    freeze_now(datetime.datetime(2026, 3, 16, 2, 0))

    assert [d.status for d in deadlines_of(organization, MARCH)] == ["due_soon"]
