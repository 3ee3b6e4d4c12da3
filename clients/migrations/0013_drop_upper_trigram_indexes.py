from django.db import migrations

# Client names, notes and aliases are searched as lower(f_unaccent(column)) (clients/search.py:
# the client list, the admin's search fields), which the indexes of clients 0010 answer. The
# upper(column) trigram indexes of clients 0003 no longer answer any query, and each client or
# alias written paid for them.
INDEXES = {
    "clients_client_name_trgm": ("clients_client", "name"),
    "clients_client_notes_trgm": ("clients_client", "notes"),
    "clients_alias_name_trgm": ("clients_alias", "name"),
}


def indexes_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{index}"')


def indexes_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index, (table, column) in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{index}" ON "{table}" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


class Migration(migrations.Migration):
    dependencies = [("clients", "0012_missing_credentials_facet")]

    operations = [migrations.RunPython(indexes_drop, indexes_create)]
