"""Reads of the compliance calendar: the deadlines of an organization in a window of due dates.

Where the frequency comes from, first that applies: the credential's `interval`, the
organization's override for the scheme, the catalog's deadline rule. When the report is due
comes from the override, else the rule: a credential with an interval but neither gives no
deadline, since nothing says when its reports are due (an override fills the gap).

Left out: collective-account pseudo-clients (their linked clients have the deadlines), inactive
and archived clients, inactive credentials. An obligation gives a deadline only when no
credential of the client covers it and its scheme is known (its PRO, or the only PRO of the
country taking that report type) and has a rule or an override.

The number of SQL queries does not depend on the portfolio's size.
"""

import datetime
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from clients.models import ClientStatus, Obligation, Organization
from credentials.calendar.models import DeadlineRuleOverride, Submission
from credentials.models import CredentialReportType, CredentialStatus
from reporting.models import Scheme
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


@dataclass(frozen=True)
class _Obliged:
    """One (client, country, PRO, report type) that reports, before periods are applied."""

    client_id: int
    client_name: str
    country_id: int
    country: str
    pro_id: int
    pro: str
    report_type_id: int
    report_type: str
    credential_id: int | None
    interval: str | None


def _narrow(queryset, wanted: DeadlineFilter, *, by_pro: bool = True):
    conditions = {
        "country_id__in": wanted.country_ids,
        "report_type_id__in": wanted.report_type_ids,
        "client_id__in": wanted.client_ids,
    }
    if by_pro:
        conditions["pro_id__in"] = wanted.pro_ids
    return queryset.filter(**{key: ids for key, ids in conditions.items() if ids})


def _credential_rows(organization: Organization, wanted: DeadlineFilter) -> Iterable[_Obliged]:
    rows = (
        _narrow(CredentialReportType.objects.of(organization), wanted)
        .filter(client__collective_account=False)
        .exclude(client__status__in=INACTIVE_CLIENT_STATUSES)
        .exclude(credential__status=CredentialStatus.INACTIVE)
        .values_list(
            "client_id",
            "client__name",
            "country_id",
            "country__code",
            "pro_id",
            "pro__name",
            "report_type_id",
            "report_type__code",
            "credential_id",
            "credential__interval",
        )
    )
    return [_Obliged(*row) for row in rows.iterator(chunk_size=5000)]


def _obligation_rows(organization: Organization, wanted: DeadlineFilter):
    # An obligation without a report type has no scheme, hence no deadline.
    queryset = (
        Obligation.objects.of(organization)
        .filter(client__collective_account=False, report_type__isnull=False)
        .exclude(client__status__in=INACTIVE_CLIENT_STATUSES)
    )
    # An obligation without a PRO may still be the wanted PRO's (the only one taking it).
    queryset = _narrow(queryset, wanted, by_pro=False)
    if wanted.pro_ids:
        queryset = queryset.filter(Q(pro_id__in=wanted.pro_ids) | Q(pro__isnull=True))
    return queryset.values_list(
        "client_id",
        "client__name",
        "country_id",
        "country__code",
        "pro_id",
        "report_type_id",
        "report_type__code",
    )


class _Terms:
    """Frequencies and due terms of every scheme for one organization, read in two queries."""

    def __init__(self, organization: Organization):
        schemes = Scheme.objects.select_related("pro__country", "report_type", "deadline_rule")
        self.rules: dict[tuple[int, int], object] = {}
        self.pro_names: dict[int, str] = {}
        self.pros_taking: dict[tuple[int, int], list[int]] = {}
        for scheme in schemes:
            key = (scheme.pro_id, scheme.report_type_id)
            self.pro_names[scheme.pro_id] = scheme.pro.name
            pros = self.pros_taking.setdefault((scheme.pro.country_id, scheme.report_type_id), [])
            if scheme.pro_id not in pros:
                pros.append(scheme.pro_id)
            rule = getattr(scheme, "deadline_rule", None)
            if rule is not None:
                self.rules[key] = rule
        overrides = DeadlineRuleOverride.objects.of(organization)
        for override in overrides.select_related("scheme"):
            self.rules[(override.scheme.pro_id, override.scheme.report_type_id)] = override

    def for_row(self, row: _Obliged):
        """(frequency, months after, day) for the row, or None when it has no deadline."""
        terms = self.rules.get((row.pro_id, row.report_type_id))
        if terms is None:
            return None
        return (row.interval or terms.frequency, terms.due_months_after, terms.due_day)

    def only_pro(self, country_id: int, report_type_id: int) -> int | None:
        pros = self.pros_taking.get((country_id, report_type_id), [])
        return pros[0] if len(pros) == 1 else None


