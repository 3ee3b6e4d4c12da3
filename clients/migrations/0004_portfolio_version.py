import django.db.models.deletion
from django.db import migrations, models

# PostgreSQL: statement triggers note the organizations whose portfolio a transaction changes
# in clients_portfoliochange (rows only that transaction sees); at commit, the first deferred
# trigger turns all of the transaction's notes into new random versions, in organization
# order. SQLite's row triggers are installed after every migrate (clients/portfolio_version.py),
# because SQLite drops a table's triggers whenever Django rebuilds the table.
POSTGRESQL = """
CREATE TABLE clients_portfoliochange (
    transaction_id bigint NOT NULL DEFAULT txid_current(),
    organization_id bigint NOT NULL,
    PRIMARY KEY (transaction_id, organization_id)
);

CREATE FUNCTION clients_portfolio_note(organization_ids bigint[]) RETURNS void
LANGUAGE sql AS $$
    INSERT INTO clients_portfoliochange (organization_id)
    SELECT DISTINCT id FROM unnest(organization_ids) AS id WHERE id IS NOT NULL
    ON CONFLICT DO NOTHING
$$;

CREATE FUNCTION clients_portfolio_commit() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    WITH noted AS (
        DELETE FROM clients_portfoliochange WHERE transaction_id = txid_current()
        RETURNING organization_id
    )
    INSERT INTO clients_portfolioversion (organization_id, version)
    SELECT organization_id,
           (('x' || substr(md5(gen_random_uuid()::text), 1, 15))::bit(60))::bigint
    FROM noted ORDER BY organization_id
    ON CONFLICT (organization_id) DO UPDATE SET version = EXCLUDED.version;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER clients_portfoliochange_commit AFTER INSERT ON clients_portfoliochange
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION clients_portfolio_commit();

CREATE FUNCTION clients_client_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        PERFORM clients_portfolio_note(ARRAY(
            SELECT organization_id FROM new_rows
            UNION SELECT client_organization_id FROM new_rows));
    END IF;
    IF TG_OP <> 'INSERT' THEN
        PERFORM clients_portfolio_note(ARRAY(
            SELECT organization_id FROM old_rows
            UNION SELECT client_organization_id FROM old_rows));
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION clients_client_row_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        PERFORM clients_portfolio_note(ARRAY(
            SELECT unnest(ARRAY[c.organization_id, c.client_organization_id])
            FROM clients_client c WHERE c.id IN (SELECT client_id FROM new_rows)));
    END IF;
    IF TG_OP <> 'INSERT' THEN
        PERFORM clients_portfolio_note(ARRAY(
            SELECT unnest(ARRAY[c.organization_id, c.client_organization_id])
            FROM clients_client c WHERE c.id IN (SELECT client_id FROM old_rows)));
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION clients_portfolio_truncated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM clients_portfolio_note(ARRAY(SELECT organization_id FROM clients_portfolioversion));
    RETURN NULL;
END $$;

CREATE FUNCTION clients_catalog_code_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (
        SELECT 1 FROM old_rows o JOIN new_rows n ON n.id = o.id WHERE n.code <> o.code
    ) THEN
        PERFORM clients_portfolio_note(ARRAY(SELECT organization_id FROM clients_portfolioversion));
    END IF;
    RETURN NULL;
END $$;

INSERT INTO clients_portfolioversion (organization_id, version)
SELECT id, (('x' || substr(md5(gen_random_uuid()::text), 1, 15))::bit(60))::bigint
FROM clients_organization;
"""

TRANSITION_TABLES = {
    "INSERT": "REFERENCING NEW TABLE AS new_rows",
    "UPDATE": "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "DELETE": "REFERENCING OLD TABLE AS old_rows",
}


def postgresql_triggers(table: str, function: str) -> str:
    """Statement triggers of `table` on every write (one event each: a trigger with transition
    tables takes only one), and on TRUNCATE."""
    return "\n".join(
        [
            f"CREATE TRIGGER {table}_portfolio_{event.lower()} AFTER {event} ON {table} "
            f"{references} FOR EACH STATEMENT EXECUTE FUNCTION {function}();"
            for event, references in TRANSITION_TABLES.items()
        ]
        + [
            f"CREATE TRIGGER {table}_portfolio_truncate AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION clients_portfolio_truncated();"
        ]
    )


def postgresql_drop_triggers(table: str) -> str:
    return "\n".join(
        f"DROP TRIGGER IF EXISTS {table}_portfolio_{event} ON {table};"
        for event in ("insert", "update", "delete", "truncate")
    )


CATALOG_TABLES = ("reporting_country", "reporting_reporttype")

FORWARD = "\n".join(
    [
        POSTGRESQL,
        postgresql_triggers("clients_client", "clients_client_changed"),
        postgresql_triggers("clients_alias", "clients_client_row_changed"),
        postgresql_triggers("clients_obligation", "clients_client_row_changed"),
        *(
            f"CREATE TRIGGER {table}_portfolio_update AFTER UPDATE ON {table} "
            f"{TRANSITION_TABLES['UPDATE']} FOR EACH STATEMENT "
            "EXECUTE FUNCTION clients_catalog_code_changed();"
            for table in CATALOG_TABLES
        ),
    ]
)

BACKWARD = "\n".join(
    [
        *(f"DROP TRIGGER IF EXISTS {table}_portfolio_update ON {table};" for table in CATALOG_TABLES),
        postgresql_drop_triggers("clients_client"),
        postgresql_drop_triggers("clients_alias"),
        postgresql_drop_triggers("clients_obligation"),
        """
        DROP FUNCTION IF EXISTS clients_catalog_code_changed();
        DROP FUNCTION IF EXISTS clients_portfolio_truncated();
        DROP FUNCTION IF EXISTS clients_client_row_changed();
        DROP FUNCTION IF EXISTS clients_client_changed();
        DROP TABLE IF EXISTS clients_portfoliochange;
        DROP FUNCTION IF EXISTS clients_portfolio_commit();
        DROP FUNCTION IF EXISTS clients_portfolio_note(bigint[]);
        """,
    ]
)


def watch(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def unwatch(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [
        ("clients", "0003_list_and_search_indexes"),
        ("reporting", "0003_scheme_eco_organism_name_pro_logo"),
    ]

    operations = [
        migrations.CreateModel(
            name="PortfolioVersion",
            fields=[
                (
                    "organization",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="clients.organization",
                    ),
                ),
                ("version", models.BigIntegerField()),
            ],
        ),
        migrations.RunPython(watch, unwatch),
    ]
