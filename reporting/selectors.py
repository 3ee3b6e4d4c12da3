"""Reads of the catalog."""

from reporting.models import Scheme


def report_types_by_country_and_pro() -> dict[str, dict[str, list[str]]]:
    """`{country code: {PRO name: [report type codes]}}`, every level sorted."""
    rows = (
        Scheme.objects.order_by("pro__country__code", "pro__name", "report_type__code")
        .values_list("pro__country__code", "pro__name", "report_type__code")
        .distinct()
    )
    catalog: dict[str, dict[str, list[str]]] = {}
    for country, pro, report_type in rows:
        catalog.setdefault(country, {}).setdefault(pro, []).append(report_type)
    return catalog
