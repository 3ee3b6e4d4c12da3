from django.db import migrations

# PostgreSQL: the clients whose organizations a credential insert or delete renews are found as
# one set (the statement's clients UNION the clients linked to its collective credentials), so
# that the primary key finds them. Written as "c.id IN (...) OR c.id IN (...)", PostgreSQL read
# every client of the table at each statement.
FUNCTION = """
CREATE OR REPLACE FUNCTION credentials_credential_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        PERFORM clients_portfolio_note(ARRAY(
            SELECT unnest(ARRAY[c.organization_id, c.client_organization_id])
            FROM clients_client c
            WHERE c.id IN (
                SELECT n.client_id FROM new_rows n JOIN old_rows o ON o.id = n.id
                WHERE (n.client_id, n.login, n.registration_number, n.collective_account_id)
                      IS DISTINCT FROM
                      (o.client_id, o.login, o.registration_number, o.collective_account_id)
                UNION
                SELECT o.client_id FROM new_rows n JOIN old_rows o ON o.id = n.id
                WHERE n.client_id IS DISTINCT FROM o.client_id
                UNION
                SELECT l.client_id FROM credentials_credential l
                WHERE l.collective_account_id IN (
                    SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
                    WHERE n.login IS DISTINCT FROM o.login))));
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        PERFORM clients_portfolio_note(ARRAY(
            SELECT unnest(ARRAY[c.organization_id, c.client_organization_id])
            FROM clients_client c
            WHERE c.id IN (SELECT client_id FROM new_rows
                           UNION
                           SELECT l.client_id FROM credentials_credential l
                           WHERE l.collective_account_id IN (SELECT id FROM new_rows))));
    ELSE
        PERFORM clients_portfolio_note(ARRAY(
            SELECT unnest(ARRAY[c.organization_id, c.client_organization_id])
            FROM clients_client c
            WHERE c.id IN (SELECT client_id FROM old_rows
                           UNION
                           SELECT l.client_id FROM credentials_credential l
                           WHERE l.collective_account_id IN (SELECT id FROM old_rows))));
    END IF;
    RETURN NULL;
END $$;
"""

PREVIOUS = """
CREATE OR REPLACE FUNCTION credentials_credential_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        PERFORM clients_portfolio_note(ARRAY(
            SELECT unnest(ARRAY[c.organization_id, c.client_organization_id])
            FROM clients_client c
            WHERE c.id IN (
                SELECT n.client_id FROM new_rows n JOIN old_rows o ON o.id = n.id
                WHERE (n.client_id, n.login, n.registration_number, n.collective_account_id)
                      IS DISTINCT FROM
                      (o.client_id, o.login, o.registration_number, o.collective_account_id)
                UNION
                SELECT o.client_id FROM new_rows n JOIN old_rows o ON o.id = n.id
                WHERE n.client_id IS DISTINCT FROM o.client_id
                UNION
                SELECT l.client_id FROM credentials_credential l
                WHERE l.collective_account_id IN (
                    SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
                    WHERE n.login IS DISTINCT FROM o.login))));
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        PERFORM clients_portfolio_note(ARRAY(
            SELECT unnest(ARRAY[c.organization_id, c.client_organization_id])
            FROM clients_client c
            WHERE c.id IN (SELECT client_id FROM new_rows)
               OR c.id IN (SELECT l.client_id FROM credentials_credential l
                           WHERE l.collective_account_id IN (SELECT id FROM new_rows))));
    ELSE
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


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PREVIOUS)


class Migration(migrations.Migration):
    dependencies = [("credentials", "0013_drop_upper_trigram_indexes")]

    operations = [migrations.RunPython(forward, backward)]
