from django.db import migrations

# PostgreSQL: an update renews the portfolio version only when it changes what the client list
# reads of a credential (its client, and the login and registration number a search matches,
# directly or through a collective account). A new password, notes, status, interval or
# extra_info leaves cached list answers valid. Inserts and deletes renew it as before
# (credentials 0005).
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

PREVIOUS = """
CREATE OR REPLACE FUNCTION credentials_credential_changed() RETURNS trigger
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


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PREVIOUS)


class Migration(migrations.Migration):
    dependencies = [("credentials", "0009_compliance_calendar")]

    operations = [migrations.RunPython(forward, backward)]