def _obliged(organization: Organization, wanted: DeadlineFilter, terms: _Terms) -> list[_Obliged]:
    credential_rows = _credential_rows(organization, wanted)
    covered = {(row.client_id, row.country_id, row.report_type_id) for row in credential_rows}
    covered_with_pro = {
        (row.client_id, row.country_id, row.report_type_id, row.pro_id) for row in credential_rows
    }
    obliged = list(credential_rows)
    seen: set[tuple] = set()
    for client_id, name, country_id, country, pro_id, report_type_id, code in _obligation_rows(
        organization, wanted
    ):
        if report_type_id is None:
            continue
        if pro_id is not None:
            if (client_id, country_id, report_type_id, pro_id) in covered_with_pro:
                continue
        elif (client_id, country_id, report_type_id) in covered:
            continue
        pro_id = pro_id or terms.only_pro(country_id, report_type_id)
        if pro_id is None or (wanted.pro_ids and pro_id not in wanted.pro_ids):
            continue
        key = (client_id, country_id, report_type_id, pro_id)
        if key in seen:
            continue
        seen.add(key)
        obliged.append(
            _Obliged(
                client_id,
                name,
                country_id,
                country,
                pro_id,
                terms.pro_names.get(pro_id, ""),
                report_type_id,
                code,
                None,
                None,
            )
        )
    return obliged


def deadlines_of(
    organization: Organization, wanted: DeadlineFilter, today: datetime.date | None = None
) -> list[Deadline]:
    """The organization's deadlines due from `wanted.start` to `wanted.end`, ordered by due
    date, then client name; statuses as of `today` (default: today in its time zone)."""
    today = today or organization_today(organization)
    terms = _Terms(organization)
    pending: list[tuple[_Obliged, str, datetime.date]] = []
    periods_cache: dict[tuple, list] = {}
    for row in _obliged(organization, wanted, terms):
        row_terms = terms.for_row(row)
        if row_terms is None:
            continue
        if row_terms not in periods_cache:
            frequency, months_after, day = row_terms
            periods_cache[row_terms] = [
                (period.name, due)
                for period, due in periods_due_between(
                    frequency,
                    months_after=months_after,
                    day=day,
                    start=wanted.start,
                    end=wanted.end,
                )
            ]
        pending.extend((row, name, due) for name, due in periods_cache[row_terms])

    period_names = {name for _, name, _ in pending}
    submitted = {}
    if period_names:
        submissions = _narrow(
            Submission.objects.of(organization).filter(period__in=period_names), wanted
        ).values_list("id", "client_id", "country_id", "pro_id", "report_type_id", "period")
        submitted = {tuple(key): pk for pk, *key in submissions}

    deadlines = []
    for row, name, due in pending:
        submission_id = submitted.get(
            (row.client_id, row.country_id, row.pro_id, row.report_type_id, name)
        )
        status = deadline_status(
            due_date=due,
            submitted=submission_id is not None,
            today=today,
            due_soon_days=organization.due_soon_days,
        )
        if wanted.statuses and status not in wanted.statuses:
            continue
        deadlines.append(
            Deadline(
                client_id=row.client_id,
                client_name=row.client_name,
                country=row.country,
                pro=row.pro,
                report_type=row.report_type,
                period=name,
                due_date=due,
                status=status,
                credential_id=row.credential_id,
                submission_id=submission_id,
            )
        )
    deadlines.sort(
        key=lambda d: (
            d.due_date,
            d.client_name.casefold(),
            d.client_id,
            d.country,
            d.pro,
            d.report_type,
        )
    )
    return deadlines
