from django.db import migrations

# Every search of logins and registration numbers compares lower(f_unaccent(column))
# (clients/search.py: the client list, the credentials' search, the admin's search fields through
# the `folded_contains` lookup), which the indexes of credentials 0012 answer. The upper(column)
# trigram indexes of credentials 0004 no longer answer any query, and each credential written
# paid for them.
INDEXES = {
    "credentials_login_trgm": ("credentials_credential", "login"),
    "credentials_regno_trgm": ("credentials_credential", "registration_number"),
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
    dependencies = [("credentials", "0012_accent_insensitive_search")]

    operations = [migrations.RunPython(indexes_drop, indexes_create)]
