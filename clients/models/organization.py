"""Organizations (the tenants), their people and their API keys, and the tenancy queryset."""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models.functions import Lower

from clients.limits import API_KEY_NAME_MAX_LENGTH, NAME_MAX_LENGTH
from config.secret_tokens import new_token, token_digest


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(
            f"{value!r} is not a time zone. Use an IANA name such as Europe/Paris."
        )


class OrganizationQuerySet(models.QuerySet):
    """Tenancy, written once: `Model.objects.of(organization)` is every row the organization
    owns. `organization_path` is the lookup from the model to its Organization."""

    organization_path = "organization"

    def of(self, organization):
        return self.filter(**{self.organization_path: organization})


def organization_queryset(path: str) -> type[OrganizationQuerySet]:
    """An OrganizationQuerySet for a model that reaches its organization through `path`."""
    return type("OrganizationQuerySet", (OrganizationQuerySet,), {"organization_path": path})


class Organization(models.Model):
    """An EPR compliance agency (or a producer company given access to its own data)."""

    name = models.CharField(max_length=NAME_MAX_LENGTH)
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

    objects = organization_queryset("organization").as_manager()

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

    @property
    def can_manage_keys(self) -> bool:
        return self.role == Role.ADMIN


class ApiKey(models.Model):
    """An organization's key for the `/users` routes. Only a SHA-256 digest is stored."""

    PREFIX = "fsk_"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=API_KEY_NAME_MAX_LENGTH)
    prefix = models.CharField(
        max_length=12, editable=False, help_text="First characters, to recognise a key."
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked = models.BooleanField(default=False)

    objects = organization_queryset("organization").as_manager()

    class Meta:
        ordering = ["organization__name", "name"]
        verbose_name = "API key"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(raw_key: str) -> str:
        return token_digest(raw_key)

    @classmethod
    def generate_raw_key(cls) -> str:
        return new_token(cls.PREFIX)
