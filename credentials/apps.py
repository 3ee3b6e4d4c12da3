from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_migrate


def create_encryption_canary(sender, using="default", **kwargs) -> None:
    from credentials.services import encryption_canary_ensure

    encryption_canary_ensure(using=using)


class CredentialsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "credentials"

    def ready(self):
        from credentials.checks import check_encryption_key

        checks.register(check_encryption_key)
        post_migrate.connect(
            create_encryption_canary, sender=self, dispatch_uid="credentials_encryption_canary"
        )
