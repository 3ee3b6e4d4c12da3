"""Load the starting EPR catalog shipped in reporting/data."""

from django.db import migrations

from reporting.catalog_files import read_rows, starting_catalog
from reporting.services import catalog_merge


def load_starting_catalog(apps, schema_editor):
    Country = apps.get_model("reporting", "Country")
    ReportType = apps.get_model("reporting", "ReportType")
    for row in read_rows("countries.csv"):
        Country.objects.update_or_create(
            code=row["code"],
            defaults={
                "name_en": row["name_en"],
                "name_fr": row["name_fr"],
                "name_zh": row["name_zh"],
                "is_vat": row["is_vat"] == "true",
                "epr_activated": row["epr_activated"] == "true",
            },
        )
    for row in read_rows("report_types.csv"):
        ReportType.objects.update_or_create(code=row["code"], defaults={"name": row["name"]})
    entries = starting_catalog()
    catalog: dict[str, dict[str, list[str]]] = {}
    for entry in entries:
        catalog.setdefault(entry.country, {})[entry.pro] = list(entry.report_types)
    catalog_merge(
        catalog=catalog,
        pro_notes={(entry.country, entry.pro): entry.note for entry in entries},
        apps=apps,
    )


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_initial")]

    operations = [migrations.RunPython(load_starting_catalog, migrations.RunPython.noop)]
