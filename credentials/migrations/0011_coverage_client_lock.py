from django.db import migrations

from clients import portfolio_stats

# PostgreSQL: the credential report types' coverage function locks the clients it recomputes
# first, like the obligations' (clients 0009).
TABLE = "credentials_credentialreporttype"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(portfolio_stats.postgresql_coverage_function_sql("credential", TABLE))
    portfolio_stats.portfolio_rebuild(using=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0009_stats_client_lock"),
        ("credentials", "0010_credential_version_columns"),
    ]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
