from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_migrate


def create_encryption_canary(sender, using="default", **kwargs) -> None:
    from credentials.services import encryption_canary_ensure

    encryption_canary_ensure(using=using)


class CredentialsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "credentials"
    # The client's credentials and the CSV import and export, on the client admin.
    client_admin_extension = "credentials.admin.ClientCredentialsAdminMixin"

    def ready(self):
        from clients.portfolio_stats import coverage_source_register
        from credentials.checks import check_encryption_key

        # A credential covers its country, PRO and each of its report types.
        coverage_source_register("credential", "credentials_credentialreporttype")
        checks.register(check_encryption_key)
        post_migrate.connect(
            create_encryption_canary, sender=self, dispatch_uid="credentials_encryption_canary"
        )
