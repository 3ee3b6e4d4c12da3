"""Reporting periods and due dates: pure date arithmetic, no database.

A period is named as agencies write it: `2026` (a year), `2026-H2` (a half-year), `2026-Q3`
(a quarter), `2026-11` (a month). Its report is due a number of months after the period's last
month, on a day of that month; a day beyond the month's length is its last day (day 31 of
February is the 28th, or the 29th in a leap year).
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date

from reporting.models import Frequency

MONTHS_PER_PERIOD = {
    Frequency.MONTHLY: 1,
    Frequency.QUARTERLY: 3,
    Frequency.HALF_YEARLY: 6,
    Frequency.YEARLY: 12,
}
PERIOD_NAME = re.compile(
    r"^(?P<year>\d{4})(?:-(?:(?P<month>\d{2})|Q(?P<quarter>[1-4])|H(?P<half>[12])))?$"
)


class PeriodError(ValueError):
    """A period name that is not one of `2026`, `2026-H2`, `2026-Q3`, `2026-11`."""


@dataclass(frozen=True, order=True)
class Period:
    """`months` consecutive months starting with month `start_month` of `year`."""

    year: int
    start_month: int
    months: int

    @property
    def frequency(self) -> Frequency:
        return next(f for f, months in MONTHS_PER_PERIOD.items() if months == self.months)

    @property
    def name(self) -> str:
        index = (self.start_month - 1) // self.months + 1
        return {
            1: f"{self.year}-{self.start_month:02d}",
            3: f"{self.year}-Q{index}",
            6: f"{self.year}-H{index}",
            12: f"{self.year}",
        }[self.months]

    @property
    def start(self) -> date:
        return date(self.year, self.start_month, 1)

    @property
    def end(self) -> date:
        """The period's last day."""
        last_month = self.start_month + self.months - 1
        return date(self.year, last_month, calendar.monthrange(self.year, last_month)[1])

    def due_date(self, *, months_after: int, day: int) -> date:
        """The day the period's report is due."""
        return month_day(self.year, self.start_month + self.months - 1 + months_after, day)

    def __str__(self) -> str:
        return self.name


def month_day(year: int, month: int, day: int) -> date:
    """`day` of the `month`-th month counted from January of `year` (13 is next January),
    clamped to that month's length."""
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def period_parse(name: str) -> Period:
    """The period a name stands for; PeriodError naming the accepted forms otherwise."""
    match = PERIOD_NAME.match((name or "").strip().upper())
    year = int(match["year"]) if match else 0
    if not match or not 1900 <= year <= 2999:
        raise PeriodError(
            f"{name!r} is not a period. Write a year (2026), a half-year (2026-H2), "
            "a quarter (2026-Q3) or a month (2026-11)."
        )
    if match["month"]:
        month = int(match["month"])
        if not 1 <= month <= 12:
            raise PeriodError(
                f"{name!r} is not a period: the month must be 01 to 12 (e.g. 2026-11). "
                "Other forms: 2026, 2026-H2, 2026-Q3."
            )
        return Period(year, month, 1)
    if match["quarter"]:
        return Period(year, (int(match["quarter"]) - 1) * 3 + 1, 3)
    if match["half"]:
        return Period(year, (int(match["half"]) - 1) * 6 + 1, 6)
    return Period(year, 1, 12)


def period_containing(frequency: str, day: date) -> Period:
    months = MONTHS_PER_PERIOD[Frequency(frequency)]
    return Period(day.year, (day.month - 1) // months * months + 1, months)


def period_after(period: Period) -> Period:
    month = period.start_month + period.months
    return Period(period.year + (month - 1) // 12, (month - 1) % 12 + 1, period.months)


def periods_overlapping(frequency: str, start: date, end: date) -> list[Period]:
    """The periods of `frequency` that share at least a day with `start`..`end` (inclusive)."""
    periods = []
    period = period_containing(frequency, start)
    while period.start <= end:
        periods.append(period)
        period = period_after(period)
    return periods


def periods_due_between(
    frequency: str, *, months_after: int, day: int, start: date, end: date
) -> list[tuple[Period, date]]:
    """The periods of `frequency` whose report falls due within `start`..`end`, with that day.

    A report is due at the earliest in its period's last month, so the periods to look at end
    at most `months_after` months (plus the clamped day's slack) before the window.
    """
    first = month_day(start.year, start.month - months_after - 1, 1)
    return [
        (period, due)
        for period in periods_overlapping(frequency, first, end)
        if start <= (due := period.due_date(months_after=months_after, day=day)) <= end
    ]
