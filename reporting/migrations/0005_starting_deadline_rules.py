"""Load the deadline rules shipped in reporting/data/deadline_rules.csv."""

from django.db import migrations

from reporting.catalog_files import starting_deadline_rules


def load_starting_deadline_rules(apps, schema_editor):
    Scheme = apps.get_model("reporting", "Scheme")
    DeadlineRule = apps.get_model("reporting", "DeadlineRule")
    for entry in starting_deadline_rules():
        schemes = Scheme.objects.filter(
            pro__country__code=entry.country,
            pro__name__iexact=entry.pro,
            report_type__code__iexact=entry.report_type,
        )
        for scheme in schemes:
            DeadlineRule.objects.get_or_create(
                scheme=scheme,
                defaults={
                    "frequency": entry.frequency,
                    "due_months_after": entry.due_months_after,
                    "due_day": entry.due_day,
                    "source_url": entry.source_url,
                    "note": entry.note,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("reporting", "0004_deadline_rules")]

    operations = [migrations.RunPython(load_starting_deadline_rules, migrations.RunPython.noop)]
