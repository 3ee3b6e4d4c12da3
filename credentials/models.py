"""PRO portal logins of clients, and collective accounts shared between clients."""

from django.db import models
from simple_history.models import HistoricalRecords

from clients.models import Client
from credentials.fields import EncryptedSecretField
from reporting.models import Country, Pro, ReportType


class CredentialStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    PENDING = "pending", "Pending"
    INVALID = "invalid", "Invalid"


class Interval(models.TextChoices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    HALF_YEARLY = "half-yearly", "Half-yearly"
    YEARLY = "yearly", "Yearly"


class Credential(models.Model):
    """A client's login to one PRO portal in one country, for one or more report types.

    A credential linked to a collective account has no login or password of its own: it reads
    them from the collective credential.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="credentials")
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    pro = models.ForeignKey(Pro, on_delete=models.PROTECT, related_name="+")
    report_types = models.ManyToManyField(
        ReportType, through="CredentialReportType", related_name="+"
    )
    login = models.CharField(max_length=255, blank=True)
    password = EncryptedSecretField(max_length=500, blank=True)
    registration_number = models.CharField(max_length=100, blank=True)
    status = models.CharField(
        max_length=10, choices=CredentialStatus.choices, default=CredentialStatus.ACTIVE
    )
    notes = models.TextField(blank=True)
    interval = models.CharField(max_length=12, choices=Interval.choices, null=True, blank=True)
    extra_info = models.JSONField(null=True, blank=True)
    collective_account = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="linked_credentials",
        help_text="The collective credential this one reads its login and password from.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords(excluded_fields=["password"])

    class Meta:
        ordering = ["country__code", "pro__name", "id"]
        indexes = [
            models.Index(fields=["login"], name="credentials_login_idx"),
            models.Index(fields=["registration_number"], name="credentials_regno_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.client} · {self.country.code} · {self.pro.name}"


class CredentialReportType(models.Model):
    """One report type a credential covers.

    client, country and pro repeat the credential's so that the database itself refuses two
    credentials of a client that share country, PRO and a report type, and so that "one
    credential matches country + report type + PRO together" is a lookup on one table.
    """

    credential = models.ForeignKey(
        Credential, on_delete=models.CASCADE, related_name="report_type_links"
    )
    report_type = models.ForeignKey(ReportType, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="credential_report_types"
    )
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    pro = models.ForeignKey(Pro, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "country", "pro", "report_type"],
                name="credentials_one_credential_per_client_country_pro_report_type",
            ),
        ]
        indexes = [
            models.Index(
                fields=["country", "report_type", "pro"], name="credentials_crt_match_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.credential} · {self.report_type.code}"
