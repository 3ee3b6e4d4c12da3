"""PRO portal logins of clients, collective accounts shared between clients, and the audit of
every password that leaves the server."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from simple_history.models import HistoricalRecords

from clients.limits import LOGIN_MAX_LENGTH, NOTES_MAX_LENGTH, REGISTRATION_NUMBER_MAX_LENGTH
from clients.models import Client, Organization, organization_queryset
from credentials.calendar.models import (  # noqa: F401 (the calendar's models, in this app)
    CalendarFeedToken,
    DeadlineCalendar,
    DeadlineReminder,
    DeadlineRuleOverride,
    Submission,
)
from credentials.fields import EncryptedSecretField
from reporting.models import Country, Pro, ReportType

MASK = "***"


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
    them from the collective credential (`effective_login`, `effective_password`).

    Written through credentials.services only: the services keep `report_type_codes` and the
    CredentialReportType rows in step.
    """

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="credentials")
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    pro = models.ForeignKey(Pro, on_delete=models.PROTECT, related_name="+")
    report_types = models.ManyToManyField(
        ReportType, through="CredentialReportType", related_name="+"
    )
    report_type_codes = models.CharField(
        "report types",
        max_length=1000,
        blank=True,
        editable=False,
        help_text="The report type codes, comma-joined (kept so that history shows them).",
    )
    login = models.CharField(max_length=LOGIN_MAX_LENGTH, blank=True)
    password = EncryptedSecretField(max_length=500, blank=True)
    registration_number = models.CharField(max_length=REGISTRATION_NUMBER_MAX_LENGTH, blank=True)
    status = models.CharField(
        max_length=10, choices=CredentialStatus.choices, default=CredentialStatus.ACTIVE
    )
    notes = models.TextField(blank=True, max_length=NOTES_MAX_LENGTH)
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
    objects = organization_queryset("client__organization").as_manager()

    history = HistoricalRecords(excluded_fields=["password"])

    class Meta:
        ordering = ["country__code", "pro__name", "id"]
        indexes = [
            models.Index(fields=["login"], name="credentials_login_idx"),
            models.Index(fields=["registration_number"], name="credentials_regno_idx"),
            # The clients linked to collective accounts whose login matches a search, read
            # from the index alone.
            models.Index(
                fields=["collective_account", "client"],
                condition=Q(collective_account__isnull=False),
                name="credentials_linked_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client} · {self.country.code} · {self.pro.name}"

    @property
    def is_linked(self) -> bool:
        return self.collective_account_id is not None

    @property
    def in_collective_account(self) -> bool:
        """A collective account (its client is a collective-account client) or linked to one."""
        return self.is_linked or self.client.collective_account

    @property
    def effective_login(self) -> str:
        return self.collective_account.login if self.is_linked else self.login

    @property
    def effective_password(self) -> str:
        """The plaintext: for writes, and for credentials.services.secrets_reveal to hand out.
        Anything that shows a password renders what secrets_reveal returned."""
        return self.collective_account.password if self.is_linked else self.password

    @property
    def has_password(self) -> bool:
        """Whether there is a password to show (masked, or revealed through secrets_reveal)."""
        return bool(self.effective_password)

    @property
    def report_type_list(self) -> list[str]:
        return [code for code in self.report_type_codes.split(",") if code]


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

    objects = organization_queryset("client__organization").as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["client", "country", "pro", "report_type"],
                name="credentials_one_credential_per_client_country_pro_report_type",
            ),
        ]
        indexes = [
            # With client last, "clients with a row matching country/report type/PRO" is read
            # from the index alone.
            models.Index(
                fields=["country", "report_type", "pro", "client"],
                name="credentials_crt_cover_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.credential} · {self.report_type.code}"


class CollectiveAccount(Credential):
    """A credential of a collective-account pseudo-client, seen with the clients linked to it."""

    class Meta:
        proxy = True
        ordering = ["country__code", "pro__name", "id"]


class CredentialPasswordHistory(models.Model):
    """A password a credential had before it was changed, kept encrypted."""

    credential = models.ForeignKey(
        Credential, on_delete=models.CASCADE, related_name="password_history"
    )
    password = EncryptedSecretField(max_length=500, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who replaced this password.",
    )
    changed_at = models.DateTimeField(default=timezone.now, help_text="When it was replaced.")

    objects = organization_queryset("credential__client__organization").as_manager()

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = "previous password"
        verbose_name_plural = "previous passwords"
        permissions = [
            ("reveal_password_history", "Can reveal a previous password of a credential"),
        ]

    def __str__(self) -> str:
        return f"{self.credential} · password replaced {self.changed_at:%Y-%m-%d %H:%M}"


class AccessReason(models.TextChoices):
    API_READ = "api read", "API: credentials read"
    API_WRITE = "api write", "API: credential written"
    ADMIN_REVEAL = "admin reveal", "Admin: password revealed"
    HISTORY_REVEAL = "history reveal", "Admin: previous password revealed"


class PasswordAccessEvent(models.Model):
    """A plaintext password left the server: who, which credential, when, from where, how.

    Never holds the secret. Labels are copied so the event stays readable after the user, the
    client or the credential is deleted.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="password_access_events"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="password_access_events",
    )
    username = models.CharField(max_length=150)
    client = models.ForeignKey(
        Client,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="password_access_events",
    )
    credential = models.ForeignKey(
        Credential,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="access_events",
    )
    credential_label = models.CharField("credential", max_length=500)
    password_history = models.ForeignKey(
        CredentialPasswordHistory,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="access_events",
        help_text="Set when a previous password was revealed.",
    )
    reason = models.CharField(max_length=20, choices=AccessReason.choices)
    ip = models.GenericIPAddressField("IP address", null=True, blank=True)
    method = models.CharField(max_length=10)
    route = models.CharField(max_length=500)

    objects = organization_queryset("organization").as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "password access event"
        indexes = [
            models.Index(fields=["organization", "-at"], name="credentials_access_org_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.username} · {self.credential_label} · {self.at:%Y-%m-%d %H:%M:%S}"


class EncryptionCanary(models.Model):
    """One row holding a known constant, encrypted: proves the configured keys decrypt the data."""

    EXPECTED = "forsure-canary-v1"

    value = EncryptedSecretField(max_length=100)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "encryption canary"

    def __str__(self) -> str:
        return "encryption canary"


class ClientImport(models.Model):
    """A bulk upload of clients that was executed (previews write nothing, so leave no record).

    Who ran it, when, through which door, the file's ids, and what it did. An atomic upload
    with errors is recorded too, with `applied` false.
    """

    class Source(models.TextChoices):
        API = "api", "API"
        ADMIN = "admin", "Admin"
        COMMAND = "command", "Command"

    ROW_ERRORS_KEPT = 1000

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="client_imports"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="client_imports",
    )
    username = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    source = models.CharField(max_length=10, choices=Source.choices)
    file_name = models.CharField(max_length=255, blank=True)
    file_ids = models.JSONField("file ids", default=list, blank=True)
    mapping = models.JSONField(default=list, blank=True)
    atomic = models.BooleanField(default=False)
    applied = models.BooleanField(
        default=True, help_text="False when an atomic upload had errors and nothing was applied."
    )
    rows = models.PositiveIntegerField(default=0, help_text="Data rows in the file.")
    valid_rows = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0, help_text="Clients created.")
    updated = models.PositiveIntegerField(default=0, help_text="Clients updated.")
    errors = models.PositiveIntegerField(default=0, help_text="Rows with errors (not applied).")
    warnings = models.PositiveIntegerField(default=0)
    row_errors = models.JSONField(
        default=list,
        blank=True,
        help_text=f"The first {ROW_ERRORS_KEPT} errors: row (as the file counts), field, message.",
    )
    duration_ms = models.PositiveIntegerField(null=True, blank=True)

    objects = organization_queryset("organization").as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "client import"
        indexes = [
            models.Index(fields=["organization", "-created_at"], name="credentials_import_org_idx"),
        ]

    def __str__(self) -> str:
        return f"Import {self.pk} · {self.created_at:%Y-%m-%d %H:%M} · {self.username or '—'}"


class ImportJob(models.Model):
    """A bulk upload run in the background (credentials.client_import.jobs), for its import
    record `client_import`.

    Its rows wait in `chunks` (ImportJobChunk, encrypted: they hold passwords), planned as the
    synchronous upload plans them. A worker applies one chunk per transaction, and in that same
    transaction deletes the chunk and advances the checkpoint (`chunks_done`, `rows_done`,
    `progress`), so a job stopped anywhere resumes after its last committed chunk and never
    applies one twice. `progress` carries the report so far (counts, first row messages).
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    client_import = models.OneToOneField(
        ClientImport, on_delete=models.CASCADE, primary_key=True, related_name="job"
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    has_header = models.BooleanField(default=False)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    chunks_total = models.PositiveIntegerField(default=0)
    chunks_done = models.PositiveIntegerField(default=0)
    progress = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True, help_text="Why the job failed.")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "import job"

    def __str__(self) -> str:
        return f"Job of import {self.client_import_id} · {self.state}"


class ImportJobChunk(models.Model):
    """Rows of a background upload not applied yet: `content` is the Fernet token (key
    FIELD_ENCRYPTION_KEY) of the JSON list of [row number, cells]. Deleted in the transaction
    that applies it."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="chunks")
    position = models.PositiveIntegerField()
    rows = models.PositiveIntegerField()
    content = models.TextField()

    class Meta:
        verbose_name = "import job chunk"
        constraints = [
            models.UniqueConstraint(fields=["job", "position"], name="import_job_chunk_position")
        ]
        ordering = ["job", "position"]

    def __str__(self) -> str:
        return f"Chunk {self.position} of job {self.job_id}"


class PendingImportFile(models.Model):
    """A file uploaded to the admin's import, kept between its preview and its confirmation.

    It may hold passwords, so its bytes are stored Fernet-encrypted with FIELD_ENCRYPTION_KEY,
    only the user who uploaded it (in its organization) may confirm it, and it lives
    IMPORT_UPLOAD_TTL seconds at most (credentials.import_uploads).
    """

    name = models.CharField(max_length=64, unique=True, help_text="A random key.")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    content = models.TextField(help_text="The file's bytes as a Fernet token.")

    objects = organization_queryset("organization").as_manager()

    class Meta:
        verbose_name = "pending import file"

    def __str__(self) -> str:
        return f"Upload {self.name} · {self.created_at:%Y-%m-%d %H:%M}"
