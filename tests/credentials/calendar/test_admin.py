import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from clients.models import Role
from credentials.calendar.models import CalendarFeedToken, DeadlineRuleOverride, Submission
from tests.credentials.calendar.conftest import DeadlineRuleOverrideFactory, SubmissionFactory
from tests.factories import ClientFactory, CredentialFactory, scheme

pytestmark = pytest.mark.django_db

DEADLINES = "admin:credentials_deadlinecalendar_changelist"


@pytest.fixture(autouse=True)
def first_of_march(freeze_now):
    freeze_now(datetime.datetime(2026, 3, 1, 9, 0))


def test_the_deadlines_page_lists_the_organizations_deadlines(browser_for, organization):
    CredentialFactory(client=ClientFactory(organization=organization, name="Alpha GmbH"))

    page = browser_for().get(reverse(DEADLINES)).content.decode()

    assert "Alpha GmbH" in page
    assert "2026-03-15" in page


def test_the_deadlines_page_filters_by_window_and_country(browser_for, organization):
    CredentialFactory(client=ClientFactory(organization=organization, name="Alpha GmbH"))
    browser = browser_for()

    this_week = browser.get(reverse(DEADLINES), {"window": "this_week"}).content.decode()
    france = browser.get(reverse(DEADLINES), {"country": "FR"}).content.decode()

    assert "Alpha GmbH" not in this_week
    assert "Alpha GmbH" not in france


def test_the_overdue_window_lists_past_deadlines(browser_for, organization):
    CredentialFactory(client=ClientFactory(organization=organization, name="Alpha GmbH"))

    page = browser_for().get(reverse(DEADLINES), {"window": "overdue"}).content.decode()

    assert "2026-01" in page and "overdue" in page


def test_the_deadlines_page_never_shows_another_organizations_clients(
    browser_for, organization, other_organization
):
    CredentialFactory(client=ClientFactory(organization=other_organization, name="Rival GmbH"))

    page = browser_for().get(reverse(DEADLINES)).content.decode()

    assert "Rival GmbH" not in page


def test_marking_deadlines_as_reported_records_submissions(browser_for, organization):
    client = ClientFactory(organization=organization)
    CredentialFactory(client=client)
    browser = browser_for()
    key = f"{client.pk}|DE|Stiftung EAR|WEEE|2026-02"

    browser.post(reverse(DEADLINES), {"deadline": [key]})

    submission = Submission.objects.get()
    assert (submission.client, submission.period, submission.submitted_by) == (
        client,
        "2026-02",
        browser.user,
    )


def test_marking_another_organizations_deadline_records_nothing(browser_for, other_organization):
    other = ClientFactory(organization=other_organization)

    browser_for().post(
        reverse(DEADLINES), {"deadline": [f"{other.pk}|DE|Stiftung EAR|WEEE|2026-02"]}
    )

    assert not Submission.objects.exists()


def test_a_viewer_may_not_mark_deadlines_as_reported(browser_for, organization):
    client = ClientFactory(organization=organization)

    response = browser_for(Role.VIEWER).post(
        reverse(DEADLINES), {"deadline": [f"{client.pk}|DE|Stiftung EAR|WEEE|2026-02"]}
    )

    assert response.status_code == 403
    assert not Submission.objects.exists()


def test_submissions_are_imported_from_a_csv_file(browser_for, organization):
    client = ClientFactory(organization=organization)
    csv = f"client_id,country,pro,report_type,period,reference\n{client.pk},DE,Stiftung EAR,WEEE,2026-01,R-1\n"

    browser_for().post(
        reverse("admin:credentials_submission_import"),
        {"file": SimpleUploadedFile("s.csv", csv.encode())},
    )

    assert list(Submission.objects.values_list("period", "reference")) == [("2026-01", "R-1")]


def test_a_csv_file_with_a_bad_row_records_nothing_and_says_which(browser_for, organization):
    client = ClientFactory(organization=organization)
    csv = (
        "client_id,country,pro,report_type,period\n"
        f"{client.pk},DE,Stiftung EAR,WEEE,2026-01\n"
        f"{client.pk},DE,Stiftung EAR,WEEE,2026-13\n"
    )

    page = (
        browser_for()
        .post(
            reverse("admin:credentials_submission_import"),
            {"file": SimpleUploadedFile("s.csv", csv.encode())},
        )
        .content.decode()
    )

    assert "Line 3: period" in page
    assert not Submission.objects.exists()


