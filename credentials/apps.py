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
        from clients.portfolio_version import CLIENT_OF_ROW, table_watch
        from clients.search_text import SearchSource, search_source_register
        from credentials.checks import check_encryption_key

        # A credential covers its country, PRO and each of its report types.
        coverage_source_register("credential", "credentials_credentialreporttype")
        # The list reads credentials (search by login, registration number, a collective
        # account's login) and their report types (filters): credentials 0005 installs the
        # PostgreSQL triggers.
        table_watch(
            "credentials_credentialreporttype",
            sqlite_organizations=CLIENT_OF_ROW,
            postgresql_function="clients_client_row_changed",
        )
        table_watch(
            "credentials_credential",
            # A linked credential reads its collective account's login.
            sqlite_organizations=(
                "SELECT {column} FROM clients_client WHERE id = {row}.client_id "
                "OR id IN (SELECT client_id FROM credentials_credential "
                "WHERE collective_account_id = {row}.id)"
            ),
            postgresql_function="credentials_credential_changed",
            # Credentials 0010: a new password, notes or status leaves list answers valid.
            update_columns=("client_id", "login", "registration_number", "collective_account_id"),
        )
        # The list's search finds a client by its credentials' logins (a linked credential's:
        # its collective account's) and registration numbers (clients/search_text.py).
        search_source_register(
            SearchSource(
                table="credentials_credential",
                text=(
                    "concat_ws(chr(31), NULLIF(t.login, ''), NULLIF(t.registration_number, ''), "
                    "(SELECT NULLIF(a.login, '') FROM credentials_credential a "
                    "WHERE a.id = t.collective_account_id))"
                ),
                columns=("login", "registration_number", "collective_account_id"),
                followers=(
                    "SELECT l.client_id FROM credentials_credential l "
                    "WHERE l.collective_account_id = ANY(rows)"
                ),
                followed=("login",),
            )
        )
        checks.register(check_encryption_key)
        post_migrate.connect(
            create_encryption_canary, sender=self, dispatch_uid="credentials_encryption_canary"
        )
