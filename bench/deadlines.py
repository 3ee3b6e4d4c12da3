"""The bench organization's compliance calendar: deadline rules and submissions to measure with.

The shipped catalog states deadlines for two schemes only (Stiftung EAR WEEE, Fost Plus
packaging), so the bench organization overrides a few more of the portfolio's busiest schemes
for itself, as an agency would, and records a share of the reports due in the coming weeks as
submitted, so that the status filters have something to tell apart. The terms below are bench
data, not statements of the PROs' rules. Both are idempotent: the bench runs them before every
measurement.
"""

import datetime

from django.db import connection, transaction

from clients.models import Organization
from credentials.calendar.models import DeadlineRuleOverride, Submission
from credentials.calendar.selectors import organization_today
from reporting.models import Frequency, Scheme
from reporting.periods import periods_due_between

# (country, PRO, report type): (frequency, months after the period, day)
BENCH_OVERRIDES = {
    ("DE", "Zentrale Stelle Verpackungsregister (LUCID)", "Packaging"): ("yearly", 5, 15),
    ("NL", "Afvalfonds Verpakkingen", "Packaging"): ("yearly", 3, 31),
    ("UK", "Valpak", "Packaging"): ("quarterly", 1, 20),
    ("UK", "Comply Direct", "WEEE"): ("quarterly", 1, 31),
    ("FR", "ecosystem", "WEEE"): ("quarterly", 1, 31),
    ("FR", "Refashion", "Textiles"): ("yearly", 2, 28),
    ("IT", "CONAI", "Packaging"): ("monthly", 0, 20),
    ("DE", "Stiftung EAR", "Batteries"): ("monthly", 1, 15),
}
# One client in SUBMITTED_EVERY has reported each period due in the submitted window.
SUBMITTED_EVERY = 3
SUBMITTED_WINDOW_DAYS = (-30, 30)


def bench_overrides(organization: Organization) -> int:
    """The bench organization's overrides of BENCH_OVERRIDES; returns how many schemes."""
    schemes = Scheme.objects.select_related("pro__country", "report_type")
    found = 0
    for scheme in schemes:
        terms = BENCH_OVERRIDES.get(
            (scheme.pro.country.code, scheme.pro.name, scheme.report_type.code)
        )
        if terms is None:
            continue
        frequency, months_after, day = terms
        DeadlineRuleOverride.objects.update_or_create(
            organization=organization,
            scheme=scheme,
            defaults={
                "frequency": frequency,
                "due_months_after": months_after,
                "due_day": day,
                "note": "Bench data.",
            },
        )
        found += 1
    return found


@transaction.atomic
def bench_submissions(organization: Organization) -> int:
    """Submissions for every SUBMITTED_EVERY-th client of each report due from 30 days ago to
    30 days ahead under the organization's rules and overrides (set-based, one INSERT per
    scheme, frequency and period); returns how many rows were added."""
    from credentials.calendar.selectors import _Terms

    today = organization_today(organization)
    start = today + datetime.timedelta(days=SUBMITTED_WINDOW_DAYS[0])
    end = today + datetime.timedelta(days=SUBMITTED_WINDOW_DAYS[1])
    terms = _Terms(organization)
    added = 0
    with connection.cursor() as cursor:
        for (pro_id, report_type_id), rule in terms.rules.items():
            for frequency in Frequency.values:
                due = periods_due_between(
                    frequency,
                    months_after=rule.due_months_after,
                    day=rule.due_day,
                    start=start,
                    end=end,
                )
                same = "c.interval IS NULL OR " if frequency == rule.frequency else ""
                for period, _ in due:
                    cursor.execute(
                        f"""
                        INSERT INTO {Submission._meta.db_table}
                            (organization_id, client_id, country_id, pro_id, report_type_id,
                             period, submitted_at, reference, note)
                        SELECT %s, x.client_id, x.country_id, x.pro_id, x.report_type_id,
                               %s, now(), 'BENCH', ''
                        FROM credentials_credentialreporttype x
                        JOIN credentials_credential c ON c.id = x.credential_id
                        JOIN clients_client k ON k.id = x.client_id
                        WHERE k.organization_id = %s AND x.pro_id = %s
                          AND x.report_type_id = %s AND ({same}c.interval = %s)
                          AND x.client_id %% %s = 0
                        ON CONFLICT DO NOTHING
                        """,
                        [
                            organization.pk,
                            period.name,
                            organization.pk,
                            pro_id,
                            report_type_id,
                            frequency,
                            SUBMITTED_EVERY,
                        ],
                    )
                    added += cursor.rowcount
        if added and connection.vendor == "postgresql":
            # As autovacuum would soon: planned without statistics, the calendar looked each
            # deadline's submission up by (organization, period) and compared it with every
            # submission of the period (over 10 minutes at 1,000,000 clients, 7 s after this).
            cursor.execute(f"ANALYZE {Submission._meta.db_table}")
    return added
