"""Reads of the compliance calendar: the deadlines of an organization in a window of due dates.

Where the frequency comes from, first that applies: the credential's `interval`, the
organization's override for the scheme, the catalog's deadline rule. When the report is due
comes from the override, else the rule: a credential with an interval but neither gives no
deadline, since nothing says when its reports are due (an override fills the gap).

Left out: collective-account pseudo-clients (their linked clients have the deadlines), inactive
and archived clients, inactive credentials. An obligation gives a deadline only when no
active credential of the client covers it and its scheme is known (its PRO, or the only PRO of the
country taking that report type) and has a rule or an override.

The number of SQL queries does not depend on the portfolio's size, and the database filters,
orders and pages: only the rows asked for reach Python.
"""

import datetime
import functools
import re
import zoneinfo
from dataclasses import dataclass, field

from django.db import connection
from django.utils import timezone

from clients.models import Client, ClientStatus, Obligation, Organization
from credentials.calendar.models import DeadlineRuleOverride, Submission
from credentials.models import Credential, CredentialReportType, CredentialStatus
from reporting.models import Country, Frequency, Pro, ReportType, Scheme
from reporting.periods import periods_due_between


class DeadlineStatus:
    SUBMITTED = "submitted"
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    UPCOMING = "upcoming"
    ALL = (SUBMITTED, OVERDUE, DUE_SOON, UPCOMING)


INACTIVE_CLIENT_STATUSES = (ClientStatus.INACTIVE, ClientStatus.ARCHIVED)
MAX_WINDOW_DAYS = 2 * 366
DEFAULT_WINDOW_DAYS = 60


@dataclass(frozen=True)
class Deadline:
    client_id: int
    client_name: str
    country: str
    pro: str
    report_type: str
    period: str
    due_date: datetime.date
    status: str
    credential_id: int | None
    submission_id: int | None

    @property
    def key(self) -> tuple:
        return (self.client_id, self.country, self.pro, self.report_type, self.period)


@dataclass(frozen=True)
class DeadlineFilter:
    """What to list: due dates from `start` to `end` (inclusive) and optional narrowing by
    catalog ids, client ids and statuses (empty: all)."""

    start: datetime.date
    end: datetime.date
    country_ids: frozenset[int] = field(default_factory=frozenset)
    pro_ids: frozenset[int] = field(default_factory=frozenset)
    report_type_ids: frozenset[int] = field(default_factory=frozenset)
    client_ids: frozenset[int] = field(default_factory=frozenset)
    statuses: frozenset[str] = field(default_factory=frozenset)

    def takes_scheme(self, pro_id: int, report_type_id: int) -> bool:
        """Whether the PRO and report type filters (empty: any) let a scheme through."""
        return (not self.pro_ids or pro_id in self.pro_ids) and (
            not self.report_type_ids or report_type_id in self.report_type_ids
        )


def current_time() -> datetime.datetime:
    return timezone.now()


def organization_today(organization: Organization) -> datetime.date:
    """Today in the organization's time zone: due dates are local dates there."""
    zone = zoneinfo.ZoneInfo(organization.time_zone)
    return current_time().astimezone(zone).date()


def deadline_status(
    *, due_date: datetime.date, submitted: bool, today: datetime.date, due_soon_days: int
) -> str:
    if submitted:
        return DeadlineStatus.SUBMITTED
    if due_date < today:
        return DeadlineStatus.OVERDUE
    if (due_date - today).days <= due_soon_days:
        return DeadlineStatus.DUE_SOON
    return DeadlineStatus.UPCOMING


class _Terms:
    """Frequencies and due terms of every scheme for one organization, read in two queries."""

    def __init__(self, organization: Organization):
        schemes = Scheme.objects.select_related("deadline_rule")
        self.rules: dict[tuple[int, int], object] = {}
        for scheme in schemes:
            rule = getattr(scheme, "deadline_rule", None)
            if rule is not None:
                self.rules[(scheme.pro_id, scheme.report_type_id)] = rule
        overrides = DeadlineRuleOverride.objects.of(organization)
        for override in overrides.select_related("scheme"):
            self.rules[(override.scheme.pro_id, override.scheme.report_type_id)] = override


