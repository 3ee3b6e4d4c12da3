from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from clients.models import Role
from clients.services import org_user_create_or_update, organization_get_or_create


class Command(BaseCommand):
    help = (
        "Create (or update) a user of an organization, creating the organization if needed. "
        "Prints the user's API token alone on the last line."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "organization", help="Organization name (created if it does not exist)."
        )
        parser.add_argument("username")
        parser.add_argument("--role", choices=Role.values, default=Role.STAFF)
        parser.add_argument(
            "--password",
            help=(
                "Admin login password (omit for API-only users); it must pass the password "
                "validators (length, not common, not all digits, not like the username)."
            ),
        )

    def handle(self, *args, organization, username, role, password, **options):
        try:
            # A refused user leaves no new organization behind.
            with transaction.atomic():
                org = organization_get_or_create(name=organization)
                membership, token = org_user_create_or_update(
                    organization=org, username=username, role=role, password=password
                )
        except ValueError as error:
            raise CommandError(str(error)) from error
        except ValidationError as error:
            raise CommandError("The password is refused: " + " ".join(error.messages)) from error
        self.stdout.write(
            f"{membership.user.username} is {membership.role} of {org.name}. API token:"
        )
        self.stdout.write(token.key)
