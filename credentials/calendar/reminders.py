"""Deadline reminders: one digest a day per user, of their organization's deadlines that are
overdue or due within N days (not yet submitted)."""

from dataclasses import dataclass
from datetime import timedelta

from django.core.mail import send_mail
from django.db import IntegrityError, transaction

from clients.models import Membership
from credentials.calendar.models import DeadlineReminder
from credentials.calendar.selectors import (
    Deadline,
    DeadlineFilter,
    DeadlineStatus,
    deadlines_of,
    organization_today,
)

OVERDUE_LOOKBACK_DAYS = 365


@dataclass(frozen=True)
class ReminderResult:
    sent: int
    already_sent: int
    nothing_due: int


def reminder_deadlines(organization, *, days: int) -> list[Deadline]:
    """Open deadlines: overdue ones of the past year and those due within `days` days."""
    today = organization_today(organization)
    wanted = DeadlineFilter(
        start=today - timedelta(days=OVERDUE_LOOKBACK_DAYS),
        end=today + timedelta(days=days),
        statuses=frozenset(
            {DeadlineStatus.OVERDUE, DeadlineStatus.DUE_SOON, DeadlineStatus.UPCOMING}
        ),
    )
    return deadlines_of(organization, wanted, today=today)


def reminder_text(*, organization, deadlines: list[Deadline], days: int) -> str:
    overdue = [d for d in deadlines if d.status == DeadlineStatus.OVERDUE]
    coming = [d for d in deadlines if d.status != DeadlineStatus.OVERDUE]

    def lines(rows):
        return [
            f"  {d.due_date:%Y-%m-%d}  {d.client_name} · {d.country} · {d.pro} · "
            f"{d.report_type} · {d.period}"
            for d in rows
        ]

    parts = [f"Reporting deadlines of {organization.name}", ""]
    if overdue:
        parts += [f"Overdue ({len(overdue)}):", *lines(overdue), ""]
    if coming:
        parts += [f"Due within {days} days ({len(coming)}):", *lines(coming), ""]
    parts.append("Record a report as submitted in the admin's Deadlines page or the API.")
    return "\n".join(parts)


def deadline_reminders_send(*, days: int | None = None) -> ReminderResult:
    """Mail each active member with an email address a digest of their organization's open
    deadlines (due within `days`, default the organization's due-soon days, and overdue).

    At most one digest per user per day (the organization's day): a second run that day
    sends nothing. Nobody is mailed when nothing is due.
    """
    members = (
        Membership.objects.filter(user__is_active=True)
        .exclude(user__email="")
        .select_related("user", "organization")
        .order_by("organization_id", "user_id")
    )
    sent = already = nothing = 0
    by_organization: dict[int, tuple[list[Deadline], int]] = {}
    for membership in members:
        organization = membership.organization
        window = organization.due_soon_days if days is None else days
        if organization.pk not in by_organization:
            by_organization[organization.pk] = (
                reminder_deadlines(organization, days=window),
                window,
            )
        deadlines, window = by_organization[organization.pk]
        if not deadlines:
            nothing += 1
            continue
        today = organization_today(organization)
        try:
            with transaction.atomic():
                DeadlineReminder.objects.create(
                    user=membership.user, sent_on=today, deadlines=len(deadlines)
                )
                send_mail(
                    subject=f"{len(deadlines)} reporting deadline(s) to watch · {organization.name}",
                    message=reminder_text(
                        organization=organization, deadlines=deadlines, days=window
                    ),
                    from_email=None,
                    recipient_list=[membership.user.email],
                )
        except IntegrityError:
            already += 1
            continue
        sent += 1
    return ReminderResult(sent=sent, already_sent=already, nothing_due=nothing)