# The frequency key of a row: a credential's interval, or "" where the rule's frequency applies
# (no interval, or an obligation).
RULE_FREQUENCY = ""


@dataclass(frozen=True)
class _Schedule:
    """What is due in the window, per (PRO, report type, frequency key): one SQL VALUES row per
    (scheme, frequency key, period), with the due date's rank among the window's due dates and
    the status a deadline due then has unless it is submitted."""

    rows: list[tuple[int, int, str, int, str, str]]
    due_dates: list[datetime.date]
    pro_ids: frozenset[int]


def _schedule(
    terms: _Terms, wanted: DeadlineFilter, *, today: datetime.date, due_soon_days: int
) -> _Schedule:
    periods = functools.cache(
        lambda frequency, months_after, day: [
            (period.name, due)
            for period, due in periods_due_between(
                frequency, months_after=months_after, day=day, start=wanted.start, end=wanted.end
            )
        ]
    )
    keyed: list[tuple[int, int, str, str, datetime.date]] = [
        (pro_id, report_type_id, key, name, due)
        for (pro_id, report_type_id), rule in terms.rules.items()
        if wanted.takes_scheme(pro_id, report_type_id)
        for key in (RULE_FREQUENCY, *Frequency.values)
        for name, due in periods(key or rule.frequency, rule.due_months_after, rule.due_day)
    ]
    due_dates = sorted({due for *_, due in keyed})
    rank = {due: index for index, due in enumerate(due_dates)}
    rows = [
        (
            pro_id,
            report_type_id,
            key,
            rank[due],
            name,
            deadline_status(
                due_date=due, submitted=False, today=today, due_soon_days=due_soon_days
            ),
        )
        for pro_id, report_type_id, key, name, due in keyed
    ]
    return _Schedule(rows=rows, due_dates=due_dates, pro_ids=frozenset(r[0] for r in rows))


def _in(column: str, values, params: list, field=None) -> str:
    """`column IN (%s, ...)` with the values (prepared for the database by `field`)."""
    values = sorted(values, key=str)
    if field is not None:
        values = [field.get_db_prep_value(value, connection) for value in values]
    params += values
    return f"{column} IN ({', '.join(['%s'] * len(values))})"


def _literal_rows(rows: list[tuple]) -> str:
    """A VALUES list of ints and period or status names (generated here, never user text)."""

    def literal(value) -> str:
        if isinstance(value, int):
            return str(int(value))
        if not _SAFE_TEXT.match(value):
            raise ValueError(f"Not a schedule value: {value!r}")
        return f"'{value}'"

    return ", ".join(f"({', '.join(literal(value) for value in row)})" for row in rows)


_SAFE_TEXT = re.compile(r"^[A-Za-z0-9_-]*$")


