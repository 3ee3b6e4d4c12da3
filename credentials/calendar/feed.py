"""The calendar feed (iCalendar, RFC 5545): one all-day event per deadline.

Events carry the client, country, PRO, report type, period and status, never anything from
the vault (no login, password or registration number), since calendar apps sync them to
places the vault does not control.
"""

from collections.abc import Iterable
from datetime import date, datetime, timedelta

import icalendar

from credentials.calendar.selectors import Deadline, DeadlineStatus

FEED_DAYS_BEFORE = 90
FEED_DAYS_AFTER = 365
STATUS_LABELS = {
    DeadlineStatus.SUBMITTED: "submitted",
    DeadlineStatus.OVERDUE: "overdue",
    DeadlineStatus.DUE_SOON: "due soon",
    DeadlineStatus.UPCOMING: "upcoming",
}


def feed_window(today: date) -> tuple[date, date]:
    """The due dates a feed shows: recent ones (to see what is overdue) and the year ahead."""
    return today - timedelta(days=FEED_DAYS_BEFORE), today + timedelta(days=FEED_DAYS_AFTER)


def deadline_uid(deadline: Deadline) -> str:
    """Stable across fetches, so that calendar apps update an event rather than duplicate it."""
    parts = (deadline.client_id, deadline.country, deadline.pro, deadline.report_type)
    key = "-".join(str(part) for part in parts).replace(" ", "_")
    return f"{key}-{deadline.period}@forsure-logins"


def calendar_feed(
    *, deadlines: Iterable[Deadline], organization_name: str, stamp: datetime
) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//ForSURE logins//Compliance calendar//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"{organization_name} · reporting deadlines")
    for deadline in deadlines:
        event = icalendar.Event()
        event.add("uid", deadline_uid(deadline))
        event.add("dtstamp", stamp)
        event.add("dtstart", deadline.due_date)
        event.add("dtend", deadline.due_date + timedelta(days=1))
        status = STATUS_LABELS[deadline.status]
        event.add(
            "summary",
            f"{deadline.client_name}: {deadline.report_type} {deadline.period} to "
            f"{deadline.pro} ({deadline.country})",
        )
        event.add(
            "description",
            "\n".join(
                [
                    f"Client: {deadline.client_name}",
                    f"Country: {deadline.country}",
                    f"PRO: {deadline.pro}",
                    f"Report type: {deadline.report_type}",
                    f"Period: {deadline.period}",
                    f"Status: {status}",
                ]
            ),
        )
        event.add("categories", [deadline.report_type, deadline.country])
        event.add("transp", "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()
