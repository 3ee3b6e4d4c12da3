"""Recompute the clients' coverage and search text and the organizations' statistics from the
rows and report any difference from what the database keeps; with --repair, rebuild what
differs."""

from django.core.management.base import BaseCommand, CommandError

from clients.portfolio_stats import portfolio_drift
from clients.portfolio_version import portfolio_repair


class Command(BaseCommand):
    help = (
        "Compare the kept client coverage, search text and statistics with the rows; "
        "--repair rebuilds those of the organizations that differ."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--repair", action="store_true", help="Rebuild the organizations that differ."
        )

    def handle(self, *args, repair: bool, **options):
        drift = portfolio_drift()
        if not drift:
            self.stdout.write("Coverage, search text and statistics match the rows: no drift.")
            return
        for item in drift:
            if item.dimension == "coverage":
                self.stdout.write(
                    f"organization {item.organization_id}: coverage of client {item.key} differs"
                )
            elif item.dimension == "search":
                self.stdout.write(
                    f"organization {item.organization_id}: search text of client {item.key} differs"
                )
            elif item.dimension == "facets":
                self.stdout.write(
                    f"organization {item.organization_id}: statistics of client {item.key} differ"
                )
            else:
                self.stdout.write(
                    f"organization {item.organization_id}: {item.dimension}={item.key} "
                    f"kept {item.kept}, counted {item.actual}"
                )
        organizations = sorted({item.organization_id for item in drift})
        if not repair:
            raise CommandError(
                f"{len(drift)} difference(s) in {len(organizations)} organization(s); "
                "run with --repair to rebuild them."
            )
        portfolio_repair(organizations)
        remaining = portfolio_drift()
        if remaining:
            raise CommandError(f"{len(remaining)} difference(s) remain after the repair.")
        self.stdout.write(f"Rebuilt {len(organizations)} organization(s): no drift left.")
