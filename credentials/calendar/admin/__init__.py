"""Admin of the compliance calendar: the Deadlines page (filters and "mark as reported"),
submissions with a CSV import, the organization's deadline rule overrides and the user's
own calendar URL. Importing this package registers them."""

from credentials.calendar.admin.deadlines import DeadlineCalendarAdmin, DeadlineFilterForm
from credentials.calendar.admin.rules_and_feeds import (
    CalendarFeedTokenAdmin,
    CalendarFeedTokenForm,
    DeadlineRuleOverrideAdmin,
    DeadlineRuleOverrideForm,
)
from credentials.calendar.admin.submissions import (
    SubmissionAdmin,
    SubmissionAdminForm,
    SubmissionImportForm,
)

__all__ = [
    "CalendarFeedTokenAdmin",
    "CalendarFeedTokenForm",
    "DeadlineCalendarAdmin",
    "DeadlineFilterForm",
    "DeadlineRuleOverrideAdmin",
    "DeadlineRuleOverrideForm",
    "SubmissionAdmin",
    "SubmissionAdminForm",
    "SubmissionImportForm",
]
