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

from clients.limits import API_KEY_NAME_MAX_LENGTH, NAME_MAX_LENGTH, NOTES_MAX_LENGTH
from reporting.models import Country, Pro, ReportType

GLOBAL_SCOPE = "*"


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
        return hashlib.sha256(raw_key.encode("utf-8")).hexdigest()

    @classmethod
    def generate_raw_key(cls) -> str:
        return cls.PREFIX + secrets.token_urlsafe(32)


class ClientStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ONBOARDING = "onboarding", "Onboarding"
    INACTIVE = "inactive", "Inactive"
    ARCHIVED = "archived", "Archived"


class ClientQuerySet(OrganizationQuerySet):
    def readable_by(self, organization):
        """Clients the organization may read: its own, and clients that are that organization
        itself and were shared with it by their agency (read-only, passwords masked)."""
        return self.filter(
            Q(organization=organization) | Q(shared=True, client_organization=organization)
        )


class Client(models.Model):
    """A producer company the agency registers and reports for."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="clients")
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    status = models.CharField(
        max_length=12, choices=ClientStatus.choices, default=ClientStatus.ACTIVE, db_index=True
    )
    shared = models.BooleanField(
        default=False, help_text="Let the client's own organization read this client (masked)."
    )
    notes = models.TextField(blank=True, max_length=NOTES_MAX_LENGTH)
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
    objects = ClientQuerySet.as_manager()

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


class ClientOrganizationGrant(models.Model):
    """An organization's consent to be the `client_organization` of one agency's client.

    A shared client reaches its client organization's lists, so an agency may name only an
    organization that agreed: one the agency created for that client (`created`, agreed from
    the start), or one whose admin accepted the agency's invitation (`invited`: a token handed
    over outside the system; only its SHA-256 digest is stored; the organization that accepts
    it is recorded then).
    """

    class Kind(models.TextChoices):
        CREATED = "created", "Created by the agency for the client"
        INVITED = "invited", "Invitation"

    agency = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="client_organization_grants_given"
    )
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="client_organization_grants"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    client_organization = models.ForeignKey(
        Organization,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="client_organization_grants",
        help_text="The organization that agreed; empty while an invitation is pending.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    TOKEN_PREFIX = "fsi_"

    objects = organization_queryset("agency").as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "client organization grant"
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True, client_organization__isnull=True)
                | Q(accepted_at__isnull=False, client_organization__isnull=False),
                name="clients_coggrant_accepted_names_organization",
            ),
            models.CheckConstraint(
                condition=Q(kind="invited", token_hash__isnull=False)
                | Q(kind="created", token_hash__isnull=True),
                name="clients_coggrant_token_only_for_invitations",
            ),
        ]

    def __str__(self) -> str:
        state = "accepted" if self.accepted_at else "pending"
        return f"{self.get_kind_display()} for {self.client} ({state})"

    @staticmethod
    def hash_token(raw_token: str) -> str:
        return hashlib.sha256(raw_token.encode("utf-8")).hexdigest()

    @classmethod
    def generate_raw_token(cls) -> str:
        return cls.TOKEN_PREFIX + secrets.token_urlsafe(32)


class Alias(models.Model):
    """A name of a client in one country (its local company name there) or globally (`*`)."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="aliases")
    scope = models.CharField(
        max_length=2, default=GLOBAL_SCOPE, help_text="A country code, or * for a global alias."
    )
    name = models.CharField(max_length=NAME_MAX_LENGTH)
    objects = organization_queryset("client__organization").as_manager()

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


