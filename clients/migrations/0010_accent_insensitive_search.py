from django.db import migrations

# The client search compares lower(f_unaccent(text)) (clients/search.py). On PostgreSQL,
# f_unaccent wraps the unaccent extension's unaccent() in an IMMUTABLE function, which an index
# expression may call (unaccent() itself is only STABLE: its dictionary could be changed), and
# trigram indexes on that expression answer the search. Creating the extension needs a
# superuser or, since PostgreSQL 13, a database owner (unaccent is a trusted extension); where
# the application's user is neither, create it beforehand: CREATE EXTENSION unaccent.
# SQLite registers f_unaccent on each connection (config/sqlite_functions.py).
INDEXES = {
    "clients_client_name_folded_trgm": ("clients_client", "name"),
    "clients_client_notes_folded_trgm": ("clients_client", "notes"),
    "clients_alias_name_folded_trgm": ("clients_alias", "name"),
}

# unaccent(regdictionary, text) declared IMMUTABLE straight from the extension's library: the
# planner then inlines f_unaccent, about five times cheaper per row than calling it. Declaring
# a C function needs a superuser; without one, f_unaccent calls unaccent() (same results).
IMMUTABLE_UNACCENT = """
CREATE OR REPLACE FUNCTION f_unaccent_dictionary(regdictionary, text) RETURNS text
LANGUAGE c IMMUTABLE PARALLEL SAFE STRICT AS '$libdir/unaccent', 'unaccent_dict'
"""

FUNCTION = """
CREATE OR REPLACE FUNCTION f_unaccent(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT {unaccent}('{schema}.unaccent'::regdictionary, $1) $$
"""


def search_functions_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT quote_ident(n.nspname) FROM pg_extension e "
            "JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'unaccent'"
        )
        (schema,) = cursor.fetchone()
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        (superuser,) = cursor.fetchone()
    unaccent = f"{schema}.unaccent"
    if superuser:
        schema_editor.execute(IMMUTABLE_UNACCENT)
        unaccent = "f_unaccent_dictionary"
    schema_editor.execute(FUNCTION.format(unaccent=unaccent, schema=schema))
    for index, (table, column) in INDEXES.items():
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{index}" ON "{table}" '
            f'USING gin ((lower(f_unaccent("{column}"))) gin_trgm_ops)'
        )
    # The planner estimates how many rows match through an expression index only from the
    # statistics ANALYZE gathers for it, and nothing else would gather them before the table
    # changes much: without them it expects thousands of matches and scans.
    schema_editor.execute("ANALYZE clients_client, clients_alias")


def search_functions_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{index}"')
    schema_editor.execute("DROP FUNCTION IF EXISTS f_unaccent(text)")
    schema_editor.execute("DROP FUNCTION IF EXISTS f_unaccent_dictionary(regdictionary, text)")


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0009_obligation_country_only"),
    ]

    operations = [
        migrations.RunPython(search_functions_create, search_functions_drop),
    ]
