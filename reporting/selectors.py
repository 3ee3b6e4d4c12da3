"""Reads of the catalog."""

from dataclasses import dataclass

from reporting.catalog_version import catalog_version
from reporting.models import Country, Pro, ReportType, Scheme

_UNKNOWN = object()
# This process's catalog and the catalog version it was loaded under (Catalog.current).
_kept: tuple[int, "Catalog"] | None = None


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


class CatalogLookupError(ValueError):
    """A country, PRO or report type that the catalog does not know; the message names valid
    choices. `message_without_value` says the same without quoting the value looked up, for
    messages about file cells, which may hold anything (a password in a misaligned column)."""

    def __init__(self, field: str, message: str, message_without_value: str | None = None):
        super().__init__(message)
        self.field = field
        self.message = message
        self.message_without_value = message_without_value or message


def _choices(names) -> str:
    return ", ".join(sorted(names)) or "none"


@dataclass
class Catalog:
    """The whole catalog in memory (a few hundred rows), for validating many values at once.

    Lookups are case-insensitive and answer the catalog's own spelling.
    """

    countries: dict[str, Country]
    pros: dict[tuple[str, str], Pro]
    report_types: dict[str, ReportType]
    offers: dict[int, set[int]]

    @classmethod
    def load(cls) -> "Catalog":
        countries = {country.code: country for country in Country.objects.all()}
        pros = {
            (pro.country.code, pro.name.casefold()): pro
            for pro in Pro.objects.select_related("country")
        }
        report_types = {rt.code.casefold(): rt for rt in ReportType.objects.all()}
        offers: dict[int, set[int]] = {}
        for pro_id, report_type_id in Scheme.objects.values_list("pro_id", "report_type_id"):
            offers.setdefault(pro_id, set()).add(report_type_id)
        return cls(countries=countries, pros=pros, report_types=report_types, offers=offers)

    @classmethod
    def current(cls, version: int | None = _UNKNOWN) -> "Catalog":
        """The catalog, kept in this process while the database's catalog version stays the
        same (reporting/catalog_version.py): one small query instead of four and a few hundred
        rows, none when the caller read the version already (`version`). Read-only: callers
        never change what it holds."""
        global _kept
        if version is _UNKNOWN:
            version = catalog_version()
        kept = _kept
        if version is not None and kept is not None and kept[0] == version:
            return kept[1]
        catalog = cls.load()
        if version is not None:
            _kept = (version, catalog)
        return catalog

    def country(self, code: str) -> Country:
        country = self.countries.get((code or "").strip().upper())
        if country is None:
            valid = f"Valid countries: {_choices(self.countries)}."
            raise CatalogLookupError(
                "country", f"Unknown country {code!r}. {valid}", f"Unknown country. {valid}"
            )
        return country

    def pro(self, country: Country, name: str) -> Pro:
        pro = self.pros.get((country.code, (name or "").strip().casefold()))
        if pro is None:
            valid = [p.name for (code, _), p in self.pros.items() if code == country.code]
            choices = f"Valid PROs: {_choices(valid)}."
            raise CatalogLookupError(
                "pro",
                f"Unknown PRO {name!r} in {country.code}. {choices}",
                f"Unknown PRO in {country.code}. {choices}",
            )
        return pro

    def report_type(self, code: str) -> ReportType:
        report_type = self.report_types.get((code or "").strip().casefold())
        if report_type is None:
            valid = [rt.code for rt in self.report_types.values()]
            choices = f"Valid report types: {_choices(valid)}."
            raise CatalogLookupError(
                "report_type",
                f"Unknown report type {code!r}. {choices}",
                f"Unknown report type. {choices}",
            )
        return report_type

    def pros_named(self, name: str) -> list[Pro]:
        """Every PRO called `name` (ignoring case), in whichever country: a filter by PRO names
        PROs, not countries."""
        wanted = (name or "").strip().casefold()
        pros = [pro for (_, key), pro in self.pros.items() if key == wanted]
        if not pros:
            valid = {pro.name for pro in self.pros.values()}
            raise CatalogLookupError("pro", f"Unknown PRO {name!r}. Valid PROs: {_choices(valid)}.")
        return pros

    def filter_values(self, field: str, values: list[str]) -> tuple[list, list[str]]:
        """The catalog rows a list filter names (`field`: country, report_type or pro, a PRO
        by its name in any country) and the messages of the values it does not know."""
        lookup = {
            "country": lambda value: [self.country(value)],
            "report_type": lambda value: [self.report_type(value)],
            "pro": self.pros_named,
        }[field]
        found, errors = [], []
        for value in values:
            try:
                found.extend(lookup(value))
            except CatalogLookupError as error:
                errors.append(error.message)
        return found, errors

    def report_types_of(self, codes: str | list[str]) -> list[ReportType]:
        """Report types from a list or a comma-separated string, without repeats."""
        if isinstance(codes, str):
            codes = codes.split(",")
        found: dict[int, ReportType] = {}
        for code in codes:
            if str(code).strip():
                report_type = self.report_type(str(code))
                found.setdefault(report_type.pk, report_type)
        if not found:
            raise CatalogLookupError("report_types", "At least one report type is required.")
        return list(found.values())

    def check_offered(self, pro: Pro, report_type: ReportType) -> None:
        """Raise unless `pro` offers `report_type` in its country."""
        offered = self.offers.get(pro.pk, set())
        if report_type.pk not in offered:
            valid = [rt.code for rt in self.report_types.values() if rt.pk in offered]
            raise CatalogLookupError(
                "report_types",
                f"{pro.name} ({pro.country.code}) does not take {report_type.code}. "
                f"It takes: {_choices(valid)}.",
            )

    def only_pro_for(self, country: Country, report_type: ReportType) -> Pro | None:
        """The PRO, when exactly one in `country` takes `report_type`; otherwise None."""
        candidates = [
            pro
            for (code, _), pro in self.pros.items()
            if code == country.code and report_type.pk in self.offers.get(pro.pk, set())
        ]
        return candidates[0] if len(candidates) == 1 else None
