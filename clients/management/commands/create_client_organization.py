from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from clients.models import Client, Organization
from clients.services import client_organization_create


class Command(BaseCommand):
    help = (
        "Create the organization that is an agency's client itself (agreed by construction) and "
        "make it the client's client_organization. Give it users with create_org_user; they "
        "read the client once the agency shares it."
    )

    def add_arguments(self, parser):
        parser.add_argument("agency", help="Name of the agency that owns the client.")
        parser.add_argument("client_id", type=int, help="Id of the agency's client.")
        parser.add_argument("--name", help="The new organization's name (default: the client's).")

    def handle(self, *args, agency, client_id, name, **options):
        client = Client.objects.filter(
            pk=client_id, organization__in=Organization.objects.filter(name__iexact=agency)
        ).first()
        if client is None:
            raise CommandError(f"{agency!r} has no client {client_id}.")
        try:
            organization = client_organization_create(client=client, name=name or client.name)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            f"{organization.name} (id {organization.pk}) is the organization of the client "
            f"{client.name} of {client.organization.name}."
        )
