"""The EPR reference catalog: countries, PROs, report types and the schemes that join them.

The catalog is reference data shared by every organization; only superusers edit it.
"""

import uuid

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