def _deadline_sql(
    organization: Organization, wanted: DeadlineFilter, schedule: _Schedule
) -> tuple[str, list]:
    """(WITH clause naming them `dl`, parameters) of the window's deadlines, one row each with its total, ordered as listed.

    Credential rows and the obligations no active credential covers are joined to the
    schedule, their clients and the submissions in one statement, so that the database filters,
    orders and pages, and only the asked-for rows reach Python.
    """
    crt = CredentialReportType._meta.db_table
    credential = Credential._meta.db_table
    obligation = Obligation._meta.db_table
    client = Client._meta.db_table
    submission = Submission._meta.db_table
    country_field = Country._meta.pk
    params: list = []

    def narrow(alias: str, *, pro_column: str | None) -> str:
        conditions = []
        if wanted.country_ids:
            conditions.append(_in(f"{alias}.country_id", wanted.country_ids, params, country_field))
        if wanted.report_type_ids:
            conditions.append(_in(f"{alias}.report_type_id", wanted.report_type_ids, params))
        if wanted.client_ids:
            conditions.append(_in(f"{alias}.client_id", wanted.client_ids, params))
        if pro_column:
            # Only the schemes with something due: an index narrows by PRO, the pair exactly.
            conditions.append(_in(pro_column, schedule.pro_ids, params))
            pairs = sorted({(row[0], row[1]) for row in schedule.rows})
            conditions.append(f"({pro_column}, {alias}.report_type_id) IN ({_literal_rows(pairs)})")
        return "".join(f" AND {condition}" for condition in conditions)

    # Each part joins its clients itself, where the planner can estimate the join (it cannot
    # once the rows have met the schedule) and so hashes the clients rather than probing
    # them one row at a time.
    clients_join = f"""JOIN {client} k ON k.id = {{alias}}.client_id
        AND k.organization_id = %s AND k.collective_account = %s AND k.status NOT IN (%s, %s)"""
    client_params = [organization.pk, False, *INACTIVE_CLIENT_STATUSES]
    credential_part = f"""
        SELECT x.client_id, k.name AS client_name, x.country_id, x.pro_id, x.report_type_id,
               COALESCE(c.interval, '') AS frequency, x.credential_id
        FROM {crt} x JOIN {credential} c ON c.id = x.credential_id
        {clients_join.format(alias="x")}
        WHERE c.status <> %s{{narrow}}"""
    params += [*client_params, CredentialStatus.INACTIVE]
    credential_part = credential_part.format(narrow=narrow("x", pro_column="x.pro_id"))

    # An obligation without a PRO is the only PRO's of its country taking its report type.
    only_pro = f"""
        SELECT p.country_id, s.report_type_id, MIN(s.pro_id) AS pro_id
        FROM {Scheme._meta.db_table} s JOIN {Pro._meta.db_table} p ON p.id = s.pro_id
        GROUP BY p.country_id, s.report_type_id HAVING COUNT(DISTINCT s.pro_id) = 1"""
    params += [*client_params, CredentialStatus.INACTIVE]
    obligation_part = f"""
        SELECT o.client_id, k.name AS client_name, o.country_id,
               COALESCE(o.pro_id, op.pro_id) AS pro_id,
               o.report_type_id, '' AS frequency, NULL AS credential_id
        FROM {obligation} o
        {clients_join.format(alias="o")}
        LEFT JOIN ({only_pro}) op
          ON o.pro_id IS NULL AND op.country_id = o.country_id
          AND op.report_type_id = o.report_type_id
        WHERE NOT EXISTS (
            SELECT 1 FROM {crt} x2 JOIN {credential} c2 ON c2.id = x2.credential_id
            WHERE x2.client_id = o.client_id AND x2.country_id = o.country_id
              AND x2.report_type_id = o.report_type_id
              AND (o.pro_id IS NULL OR x2.pro_id = o.pro_id) AND c2.status <> %s
        )
        AND (o.pro_id IS NOT NULL OR NOT EXISTS (
            SELECT 1 FROM {obligation} o2
            WHERE o2.client_id = o.client_id AND o2.country_id = o.country_id
              AND o2.report_type_id = o.report_type_id AND o2.pro_id = op.pro_id
        ))""" + narrow("o", pro_column="COALESCE(o.pro_id, op.pro_id)")

    # A submission is looked up per row by its unique key, rather than joined: the planner
    # cannot estimate the rows, and a misjudged join compared every row with every submission.
    rows = f"""
        SELECT d.client_id, d.client_name, d.country_id, d.pro_id, d.report_type_id,
               d.credential_id, sch.due_rank, sch.period, sch.date_status,
               (SELECT sub.id FROM {submission} sub
                WHERE sub.client_id = d.client_id AND sub.country_id = d.country_id
                  AND sub.pro_id = d.pro_id AND sub.report_type_id = d.report_type_id
                  AND sub.period = sch.period AND sub.organization_id = %s) AS submission_id
        FROM ({credential_part} UNION ALL {obligation_part}) d
        JOIN sch ON sch.pro_id = d.pro_id AND sch.report_type_id = d.report_type_id
          AND sch.frequency = d.frequency
"""
    # The submission's parameter comes first in the text, before the rows' own.
    params[:0] = [organization.pk]
    sql = f"""
        SELECT r.*, CASE WHEN r.submission_id IS NOT NULL THEN '{DeadlineStatus.SUBMITTED}'
                         ELSE r.date_status END AS status
        FROM ({rows}) r"""
    if wanted.statuses:
        sql = f"SELECT * FROM ({sql}) st WHERE " + _in("st.status", wanted.statuses, params)
    # Computed once, before the catalog's names are joined for the order: the planner cannot
    # estimate the join with the schedule, and must not repeat the rows' query per name.
    materialized = "MATERIALIZED " if connection.vendor == "postgresql" else ""
    with_deadlines = (
        "WITH sch (pro_id, report_type_id, frequency, due_rank, period, date_status) AS "
        f"(VALUES {_literal_rows(schedule.rows)}), dl AS {materialized}({sql})"
    )
    return with_deadlines, params


