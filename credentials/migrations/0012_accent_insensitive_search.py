from django.db import migrations

# The client search matches credential logins and registration numbers ignoring case and
# accents, through lower(f_unaccent(column)) (clients/search.py; f_unaccent: clients 0009):
# trigram indexes on that expression answer it on PostgreSQL. The upper(column) indexes of
# credentials 0004 stay: the credentials' own search and the admin's still compare upper().
INDEXES = {
    "credentials_login_folded_trgm": ("credentials_credential", "login"),
    "credentials_regno_folded_trgm": ("credentials_credential", "registration_number"),
}


def indexes_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index, (table, column) in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{index}" ON "{table}" '
            f'USING gin ((lower(f_unaccent("{column}"))) gin_trgm_ops)'
        )
    # Statistics of the new index expressions, which the planner's estimates need (clients 0009).
    schema_editor.execute("ANALYZE credentials_credential")


def indexes_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{index}"')


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0010_accent_insensitive_search"),
        ("credentials", "0011_import_jobs"),
    ]

    operations = [
        migrations.RunPython(indexes_create, indexes_drop),
    ]
