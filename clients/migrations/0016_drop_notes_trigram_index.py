from django.db import migrations

# A client's notes are searched through its search text (clients 0015, clients/search_text.py);
# the trigram index of clients 0010 on the notes themselves no longer answers any query, and
# each client written paid for it.
INDEX = "clients_client_notes_folded_trgm"


def index_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')


def index_create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "clients_client" '
            'USING gin ((lower(f_unaccent("notes"))) gin_trgm_ops)'
        )


class Migration(migrations.Migration):
    dependencies = [("clients", "0015_client_search_text")]

    operations = [migrations.RunPython(index_drop, index_create)]
