from django.db import migrations, models

from clients.portfolio_version import unwatch_client_row_tables, watch_client_row_tables

TABLES = ("credentials_credential", "credentials_credentialreporttype")


def watch(apps, schema_editor):
    watch_client_row_tables(schema_editor, TABLES)


def unwatch(apps, schema_editor):
    unwatch_client_row_tables(schema_editor, TABLES)


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0004_portfolio_version"),
        ("credentials", "0004_list_and_search_indexes"),
    ]

    operations = [
        migrations.RunPython(watch, unwatch),
        migrations.AddIndex(
            model_name="credential",
            index=models.Index(
                fields=["collective_account", "client"],
                condition=models.Q(collective_account__isnull=False),
                name="credentials_linked_idx",
            ),
        ),
    ]