class Obligation(models.Model):
    """The client must report `report_type` in `country` (optionally with a given PRO).

    Without a report type (and then without a PRO) it records only that the client operates in
    the country: a file mapping just name and country says that much, and the country then
    counts in the statistics and the filters, and lacks a credential until one is there."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="obligations")
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    report_type = models.ForeignKey(
        ReportType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    pro = models.ForeignKey(Pro, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    objects = organization_queryset("client__organization").as_manager()

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
                condition=Q(pro__isnull=True, report_type__isnull=False),
                name="clients_obligation_without_pro_unique",
            ),
            # NULLs are distinct in a unique index: the country-only case needs its own.
            models.UniqueConstraint(
                fields=["client", "country"],
                condition=Q(report_type__isnull=True),
                name="clients_obligation_country_only_unique",
            ),
            # A PRO is chosen for a report type: no PRO without one.
            models.CheckConstraint(
                condition=Q(report_type__isnull=False) | Q(pro__isnull=True),
                name="clients_obligation_pro_needs_report_type",
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
        report_type = f" · {self.report_type.code}" if self.report_type_id else ""
        pro = f" · {self.pro.name}" if self.pro_id else ""
        return f"{self.country.code}{report_type}{pro}"


class CoverageSource(models.TextChoices):
    CREDENTIAL = "credential", "Credential"
    OBLIGATION = "obligation", "Obligation"


class ClientCoverage(models.Model):
    """What a client covers: one row per distinct (country, report type, PRO) of its credentials
    and, separately, of its obligations.

    The list filters read it instead of the credentials and obligations themselves, and the
    statistics are derived from it. Database triggers keep it (clients/portfolio_stats.py), never
    the ORM, so every path counts: services, the admin, the bulk upload's COPY, cascades.
    """

    # No single-column indexes: the two below serve every query of the table.
    client = models.ForeignKey(
        Client, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    # The client's organization and collective flag, copied by the triggers, so that the list
    # counts the clients matching a filter from this table's index alone.
    organization = models.ForeignKey(
        Organization,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    collective_account = models.BooleanField()
    source = models.CharField(max_length=10, choices=CoverageSource.choices)
    country = models.ForeignKey(
        Country, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    report_type = models.ForeignKey(
        ReportType,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        related_name="+",
    )
    pro = models.ForeignKey(
        Pro,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        null=True,
        related_name="+",
    )

    class Meta:
        indexes = [
            # How many of an organization's clients match country / report type / PRO, read
            # from the index alone.
            models.Index(
                fields=[
                    "organization",
                    "collective_account",
                    "country",
                    "report_type",
                    "pro",
                    "client",
                ],
                name="clients_coverage_org_idx",
            ),
            # A client's coverage: the triggers replace it by client, and the list probes
            # whether a client matches a filter without reading the table.
            models.Index(
                fields=["client", "country", "report_type", "pro"],
                name="clients_coverage_client_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.client_id} · {self.source} · {self.country_id}/{self.report_type_id}"


class StatDimension(models.TextChoices):
    STATUS = "status", "Status"
    COUNTRY = "country", "Country"
    REPORT_TYPE = "report_type", "Report type"
    # Key "credentials": the client has an obligation that no credential covers.
    MISSING = "missing", "Missing credentials"


class ClientStatFacet(models.Model):
    """One count a client adds to its organization's statistics: its status, each country and
    report type it covers, and whether it has missing credentials (collective-account
    pseudo-clients add none).

    Kept by the same triggers as ClientCoverage: when a write changes a client, its facets are
    recomputed and the difference is applied to PortfolioStat.
    """

    client = models.ForeignKey(
        Client, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    dimension = models.CharField(max_length=12, choices=StatDimension.choices)
    key = models.CharField(max_length=40, help_text="A status, or a country or report type id.")

    class Meta:
        indexes = [models.Index(fields=["client"], name="clients_statfacet_client_idx")]

    def __str__(self) -> str:
        return f"{self.client_id} · {self.dimension}={self.key}"


class PortfolioStat(models.Model):
    """How many of an organization's clients have a status, or cover a country or report type:
    the counts `GET /logins/stats` answers, kept by triggers in the transaction of each write.

    On PostgreSQL a write first adds its changes to PortfolioStatDelta; at commit they are added
    here, so that writers of one organization do not hold its counters for their whole
    transaction. A reader adds its own transaction's pending deltas (others' are invisible).
    """

    # Indexed by the unique constraint (counters) and the index below (deltas).
    organization = models.ForeignKey(
        Organization,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    dimension = models.CharField(max_length=12, choices=StatDimension.choices)
    key = models.CharField(max_length=40)
    clients = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "dimension", "key"], name="clients_portfoliostat_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} · {self.dimension}={self.key}: {self.clients}"


class PortfolioStatDelta(models.Model):
    """A change to PortfolioStat not yet committed (PostgreSQL only; see PortfolioStat)."""

    transaction_id = models.BigIntegerField()
    # Indexed by the unique constraint (counters) and the index below (deltas).
    organization = models.ForeignKey(
        Organization,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    dimension = models.CharField(max_length=12, choices=StatDimension.choices)
    key = models.CharField(max_length=40)
    clients = models.BigIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["transaction_id"], name="clients_statdelta_txn_idx"),
            models.Index(fields=["organization"], name="clients_statdelta_org_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.organization_id} · {self.dimension}={self.key}: {self.clients:+}"
