"""Writes to the catalog: merging a catalog document (the shipped one or the upstream's)."""

import re
from dataclasses import dataclass

from django.apps import apps as django_apps
from django.db import transaction

from reporting import models as catalog_models
from reporting import reporting_api

COUNTRY_CODE = re.compile(r"^[A-Z]{2}$")
CatalogDocument = dict[str, dict[str, list[str]]]


class CatalogFormatError(ValueError):
    """A catalog document is not of the shape {country: {pro: [report types]}}."""


@dataclass(frozen=True)
class CatalogMergeResult:
    countries_created: int = 0
    pros_created: int = 0
    report_types_created: int = 0
    schemes_created: int = 0

    def __str__(self) -> str:
        return (
            f"{self.countries_created} countries, {self.pros_created} PROs, "
            f"{self.report_types_created} report types and {self.schemes_created} schemes created"
        )


def _country_code(country) -> str:
    if not isinstance(country, str) or not COUNTRY_CODE.match(country.strip().upper()):
        raise CatalogFormatError(f"{country!r} is not a two-letter country code.")
    return country.strip().upper()


def _text_fits(value, model, field: str) -> bool:
    """A non-blank text that fits the model field's column once stripped."""
    return (
        isinstance(value, str)
        and bool(value.strip())
        and len(value.strip()) <= model._meta.get_field(field).max_length
    )


def _report_type_codes(country, pro, report_types) -> list[str]:
    if not isinstance(report_types, list) or not all(
        _text_fits(code, catalog_models.ReportType, "code") for code in report_types
    ):
        raise CatalogFormatError(f"{country} / {pro}: expected a list of report type codes.")
    return [code.strip() for code in report_types]


def catalog_parse(payload) -> CatalogDocument:
    """Validate a catalog document `{country code: {PRO name: [report type codes]}}`."""
    if not isinstance(payload, dict):
        raise CatalogFormatError("The catalog must be a JSON object keyed by country code.")
    catalog: CatalogDocument = {}
    for country, pros in payload.items():
        code = _country_code(country)
        if not isinstance(pros, dict):
            raise CatalogFormatError(f"{country}: expected an object of PRO names.")
        for pro, report_types in pros.items():
            if not _text_fits(pro, catalog_models.Pro, "name"):
                raise CatalogFormatError(f"{country}: {pro!r} is not a valid PRO name.")
            catalog.setdefault(code, {})[pro.strip()] = _report_type_codes(
                country, pro, report_types
            )
    return catalog


@transaction.atomic
def catalog_merge(
    *,
    catalog: CatalogDocument,
    pro_notes: dict[tuple[str, str], str] | None = None,
    apps=django_apps,
) -> CatalogMergeResult:
    """Add every country, PRO, report type and scheme of `catalog` that is not there yet.

    Matching is case-insensitive. Nothing is deleted: local additions made in the admin stay.
    `apps` lets a data migration run this with its historical models.
    """
    Country = apps.get_model("reporting", "Country")
    Pro = apps.get_model("reporting", "Pro")
    ReportType = apps.get_model("reporting", "ReportType")
    Scheme = apps.get_model("reporting", "Scheme")
    pro_notes = pro_notes or {}

    countries = {country.code: country for country in Country.objects.all()}
    report_types = {rt.code.lower(): rt for rt in ReportType.objects.all()}
    counts = dict(countries=0, pros=0, report_types=0, schemes=0)

    for code, pros in catalog.items():
        country = countries.get(code)
        if country is None:
            country = countries[code] = Country.objects.create(code=code, name_en=code)
            counts["countries"] += 1
        for pro_name, codes in pros.items():
            pro = Pro.objects.filter(country=country, name__iexact=pro_name).first()
            if pro is None:
                pro = Pro.objects.create(
                    country=country, name=pro_name, notes=pro_notes.get((code, pro_name), "")
                )
                counts["pros"] += 1
            for report_type_code in codes:
                report_type = report_types.get(report_type_code.lower())
                if report_type is None:
                    report_type = report_types[report_type_code.lower()] = (
                        ReportType.objects.create(code=report_type_code)
                    )
                    counts["report_types"] += 1
                if not Scheme.objects.filter(pro=pro, report_type=report_type).exists():
                    Scheme.objects.create(pro=pro, report_type=report_type)
                    counts["schemes"] += 1
    return CatalogMergeResult(
        countries_created=counts["countries"],
        pros_created=counts["pros"],
        report_types_created=counts["report_types"],
        schemes_created=counts["schemes"],
    )


def catalog_sync_from_reporting_api() -> CatalogMergeResult:
    """Pull the catalog from the reporting API and merge it; on any failure nothing changes.

    Raises ReportingApiError with a message meant for the operator.
    """
    payload = reporting_api.fetch_catalog()
    try:
        catalog = catalog_parse(payload)
    except CatalogFormatError as error:
        raise reporting_api.ReportingApiError(
            f"The reporting API answered with a malformed catalog: {error}"
        ) from error
    return catalog_merge(catalog=catalog)
