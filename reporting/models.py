"""The EPR reference catalog: countries, PROs, report types and the schemes that join them.

The catalog is reference data shared by every organization; only superusers edit it.
"""

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Country(TimestampedModel):
    """A country as the EPR world writes it: ISO 3166 alpha-2, except `UK` for Great Britain."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    code = models.CharField(max_length=2, unique=True, help_text="ISO code as EPR uses it (UK).")
    name_en = models.CharField("name (EN)", max_length=100)
    name_fr = models.CharField("name (FR)", max_length=100, blank=True)
    name_zh = models.CharField("name (ZH)", max_length=100, blank=True)
    is_vat = models.BooleanField("VAT applies", default=True)
    epr_activated = models.BooleanField("EPR activated", default=True)
    bubble_id = models.CharField(max_length=64, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "countries"

    def __str__(self) -> str:
        return f"{self.code} · {self.name_en}"


class ReportType(TimestampedModel):
    """A reporting stream (WEEE, Packaging, Batteries, ...)."""

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(Lower("code"), name="reporting_reporttype_code_ci_unique")
        ]

    def __str__(self) -> str:
        return self.code


class Pro(TimestampedModel):
    """A Producer Responsibility Organisation (or national register) in one country."""

    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="pros")
    name = models.CharField(max_length=120)
    address = models.CharField(max_length=255, blank=True)
    city = models.CharField(max_length=120, blank=True)
    zip_code = models.CharField(max_length=20, blank=True)
    # Bubble serves files as protocol-relative URLs (`//…cdn.bubble.io/…`), which URLField rejects.
    logo = models.CharField(max_length=500, blank=True)
    website = models.URLField(max_length=500, blank=True)
    notes = models.TextField(blank=True)
    password_max_age_days = models.PositiveIntegerField(
        "password max age (days)",
        null=True,
        blank=True,
        help_text="Set where the portal makes passwords expire: older ones need attention. "
        "Blank: the PRO enforces no age.",
    )
    report_types = models.ManyToManyField(
        ReportType, through="Scheme", related_name="pros", blank=True
    )

    class Meta:
        ordering = ["country__code", "name"]
        verbose_name = "PRO"
        verbose_name_plural = "PROs"
        constraints = [
            models.UniqueConstraint(
                "country", Lower("name"), name="reporting_pro_country_name_ci_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.country.code})"


class Scheme(TimestampedModel):
    """A PRO offering one report type in its country (the seed's `schemePro`)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pro = models.ForeignKey(Pro, on_delete=models.CASCADE, related_name="schemes")
    report_type = models.ForeignKey(ReportType, on_delete=models.PROTECT, related_name="schemes")
    bubble_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    scheme_code = models.CharField(max_length=40, blank=True)
    ademe_scheme_code = models.CharField(max_length=40, blank=True)
    currency_deposit = models.CharField(max_length=8, blank=True, default="€")
    declaration_frequency = models.CharField(max_length=40, blank=True)
    registration_deposit = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True
    )
    scheme_name_en = models.CharField(max_length=255, blank=True)
    scheme_name_fr = models.CharField(max_length=255, blank=True)
    scheme_partner = models.BooleanField(default=False)
    eco_organism_name = models.CharField(
        max_length=120,
        blank=True,
        help_text="The PRO's name as this scheme is sold under (seed: ecoOrganismName); "
        "blank means the PRO's own name.",
    )

    class Meta:
        ordering = ["pro__country__code", "pro__name", "report_type__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["pro", "report_type", "scheme_code"],
                name="reporting_scheme_pro_report_type_code_unique",
            )
        ]

    def __str__(self) -> str:
        label = f"{self.pro.name} · {self.report_type.code} ({self.pro.country.code})"
        return f"{label} [{self.scheme_code}]" if self.scheme_code else label

    @property
    def eco_organism(self) -> str:
        """The name the scheme is sold under: its own `eco_organism_name`, else its PRO's name."""
        return self.eco_organism_name or self.pro.name


class Frequency(models.TextChoices):
    """How often a report is due; the same values as a credential's `interval`."""

    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    HALF_YEARLY = "half-yearly", "Half-yearly"
    YEARLY = "yearly", "Yearly"


class DueTerms(models.Model):
    """When a period's report is due: `due_months_after` months after the period's last month,
    on `due_day` of that month (a day beyond the month's length is its last day)."""

    frequency = models.CharField(max_length=12, choices=Frequency.choices)
    due_months_after = models.PositiveSmallIntegerField(
        "due months after the period",
        validators=[MaxValueValidator(24)],
        help_text="0: in the period's last month; 1: the month after; and so on.",
    )
    due_day = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(31)],
        help_text="Day of that month; 31 means its last day, whatever its length.",
    )

    class Meta:
        abstract = True


class DeadlineRule(DueTerms, TimestampedModel):
    """A scheme's reporting deadline as a public source states it (kept with its source)."""

    scheme = models.OneToOneField(Scheme, on_delete=models.CASCADE, related_name="deadline_rule")
    source_url = models.URLField(
        "source URL", max_length=500, help_text="The public text that states this deadline."
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["scheme__pro__country__code", "scheme__pro__name", "scheme__report_type__code"]

    def __str__(self) -> str:
        return (
            f"{self.scheme}: {self.get_frequency_display()}, due day {self.due_day} "
            f"+{self.due_months_after} month(s)"
        )


class CatalogVersion(models.Model):
    """One row: a random number the database renews at every write to the tables the
    in-memory catalog reads (countries, PROs, report types, schemes), so that a process may
    keep the catalog while the number stays the same (`reporting.catalog_version`)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    version = models.BigIntegerField()

    def __str__(self) -> str:
        return f"catalog version {self.version}"