@dataclass(frozen=True)
class DeadlinePage:
    total: int
    deadlines: list[Deadline]


def deadline_page(
    organization: Organization,
    wanted: DeadlineFilter,
    *,
    offset: int = 0,
    limit: int | None = None,
    today: datetime.date | None = None,
) -> DeadlinePage:
    """The organization's deadlines due from `wanted.start` to `wanted.end`, ordered by due
    date, then client name (case-insensitive), client, country, PRO and report type; `limit`
    of them from `offset` (all when None), with how many there are in all. Statuses are as of
    `today` (default: today in the organization's time zone).

    Three queries (the catalog's rules, the organization's overrides, the page with its
    total), a fourth only to count when the page is empty past its start.
    """
    today = today or organization_today(organization)
    schedule = _schedule(
        _Terms(organization), wanted, today=today, due_soon_days=organization.due_soon_days
    )
    if not schedule.rows:
        return DeadlinePage(total=0, deadlines=[])
    with_deadlines, params = _deadline_sql(organization, wanted, schedule)
    country = Country._meta.db_table
    page_sql = f"""{with_deadlines}
        SELECT dl.client_id, dl.client_name, ct.code, pr.name, rt.code, dl.period, dl.due_rank,
               dl.status, dl.credential_id, dl.submission_id, COUNT(*) OVER () AS total
        FROM dl
        JOIN {country} ct ON ct.id = dl.country_id
        JOIN {Pro._meta.db_table} pr ON pr.id = dl.pro_id
        JOIN {ReportType._meta.db_table} rt ON rt.id = dl.report_type_id
        ORDER BY dl.due_rank, LOWER(dl.client_name), dl.client_id, ct.code, pr.name, rt.code"""
    if limit is not None:
        page_sql += f" LIMIT {int(limit)}"
    elif offset and connection.vendor == "sqlite":
        page_sql += " LIMIT -1"  # SQLite takes an OFFSET only after a LIMIT
    if offset:
        page_sql += f" OFFSET {int(offset)}"
    with connection.cursor() as cursor:
        cursor.execute(page_sql, params)
        rows = cursor.fetchall()
        if rows:
            total = rows[0][-1]
        elif offset or limit == 0:
            cursor.execute(f"{with_deadlines} SELECT COUNT(*) FROM dl", params)
            total = cursor.fetchone()[0]
        else:
            total = 0
    deadlines = [
        Deadline(
            client_id=client_id,
            client_name=client_name,
            country=country_code,
            pro=pro_name,
            report_type=report_type_code,
            period=period,
            due_date=schedule.due_dates[due_rank],
            status=status,
            credential_id=credential_id,
            submission_id=submission_id,
        )
        for (
            client_id,
            client_name,
            country_code,
            pro_name,
            report_type_code,
            period,
            due_rank,
            status,
            credential_id,
            submission_id,
            _,
        ) in rows
    ]
    return DeadlinePage(total=total, deadlines=deadlines)


def deadlines_of(
    organization: Organization, wanted: DeadlineFilter, today: datetime.date | None = None
) -> list[Deadline]:
    """Every deadline of the window, in list order (see `deadline_page`)."""
    return deadline_page(organization, wanted, today=today).deadlines
