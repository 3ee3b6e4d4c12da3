from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from clients.services import client_organization_invitation_accept


class Command(BaseCommand):
    help = (
        "Accept an agency's invitation on behalf of USERNAME's organization (USERNAME must be "
        "an admin of it): the organization becomes the invited client's client_organization."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="An admin of the organization that accepts.")
        parser.add_argument("token", help="The invitation token the agency gave.")

    def handle(self, *args, username, token, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user called {username!r}.")
        try:
            invitation = client_organization_invitation_accept(token=token, user=user)
        except PermissionDenied as error:
            raise CommandError(str(error)) from error
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            f"{invitation.client_organization.name} is now the organization of the client "
            f"{invitation.client.name} of {invitation.agency.name}."
        )
