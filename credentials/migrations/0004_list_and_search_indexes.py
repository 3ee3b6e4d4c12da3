from django.db import migrations, models

# The client list's search matches credential logins and registration numbers as substrings
# (`icontains`, which Django writes as UPPER(column::text) LIKE UPPER(...)): a trigram index
# answers it on PostgreSQL; other databases scan, which is fine at their scale.
TRIGRAM_INDEXES = {
    "credentials_login_trgm": ("credentials_credential", "login"),
    "credentials_regno_trgm": ("credentials_credential", "registration_number"),
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
        ("clients", "0003_list_and_search_indexes"),
        ("credentials", "0003_client_import"),
        ("reporting", "0003_scheme_eco_organism_name_pro_logo"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="credentialreporttype",
            name="credentials_crt_match_idx",
        ),
        migrations.AddIndex(
            model_name="credentialreporttype",
            index=models.Index(
                fields=["country", "report_type", "pro", "client"],
                name="credentials_crt_cover_idx",
            ),
        ),
        migrations.RunPython(create_trigram_indexes, drop_trigram_indexes),
    ]
