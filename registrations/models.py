"""Producers' registrations with PRO schemes, as the frontend (a Bubble app) keeps them.

Everything here belongs to one organization: sellers, producers and frontend users directly,
stripe configs through their seller, registrations directly (a copy of their producer's, so bubble
ids can be unique per organization in the database) and declarations through their registration.
Schemes, PROs and countries come from the shared catalog (`reporting`).
"""

import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from clients.models import Client, Organization
from reporting.models import Scheme, TimestampedModel


def _unique_bubble_id(model: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        fields=["organization", "bubble_id"], name=f"registrations_{model}_org_bubble_id_unique"
    )


class FrontendUser(TimestampedModel):
    """A user of the frontend; the `UserBubbleId` of the `/users/...` routes."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="frontend_users"
    )
    bubble_id = models.CharField(max_length=64)
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["bubble_id"]
        constraints = [_unique_bubble_id("frontenduser")]

    def __str__(self) -> str:
        return self.email or self.bubble_id


class Seller(TimestampedModel):
    """The company that sells EPR services to producers and collects their payments."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="sellers")
    bubble_id = models.CharField(max_length=64, null=True, blank=True)
    company_name = models.CharField(max_length=255)
    nrn = models.CharField("NRN", max_length=32, blank=True, help_text="National company number.")
    vat = models.CharField("VAT number", max_length=32, blank=True)
    company_address = models.CharField(max_length=255, blank=True)
    # Bubble serves files as protocol-relative URLs (`//…cdn.bubble.io/…`), which URLField rejects.
    company_logo = models.CharField(max_length=500, blank=True)
    super_admin_email = models.EmailField(blank=True)
    super_admin_mobile_phone = models.CharField(max_length=32, blank=True)
    super_admin_first_name = models.CharField(max_length=100, blank=True)
    super_admin_last_name = models.CharField(max_length=100, blank=True)
    registration_fees_id = models.CharField(
        max_length=255, blank=True, help_text="Stripe price of the registration fees."
    )
    declaration_basic_fees_id = models.CharField(
        max_length=255, blank=True, help_text="Stripe price of a basic declaration."
    )
    declaration_premium_fees_id = models.CharField(
        max_length=255, blank=True, help_text="Stripe price of a premium declaration."
    )
    connect_algorep_id = models.CharField(
        max_length=255, blank=True, help_text="Stripe Connect account."
    )
    commission_percentage = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )

    class Meta:
        ordering = ["company_name"]
        constraints = [_unique_bubble_id("seller")]

    def __str__(self) -> str:
        return self.company_name


class SellerSchemeProStripeConfig(TimestampedModel):
    """The Stripe prices and account a seller uses for one scheme."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    seller = models.ForeignKey(Seller, on_delete=models.CASCADE, related_name="stripe_configs")
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="stripe_configs")
    deposit_price_id = models.CharField(max_length=255, blank=True)
    eco_contribution_price_id = models.CharField(max_length=255, blank=True)
    connect_id = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["seller__company_name", "scheme__pro__name"]
        verbose_name = "seller stripe config"
        constraints = [
            models.UniqueConstraint(
                fields=["seller", "scheme"], name="registrations_stripeconfig_seller_scheme_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.seller} · {self.scheme}"


class Producer(TimestampedModel):
    """A producer company (identified by its NRN) that registers with PRO schemes."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="producers"
    )
    nrn = models.CharField("NRN", max_length=32, help_text="National company number.")
    bubble_id = models.CharField(max_length=64, null=True, blank=True)
    company_name = models.CharField(max_length=255)
    seller = models.ForeignKey(
        Seller, on_delete=models.PROTECT, null=True, blank=True, related_name="producers"
    )
    client = models.ForeignKey(
        Client, on_delete=models.SET_NULL, null=True, blank=True, related_name="producers"
    )
    users = models.ManyToManyField(
        FrontendUser,
        related_name="producers",
        blank=True,
        help_text="The frontend users that may act on this producer.",
    )

    class Meta:
        ordering = ["company_name", "nrn"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "nrn"], name="registrations_producer_org_nrn_unique"
            ),
            _unique_bubble_id("producer"),
        ]

    def __str__(self) -> str:
        return f"{self.company_name} ({self.nrn})"

    def clean(self) -> None:
        errors = {}
        if self.seller_id and self.seller.organization_id != self.organization_id:
            errors["seller"] = "The seller belongs to another organization."
        if self.client_id and self.client.organization_id != self.organization_id:
            errors["client"] = "The client belongs to another organization."
        if errors:
            raise ValidationError(errors)


class Registration(TimestampedModel):
    """A producer's registration with one scheme (at most one per producer and scheme)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="registrations", editable=False
    )
    producer = models.ForeignKey(Producer, on_delete=models.CASCADE, related_name="registrations")
    scheme = models.ForeignKey(Scheme, on_delete=models.PROTECT, related_name="registrations")
    bubble_id = models.CharField(max_length=64, null=True, blank=True)
    # null is kept apart from "": the frontend sends null for "not known yet" and reads it back.
    uin = models.CharField(
        "UIN",
        max_length=100,
        null=True,
        blank=True,
        help_text="Unique identifier given by ADEME or the like.",
    )
    pro_member_id = models.CharField(
        "PRO member id",
        max_length=100,
        null=True,
        blank=True,
        help_text="The PRO's id for the producer.",
    )
    status = models.CharField(max_length=64, null=True, blank=True)
    scheme_deposit_amount = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True
    )
    is_external_registration = models.BooleanField(default=False)
    uin_received_at = models.DateTimeField("UIN received at", null=True, blank=True)
    registration_sent_to_pro_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["producer__company_name", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["producer", "scheme"], name="registrations_registration_producer_scheme"
            ),
            _unique_bubble_id("registration"),
        ]

    def __str__(self) -> str:
        return f"{self.producer} · {self.scheme}"

    def validate_constraints(self, exclude=None):
        # The organization is the producer's, never a form field; its constraints still apply.
        if self.producer_id:
            self.organization_id = self.producer.organization_id
        super().validate_constraints(exclude=set(exclude or ()) - {"organization"})

    def save(self, *args, **kwargs):
        self.organization_id = self.producer.organization_id
        super().save(*args, **kwargs)


class Declaration(TimestampedModel):
    """What a producer declared (and paid) under a registration for one period."""

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="declarations"
    )
    period = models.CharField(max_length=20, help_text="For example 2023, 2024-Q1 or 2024-03.")
    product_count = models.PositiveIntegerField(default=0)
    quantity = models.PositiveBigIntegerField(default=0, help_text="Units put on the market.")
    amount = models.DecimalField(max_digits=14, decimal_places=2, default=0)
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["registration", "period"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "period"], name="registrations_declaration_period_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.registration} · {self.period}"
