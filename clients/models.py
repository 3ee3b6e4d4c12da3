"""Organizations (the tenants), their people and keys, and the producer companies they serve."""

import hashlib
import secrets
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from reporting.models import Country, Pro, ReportType

GLOBAL_SCOPE = "*"


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            f"{value!r} is not a time zone. Use an IANA name such as Europe/Paris."
        )


class Organization(models.Model):
    """An EPR compliance agency (or a producer company given access to its own data)."""

    name = models.CharField(max_length=200)
    time_zone = models.CharField(
        max_length=64,
        default="Europe/Paris",
        validators=[validate_time_zone],
        help_text="Deadlines are dates of this time zone (an IANA name such as Europe/Berlin).",
    )
    due_soon_days = models.PositiveSmallIntegerField(
        default=14,
        validators=[MaxValueValidator(365)],
        help_text="A deadline this many days away or closer is due soon.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="clients_organization_name_ci_unique")
        ]

    def __str__(self) -> str:
        return self.name


class PortfolioVersion(models.Model):
    """A number that changes whenever anything an organization's client list or statistics are
    computed from changes, in its own portfolio or in a client shared with it.

    Database triggers write it (see clients/portfolio_version.py), never the ORM, so that every
    path counts: services, the admin, the bulk upload's COPY, raw SQL. Cached list answers and
    statistics are keyed by it. Values are never reused, even after a rollback. No row: the
    organization's portfolio was never written.
    """

    organization = models.OneToOneField(
        Organization,
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    version = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.organization_id} @ {self.version}"


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    STAFF = "staff", "Staff"
    VIEWER = "viewer", "Viewer"


class Membership(models.Model):
    """Ties a user to exactly one organization with a role."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.STAFF)

    class Meta:
        ordering = ["organization__name", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} · {self.organization} ({self.role})"

    @property
    def can_write(self) -> bool:
        return self.role in (Role.ADMIN, Role.STAFF)

    @property
    def can_reveal_passwords(self) -> bool:
        return self.role in (Role.ADMIN, Role.STAFF)


class ApiKey(models.Model):
    """An organization's key for the `/users` routes. Only a SHA-256 digest is stored."""

    PREFIX = "fsk_"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(
        max_length=12, editable=False, help_text="First characters, to recognise a key."
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked = models.BooleanField(default=False)

    class Meta:
        ordering = ["organization__name", "name"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(raw_key: str) -> str:
        return hashlib.sha256(raw_key.encode("utf-8")).hexdigest()

    @classmethod
    def generate_raw_key(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)


class ClientStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ONBOARDING = "onboarding", "Onboarding"
    INACTIVE = "inactive", "Inactive"
    ARCHIVED = "archived", "Archived"


class Client(models.Model):
    """A producer company the agency registers and reports for."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="clients")
    name = models.CharField(max_length=255)
    status = models.CharField(
        max_length=12, choices=ClientStatus.choices, default=ClientStatus.ACTIVE, db_index=True
    )
    shared = models.BooleanField(
        default=False, help_text="Let the client's own organization read this client (masked)."
    )
    notes = models.TextField(blank=True)
    client_organization = models.ForeignKey(
        Organization,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="represented_by",
        help_text="The organization that is this client itself, if it has its own users.",
    )
    collective_account = models.BooleanField(
        default=False, help_text="A pseudo-client that owns collective accounts."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                "organization",
                Lower("name"),
                name="clients_client_org_name_ci_unique",
                violation_error_message="A client with this name already exists.",
            )
        ]
        indexes = [
            models.Index(fields=["organization", "name"], name="clients_client_org_name_idx"),
            # Counts of the list and the stats read this index only.
            models.Index(
                fields=["organization", "collective_account", "status"],
                name="clients_client_org_coll_st_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Alias(models.Model):
    """A name of a client in one country (its local company name there) or globally (`*`)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="aliases")
    scope = models.CharField(
        max_length=2, default=GLOBAL_SCOPE, help_text="A country code, or * for a global alias."
    )
    name = models.CharField(max_length=255)
    history = HistoricalRecords()

    class Meta:
        ordering = ["scope"]
        verbose_name_plural = "aliases"
        constraints = [
            models.UniqueConstraint(
                fields=["client", "scope"], name="clients_alias_client_scope_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scope}: {self.name}"

    def clean(self) -> None:
        self.scope = (self.scope or "").strip().upper() or GLOBAL_SCOPE
        if self.scope != GLOBAL_SCOPE and not Country.objects.filter(code=self.scope).exists():
            raise ValidationError(
                {"scope": f"Unknown country {self.scope!r}: use a catalog country code or *."}
            )


class Obligation(models.Model):
    """The client must report `report_type` in `country` (optionally with a given PRO)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="obligations")
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    report_type = models.ForeignKey(ReportType, on_delete=models.PROTECT, related_name="+")
    pro = models.ForeignKey(Pro, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    history = HistoricalRecords()

    class Meta:
        ordering = ["country__code", "report_type__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["client", "country", "report_type", "pro"],
                condition=Q(pro__isnull=False),
                name="clients_obligation_with_pro_unique",
            ),
            models.UniqueConstraint(
                fields=["client", "country", "report_type"],
                condition=Q(pro__isnull=True),
                name="clients_obligation_without_pro_unique",
            ),
        ]
        indexes = [
            # List filters read client ids by country, report type and PRO from this index only.
            models.Index(
                fields=["country", "report_type", "pro", "client"],
                name="clients_oblig_match_idx",
            ),
        ]

    def __str__(self) -> str:
        pro = f" · {self.pro.name}" if self.pro_id else ""
        return f"{self.country.code} · {self.report_type.code}{pro}"

    def clean(self) -> None:
        if not (self.pro_id and self.country_id and self.report_type_id):
            return
        if self.pro.country_id != self.country_id:
            raise ValidationError(
                {
                    "pro": f"{self.pro.name} is a PRO of {self.pro.country.code}, not of this country."
                }
            )
        if not self.pro.schemes.filter(report_type_id=self.report_type_id).exists():
            raise ValidationError(
                {"pro": f"{self.pro.name} does not take {self.report_type.code}."}
            )
