from importlib import import_module
from importlib.util import find_spec

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from clients.models import ApiKey, Role
from clients.services import api_key_create, org_user_create_or_update, organization_get_or_create

DEMO_ORGANIZATION = "Demo Agency"
DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo"
DEMO_API_KEY_NAME = "Demo key"


class Command(BaseCommand):
    help = (
        "Create the demo organization 'Demo Agency' with an admin user, a token, an API key and "
        "a demo portfolio (each app's demo.seed). Safe to run again: it updates in place. "
        "The admin is a superuser with a well-known password, so the command runs only with "
        "DEBUG on, unless --allow-production."
    )

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help=(
                f"Run with DEBUG off too: creates the superuser {DEMO_USERNAME!r} with the "
                f"password {DEMO_PASSWORD!r} on this database."
            ),
        )

    def handle(self, *args, base_url, allow_production, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError(
                f"seed_demo creates the superuser {DEMO_USERNAME!r} with the password "
                f"{DEMO_PASSWORD!r}, so it runs only with DEBUG=1 (as `make demo` does). On a "
                "server that must have the demo, add --allow-production."
            )
        self._seed(base_url=base_url)

    @transaction.atomic
    def _seed(self, *, base_url: str) -> None:
        organization = organization_get_or_create(name=DEMO_ORGANIZATION)
        membership, token = org_user_create_or_update(
            organization=organization,
            username=DEMO_USERNAME,
            role=Role.ADMIN,
            password=DEMO_PASSWORD,
            weak_password_allowed=True,
        )
        get_user_model().objects.filter(pk=membership.user_id).update(is_superuser=True)
        for app_config in apps.get_app_configs():
            module_name = f"{app_config.name}.demo"
            if find_spec(module_name) is not None:
                import_module(module_name).seed(organization=organization)
        # A raw key cannot be shown again, so each run replaces the demo key.
        ApiKey.objects.filter(organization=organization, name=DEMO_API_KEY_NAME).delete()
        _, raw_key = api_key_create(organization=organization, name=DEMO_API_KEY_NAME)

        self.stdout.write(self.style.SUCCESS(f"Demo organization {organization.name!r} is ready."))
        self.stdout.write(
            f"  Admin:        {base_url}/admin/  (user {DEMO_USERNAME!r}, password {DEMO_PASSWORD!r})"
        )
        self.stdout.write(f"  API docs:     {base_url}/api/docs/")
        self.stdout.write(f"  API token:    {token.key}")
        self.stdout.write(
            f"    curl -H 'Authorization: Token {token.key}' {base_url}/logins/report_types"
        )
        self.stdout.write(
            f"  API key:      {raw_key}   (for /users routes, raw Authorization header)"
        )
