from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from clients.models import Organization
from clients.services import api_key_create


class Command(BaseCommand):
    help = (
        "Create an API key for an organization's /users routes. The key is printed once, alone "
        "on the last line; only its digest is stored."
    )

    def add_arguments(self, parser):
        parser.add_argument("organization", help="Name of an existing organization.")
        parser.add_argument("name", help="What the key is for, e.g. 'Bubble production'.")

    def handle(self, *args, organization, name, **options):
        org = Organization.objects.filter(name__iexact=organization).first()
        if org is None:
            raise CommandError(f"No organization called {organization!r}.")
        try:
            api_key, raw_key = api_key_create(organization=org, name=name)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(f"API key {api_key.name!r} for {org.name} (shown only this once):")
        self.stdout.write(raw_key)
