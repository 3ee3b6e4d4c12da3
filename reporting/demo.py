"""The demo's additions to the catalog: the PROs of the seed document's `GET /report_types`
example that the shipped catalog lacks, so that its answer holds the example's entries."""

from reporting.models import Country, Pro, ReportType, Scheme

# {country: {PRO: [report types]}}, as the seed example writes them.
SEED_REPORT_TYPES = {
    "DE": {"Stiftung EAR": ["WEEE"]},
    "FR": {"Eco-Emballages": ["Packaging"]},
    "NL": {"Stichting Open": ["Packaging"]},
}


def seed(**context: object) -> None:
    """Add the example's PROs and schemes where missing (PRO names match ignoring case).

    The catalog is every organization's: the demo organization seed_demo passes each app's
    seed is not used here."""
    for code, pros in SEED_REPORT_TYPES.items():
        country = Country.objects.get(code=code)
        for name, report_types in pros.items():
            pro = Pro.objects.filter(country=country, name__iexact=name).first()
            if pro is None:
                pro = Pro.objects.create(country=country, name=name)
            for report_type in report_types:
                Scheme.objects.get_or_create(
                    pro=pro, report_type=ReportType.objects.get(code=report_type)
                )
