from django.core.management.base import BaseCommand, CommandError

from reporting.reporting_api import ReportingApiError
from reporting.services import catalog_sync_from_reporting_api


class Command(BaseCommand):
    help = "Pull the EPR catalog (countries, PROs, report types) from the reporting API."

    def handle(self, *args, **options):
        try:
            result = catalog_sync_from_reporting_api()
        except ReportingApiError as error:
            raise CommandError(f"Catalog not synced, nothing changed: {error}") from error
        self.stdout.write(self.style.SUCCESS(f"Catalog synced: {result}."))
