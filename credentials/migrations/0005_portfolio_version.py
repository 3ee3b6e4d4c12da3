from django.db import migrations, models

# PostgreSQL statement triggers that note the organizations owning (or shared) the client of a
# changed credential or credential report type (clients 0004 explains the versions). A search
# also finds clients whose credential links to a collective account with a matching login, so
# a changed collective credential notes the linked clients' organizations too.
POSTGRESQL = """
CREATE FUNCTION credentials_credential_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        PERFORM clients_portfolio_note(ARRAY(
            SELECT unnest(ARRAY[c.organization_id, c.client_organization_id])
            FROM clients_client c
            WHERE c.id IN (SELECT client_id FROM new_rows)
               OR c.id IN (SELECT l.client_id FROM credentials_credential l
                           WHERE l.collective_account_id IN (SELECT id FROM new_rows))));
    END IF;
    IF TG_OP <> 'INSERT' THEN
        PERFORM clients_portfolio_note(ARRAY(
            SELECT unnest(ARRAY[c.organization_id, c.client_organization_id])
            FROM clients_client c
            WHERE c.id IN (SELECT client_id FROM old_rows)
               OR c.id IN (SELECT l.client_id FROM credentials_credential l
                           WHERE l.collective_account_id IN (SELECT id FROM old_rows))));
    END IF;
    RETURN NULL;
END $$;
"""

TRANSITION_TABLES = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows",
    "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "REFERENCING OLD TABLE AS old_rows",
}
TABLES = {
    "credentials_credential": "credentials_credential_changed",
    "credentials_credentialreporttype": "clients_client_row_changed",
}

FORWARD = "\n".join(
    [POSTGRESQL]
    + [
        f"CREATE TRIGGER {table}_portfolio_{event.lower()} AFTER {event} ON {table} "
        f"{references} FOR EACH STATEMENT EXECUTE FUNCTION {function}();"
        for table, function in TABLES.items()
        for event, references in TRANSITION_TABLES.items()
    ]
    + [
        f"CREATE TRIGGER {table}_portfolio_truncate AFTER TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION clients_portfolio_truncated();"
        for table in TABLES
    ]
)

BACKWARD = "\n".join(
    [
        f"DROP TRIGGER IF EXISTS {table}_portfolio_{event} ON {table};"
        for table in TABLES
        for event in ("insert", "update", "delete", "truncate")
    ]
    + ["DROP FUNCTION IF EXISTS credentials_credential_changed();"]
)


def watch(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def unwatch(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0004_portfolio_version"),
        ("credentials", "0004_list_and_search_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="credential",
            index=models.Index(
                fields=["collective_account", "client"],
                condition=models.Q(collective_account__isnull=False),
                name="credentials_linked_idx",
            ),
        ),
        migrations.RunPython(watch, unwatch),
    ]
