from django.db import migrations

from clients import portfolio_stats

# PostgreSQL: a credential's report types are what its client covers (clients 0005 and
# clients/portfolio_stats.py). SQLite's row triggers are installed after every migrate.
TABLE = "credentials_credentialreporttype"


def watch(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(portfolio_stats.postgresql_coverage_function("credential", TABLE))
    # The coverage is rebuilt by clients 0009, once its table has its final columns.


def unwatch(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(portfolio_stats.postgresql_drop_coverage_function(TABLE))


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0005_coverage_and_stats"),
        ("credentials", "0005_portfolio_version"),
    ]

    operations = [migrations.RunPython(watch, unwatch)]
