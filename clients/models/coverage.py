"""What the client list and the statistics read: the coverage index, the counters and the search
text, kept by database triggers (clients/portfolio_stats/, clients/search_text.py), never by the
ORM."""

from django.db import models

from clients.models.client import Client
from clients.models.organization import Organization
from reporting.models import Country, Pro, ReportType


class CoverageSource(models.TextChoices):
    CREDENTIAL = "credential", "Credential"
    OBLIGATION = "obligation", "Obligation"


class ClientCoverage(models.Model):
    """What a client covers: one row per distinct (country, report type, PRO) of its credentials
    and, separately, of its obligations.

    The list filters read it instead of the credentials and obligations themselves, and the
    statistics are derived from it. Database triggers keep it (clients/portfolio_stats/), never
    the ORM, so every path counts: services, the admin, the bulk upload's COPY, cascades.
    """

    # No single-column indexes: the three below serve every query of the table.
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
            # How many clients cover a PRO, or a PRO in a report type, read from the index
            # alone (a PRO is of one country: the index above would read all of it).
            models.Index(
                fields=["organization", "collective_account", "pro", "report_type", "client"],
                name="clients_coverage_pro_idx",
                condition=models.Q(pro__isnull=False),
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


class ClientSearchText(models.Model):
    """What the list's search compares of a client, folded into one text, with what the list
    orders and filters by (organization, collective flag, status, name): kept by PostgreSQL's
    triggers, read through one trigram index
    (clients/search_text.py). Empty on SQLite, whose search compares the source columns."""

    client = models.OneToOneField(
        Client,
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    organization = models.ForeignKey(
        Organization,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    collective_account = models.BooleanField()
    status = models.CharField(max_length=12)
    # lower(name): the list's order.
    name_key = models.TextField()
    text = models.TextField()

    def __str__(self) -> str:
        return f"{self.client_id} · {self.text[:40]}"


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
