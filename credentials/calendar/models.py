"""What the compliance calendar stores; the deadlines themselves are computed (selectors)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from clients.limits import SUBMISSION_REFERENCE_MAX_LENGTH
from clients.models import Client, Organization, organization_queryset
from config.secret_tokens import new_token, token_digest
from reporting.models import Country, DueTerms, Pro, ReportType, Scheme


class DeadlineRuleOverride(DueTerms):
    """An organization's own deadline for a scheme, in place of the catalog's rule (or where
    the catalog has none)."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="deadline_rule_overrides"
    )
    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="+")
    note = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = organization_queryset("organization").as_manager()

    class Meta:
        ordering = ["scheme__pro__country__code", "scheme__pro__name", "scheme__report_type__code"]
        verbose_name = "deadline rule override"
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "scheme"], name="credentials_override_org_scheme_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scheme}: {self.get_frequency_display()} (override)"


class Submission(models.Model):
    """A report was made: client, country, PRO, report type and period are done."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="submissions"
    )
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="submissions")
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    pro = models.ForeignKey(Pro, on_delete=models.PROTECT, related_name="+")
    report_type = models.ForeignKey(ReportType, on_delete=models.PROTECT, related_name="+")
    period = models.CharField(max_length=7, help_text="2026, 2026-H2, 2026-Q3 or 2026-11.")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(default=timezone.now)
    reference = models.CharField(
        max_length=SUBMISSION_REFERENCE_MAX_LENGTH,
        blank=True,
        help_text="The PRO's receipt or declaration number.",
    )
    note = models.TextField(blank=True)

    objects = organization_queryset("organization").as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "country", "pro", "report_type", "period"],
                name="credentials_submission_unique",
                violation_error_message="This report is already recorded as submitted.",
            )
        ]
        indexes = [
            models.Index(fields=["organization", "period"], name="credentials_subm_org_period"),
        ]

    def __str__(self) -> str:
        return f"{self.client} · {self.country.code} · {self.pro.name} · {self.report_type.code} · {self.period}"


class DeadlineCalendar(Submission):
    """The admin's "Deadlines" page (the computed calendar, with its mark-as-reported action)."""

    class Meta:
        proxy = True
        verbose_name = "deadline"
        verbose_name_plural = "deadlines"


class CalendarFeedToken(models.Model):
    """A user's secret calendar URL. Only a SHA-256 digest of the token is stored."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed_token"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=12, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "calendar feed"

    def __str__(self) -> str:
        return f"{self.user} · {self.prefix}…"

    @staticmethod
    def hash_token(raw_token: str) -> str:
        return token_digest(raw_token)

    @staticmethod
    def generate_raw_token() -> str:
        return new_token("cal_")


class DeadlineReminder(models.Model):
    """A digest of deadlines was mailed to a user on a day (so that a day has at most one)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deadline_reminders"
    )
    sent_on = models.DateField(help_text="The day, in the organization's time zone.")
    sent_at = models.DateTimeField(default=timezone.now)
    deadlines = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-sent_on", "user_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "sent_on"], name="credentials_reminder_user_day_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.sent_on}"
