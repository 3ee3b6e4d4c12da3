"""The producer companies an organization serves: clients, their names and obligations."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from clients.limits import NAME_MAX_LENGTH, NOTES_MAX_LENGTH
from clients.models.organization import Organization, OrganizationQuerySet, organization_queryset
from config.secret_tokens import new_token, token_digest
from reporting.models import Country, Pro, ReportType

GLOBAL_SCOPE = "*"


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
        return token_digest(raw_token)

    @classmethod
    def generate_raw_token(cls) -> str:
        return new_token(cls.TOKEN_PREFIX)


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
