"""The catalog's version, renewed by the database at every write to the catalog tables
(reporting/catalog_version.py). SQLite's triggers are installed after every migrate instead."""

from django.db import migrations, models

from reporting.catalog_version import postgresql_install, postgresql_uninstall


def watch(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(postgresql_install())


def unwatch(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(postgresql_uninstall())


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0005_starting_deadline_rules"),
    ]

    operations = [
        migrations.CreateModel(
            name="CatalogVersion",
            fields=[
                (
                    "id",
                    models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False),
                ),
                ("version", models.BigIntegerField()),
            ],
        ),
        migrations.RunPython(watch, unwatch),
    ]
