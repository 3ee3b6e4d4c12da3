from django.db import migrations, models

# Substring search (`icontains`, which Django writes as UPPER(column::text) LIKE UPPER(...))
# can use a trigram index on PostgreSQL; other databases scan, which is fine at their scale.
TRIGRAM_INDEXES = {
    "clients_client_name_trgm": ("clients_client", "name"),
    "clients_client_notes_trgm": ("clients_client", "notes"),
    "clients_alias_name_trgm": ("clients_alias", "name"),
}


def create_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for index, (table, column) in TRIGRAM_INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{index}" ON "{table}" '
            f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop_trigram_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in TRIGRAM_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{index}"')


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0002_client_name_violation_message"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="client",
            index=models.Index(
                fields=["organization", "collective_account", "status"],
                name="clients_client_org_coll_st_idx",
            ),
        ),
        migrations.RemoveIndex(
            model_name="obligation",
            name="clients_oblig_ctry_rt_idx",
        ),
        migrations.AddIndex(
            model_name="obligation",
            index=models.Index(
                fields=["country", "report_type", "pro", "client"],
                name="clients_oblig_match_idx",
            ),
        ),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]
