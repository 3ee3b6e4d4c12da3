from datetime import date

import pytest

from reporting.periods import (
    Period,
    PeriodError,
    period_parse,
    periods_due_between,
    periods_overlapping,
)


@pytest.mark.parametrize(
    ("name", "start", "end"),
    [
        ("2026-11", date(2026, 11, 1), date(2026, 11, 30)),
        ("2026-Q3", date(2026, 7, 1), date(2026, 9, 30)),
        ("2026-H2", date(2026, 7, 1), date(2026, 12, 31)),
        ("2026", date(2026, 1, 1), date(2026, 12, 31)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("2026-q1", date(2026, 1, 1), date(2026, 3, 31)),
    ],
)
def test_a_period_name_gives_its_first_and_last_day(name, start, end):
    period = period_parse(name)

    assert (period.start, period.end) == (start, end)


@pytest.mark.parametrize("name", ["2026-11", "2026-Q3", "2026-H2", "2026"])
def test_a_parsed_period_is_named_as_it_was_written(name):
    assert period_parse(name).name == name


@pytest.mark.parametrize(
    "name", ["", "26", "2026-13", "2026-00", "2026-Q5", "2026-H3", "2026-1", "x"]
)
def test_a_malformed_period_name_is_refused_with_the_accepted_forms(name):
    with pytest.raises(PeriodError, match="2026-Q3"):
        period_parse(name)


def test_a_month_report_due_the_next_month_on_the_15th():
    assert period_parse("2026-11").due_date(months_after=1, day=15) == date(2026, 12, 15)


def test_a_december_report_due_the_next_month_falls_in_the_next_year():
    assert period_parse("2026-12").due_date(months_after=1, day=15) == date(2027, 1, 15)


def test_a_due_day_beyond_the_months_length_is_its_last_day():
    assert period_parse("2026-01").due_date(months_after=1, day=31) == date(2026, 2, 28)


def test_a_due_day_beyond_february_in_a_leap_year_is_the_29th():
    assert period_parse("2028-01").due_date(months_after=1, day=30) == date(2028, 2, 29)


def test_a_quarter_report_counts_months_from_the_quarters_last_month():
    assert period_parse("2026-Q4").due_date(months_after=1, day=31) == date(2027, 1, 31)


def test_a_year_report_due_two_months_later_on_the_28th_is_due_in_february():
    assert period_parse("2026").due_date(months_after=2, day=28) == date(2027, 2, 28)


def test_a_due_offset_of_zero_is_in_the_periods_last_month():
    assert period_parse("2026-H1").due_date(months_after=0, day=31) == date(2026, 6, 30)


def test_quarters_overlapping_a_window_include_partly_covered_ones():
    periods = periods_overlapping("quarterly", date(2026, 2, 15), date(2026, 7, 1))

    assert [p.name for p in periods] == ["2026-Q1", "2026-Q2", "2026-Q3"]


def test_months_overlapping_a_window_cross_the_year_end():
    periods = periods_overlapping("monthly", date(2026, 12, 31), date(2027, 1, 1))

    assert [p.name for p in periods] == ["2026-12", "2027-01"]


def test_periods_due_in_a_window_are_those_whose_due_date_falls_in_it():
    due = periods_due_between(
        "monthly", months_after=1, day=15, start=date(2026, 3, 1), end=date(2026, 4, 30)
    )

    assert [(p.name, d) for p, d in due] == [
        ("2026-02", date(2026, 3, 15)),
        ("2026-03", date(2026, 4, 15)),
    ]


def test_a_yearly_report_due_in_february_is_found_from_a_window_in_february():
    due = periods_due_between(
        "yearly", months_after=2, day=28, start=date(2027, 2, 1), end=date(2027, 2, 28)
    )

    assert [(p.name, d) for p, d in due] == [("2026", date(2027, 2, 28))]


def test_a_window_without_a_due_date_has_no_periods():
    due = periods_due_between(
        "yearly", months_after=2, day=28, start=date(2027, 3, 1), end=date(2027, 12, 31)
    )

    assert due == []


def test_a_period_knows_its_frequency():
    assert Period(2026, 7, 3).frequency == "quarterly"
