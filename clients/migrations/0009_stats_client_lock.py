from django.db import migrations

from clients import portfolio_stats

# PostgreSQL: a refresh of a client's coverage and facets first locks the client, so that two
# transactions writing one client take turns instead of each recomputing from what it saw
# (clients/portfolio_stats.py); the counts are then rebuilt once.


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(portfolio_stats.POSTGRESQL_REFRESH_FUNCTION)
    schema_editor.execute(
        portfolio_stats.postgresql_coverage_function_sql("obligation", "clients_obligation")
    )


class Migration(migrations.Migration):
    dependencies = [("clients", "0008_organization_calendar_settings")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