def test_the_submission_list_shows_only_the_organizations_own(
    browser_for, organization, other_organization
):
    SubmissionFactory(client=ClientFactory(organization=other_organization, name="Rival GmbH"))

    page = browser_for().get(reverse("admin:credentials_submission_changelist")).content.decode()

    assert "Rival GmbH" not in page


def test_a_submission_is_added_in_the_admin_through_the_service(browser_for, organization):
    client = ClientFactory(organization=organization)
    browser = browser_for()
    ear = scheme("DE", "Stiftung EAR", "WEEE")

    browser.post(
        reverse("admin:credentials_submission_add"),
        {
            "client": client.pk,
            "country": ear.pro.country_id,
            "pro": ear.pro_id,
            "report_type": ear.report_type_id,
            "period": "2026-q1",
            "reference": "",
            "note": "",
        },
    )

    submission = Submission.objects.get()
    assert (submission.period, submission.organization, submission.submitted_by) == (
        "2026-Q1",
        organization,
        browser.user,
    )


def test_an_override_is_saved_for_the_staff_members_organization(browser_for, organization):
    browser_for().post(
        reverse("admin:credentials_deadlineruleoverride_add"),
        {
            "scheme": scheme("FR", "Ecologic", "WEEE").pk,
            "frequency": "quarterly",
            "due_months_after": 1,
            "due_day": 31,
            "note": "",
        },
    )

    assert DeadlineRuleOverride.objects.get().organization == organization


def test_a_second_override_of_the_same_scheme_is_refused(browser_for, organization):
    DeadlineRuleOverrideFactory(organization=organization)

    response = browser_for().post(
        reverse("admin:credentials_deadlineruleoverride_add"),
        {
            "scheme": scheme("DE", "Stiftung EAR", "WEEE").pk,
            "frequency": "yearly",
            "due_months_after": 1,
            "due_day": 31,
            "note": "",
        },
    )

    assert "already overrides" in response.content.decode()
    assert DeadlineRuleOverride.objects.count() == 1


def test_another_organizations_override_is_not_found(browser_for, other_organization):
    override = DeadlineRuleOverrideFactory(organization=other_organization)

    response = browser_for().get(
        reverse("admin:credentials_deadlineruleoverride_change", args=[override.pk])
    )

    assert response.status_code == 302  # the admin redirects a missing object to its index


def test_a_user_creates_their_calendar_url_in_the_admin_and_sees_it_once(browser_for):
    browser = browser_for(Role.VIEWER)

    response = browser.post(reverse("admin:credentials_calendarfeedtoken_add"), {}, follow=True)

    stored = CalendarFeedToken.objects.get(user=browser.user)
    assert "/logins/deadlines.ics?token=cal_" in response.content.decode()
    assert stored.prefix.startswith("cal_")


def test_a_user_sees_only_their_own_calendar_url(browser_for, organization):
    from tests.factories import MembershipFactory

    colleague = MembershipFactory(organization=organization).user
    CalendarFeedToken.objects.create(user=colleague, token_hash="x" * 64, prefix="cal_colleag")

    page = (
        browser_for()
        .get(reverse("admin:credentials_calendarfeedtoken_changelist"))
        .content.decode()
    )

    assert "cal_colleag" not in page


def test_a_superuser_without_an_organization_chooses_one_first(client, organization):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_superuser=True))
    CredentialFactory(client=ClientFactory(organization=organization, name="Alpha GmbH"))

    chooser = client.get(reverse(DEADLINES)).content.decode()
    chosen = client.get(reverse(DEADLINES), {"organization": organization.pk}).content.decode()

    assert "Acme Compliance" in chooser and "Alpha GmbH" not in chooser
    assert "Alpha GmbH" in chosen


@pytest.mark.parametrize("chosen", ["²", "9223372036854775808", "x"])
def test_a_superuser_choosing_an_organization_by_something_not_an_id_gets_the_chooser(
    client, organization, chosen
):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_superuser=True))

    response = client.get(reverse(DEADLINES), {"organization": chosen})

    assert response.status_code == 200
    assert "Acme Compliance" in response.content.decode()
