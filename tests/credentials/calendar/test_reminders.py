import datetime

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from credentials.calendar.models import DeadlineReminder
from tests.credentials.calendar.conftest import SubmissionFactory
from tests.factories import ClientFactory, CredentialFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def tenth_of_march(freeze_now):
    freeze_now(datetime.datetime(2026, 3, 10, 9, 0))


@pytest.fixture
def member(organization):
    return MembershipFactory(organization=organization, user=UserFactory(email="anna@acme.test"))


def test_a_member_gets_a_digest_of_due_and_overdue_deadlines(member, organization):
    CredentialFactory(client=ClientFactory(organization=organization, name="Alpha GmbH"))

    call_command("send_deadline_reminders", "--days", "7")

    (message,) = mail.outbox
    assert message.to == ["anna@acme.test"]
    assert "Overdue (12):" in message.body  # a year back, month by month
    assert "2026-02-15  Alpha GmbH · DE · Stiftung EAR · WEEE · 2026-01" in message.body
    assert "2026-03-15  Alpha GmbH · DE · Stiftung EAR · WEEE · 2026-02" in message.body


def test_a_second_run_the_same_day_sends_nothing(member, organization):
    CredentialFactory(client=ClientFactory(organization=organization))
    call_command("send_deadline_reminders")

    call_command("send_deadline_reminders")

    assert len(mail.outbox) == 1
    assert DeadlineReminder.objects.get().sent_on == datetime.date(2026, 3, 10)


def test_the_next_day_sends_a_new_digest(member, organization, freeze_now):
    CredentialFactory(client=ClientFactory(organization=organization))
    call_command("send_deadline_reminders")
    freeze_now(datetime.datetime(2026, 3, 11, 9, 0))

    call_command("send_deadline_reminders")

    assert len(mail.outbox) == 2


def test_nobody_is_mailed_when_nothing_is_open(member, organization):
    client = ClientFactory(organization=organization)
    CredentialFactory(client=client, interval="yearly")
    SubmissionFactory(client=client, period="2025")

    call_command("send_deadline_reminders", "--days", "3")

    assert mail.outbox == []


def test_a_digest_names_only_the_users_organization(member, other_organization):
    CredentialFactory(client=ClientFactory(organization=other_organization, name="Rival GmbH"))
    MembershipFactory(organization=other_organization, user=UserFactory(email="rival@x.test"))

    call_command("send_deadline_reminders")

    assert [m.to for m in mail.outbox] == [["rival@x.test"]]
    assert "Rival GmbH" in mail.outbox[0].body


def test_a_negative_number_of_days_is_refused():
    with pytest.raises(CommandError, match="--days"):
        call_command("send_deadline_reminders", "--days", "-1")
