from django.db import migrations

from clients import search_text

# PostgreSQL: the credentials' triggers of the clients' search text (credentials/apps.py
# registers what a credential adds to it; clients/search_text.py), then every client's text.


def install(apps, schema_editor):
    search_text.search_text_install(using=schema_editor.connection.alias)


def uninstall(apps, schema_editor):
    search_text.search_text_uninstall(
        tables=["credentials_credential"], using=schema_editor.connection.alias
    )


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0015_client_search_text"),
        ("credentials", "0014_credential_change_finds_clients_by_key"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
