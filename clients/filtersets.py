"""Query-string filters of the client list (`GET /logins/clients`)."""

from collections.abc import Callable
from functools import cached_property

import django_filters
from django import forms
from django.db.models.functions import Lower

from clients.models import Client, ClientStatus
from clients.parsing import parse_bool, parse_choice
from clients.selectors import (
    ClientQuestion,
    clients_covering,
    clients_matching,
)
from reporting.selectors import Catalog


class StrictBooleanField(forms.Field):
    """A yes/no word (clients.parsing: true/false, yes/no, y/n, 1/0); anything else is an
    error, not silently ignored."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        parsed = parse_bool(value)
        if parsed is not None:
            return parsed
        raise forms.ValidationError(
            "Use true or false, not %(value)r.", code="invalid", params={"value": value}
        )


class RepeatableCSVWidget(django_filters.widgets.CSVWidget):
    """Every value of a repeated parameter counts: `country=DE&country=FR` is `country=DE,FR`
    (a query string read with `.get()` would keep the last one only)."""

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else []
        if len(values) > 1:
            return ",".join(values).split(",")
        return super().value_from_datadict(data, files, name)


class CommaListFilter(django_filters.BaseCSVFilter, django_filters.CharFilter):
    """A comma-separated list of values, e.g. `DE,FR`, that may also be repeated."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", RepeatableCSVWidget)
        super().__init__(*args, **kwargs)


class AppliedTogether:
    """A parameter that ClientFilterSet.filter_queryset applies together with others, because
    its meaning depends on them; on its own it only declares and validates the parameter."""

    def filter(self, queryset, value):
        return queryset


class TogetherListFilter(AppliedTogether, CommaListFilter):
    pass


class TogetherCharFilter(AppliedTogether, django_filters.CharFilter):
    pass


class TogetherBooleanFilter(AppliedTogether, django_filters.BooleanFilter):
    field_class = StrictBooleanField


def _comma_values(values) -> list[str]:
    return [value.strip() for value in values or [] if value and value.strip()]


def _invalid(messages: list[str]) -> forms.ValidationError:
    """Errors quoting what the user sent: django-filter %-formats each message with its params,
    so the text goes in as a param and a `%` in the input stays text."""
    return forms.ValidationError(
        [forms.ValidationError("%(message)s", params={"message": text}) for text in messages]
    )


# Each ordering ends with a unique key, so that pages never repeat or skip a client; names
# compare as lower(name), as the (organization, lower(name)) index holds them.
ORDERINGS = {
    "name": (Lower("name"), "id"),
    "-name": (Lower("name").desc(), "-id"),
    "status": ("status", Lower("name"), "id"),
    "-status": ("-status", Lower("name"), "id"),
    "created_at": ("created_at", "id"),
    "-created_at": ("-created_at", "-id"),
    "updated_at": ("updated_at", "id"),
    "-updated_at": ("-updated_at", "-id"),
}
DEFAULT_ORDERING = "name"


class ClientFilterForm(forms.Form):
    """Turns the comma lists into catalog objects, with errors naming the valid choices."""

    # What gives the catalog, asked once and only when a catalog filter is given: the view
    # passes the catalog version it read already (ClientViewSet.list).
    catalog_loader: Callable[[], Catalog] = Catalog.current

    @cached_property
    def catalog(self) -> Catalog:
        return self.catalog_loader()

    def _lookup(self, field: str) -> list:
        values = _comma_values(self.cleaned_data.get(field))
        if not values:
            # The catalog is read only for a filter that names something.
            return []
        found, errors = self.catalog.filter_values(field, values)
        if errors:
            raise _invalid(errors)
        return found

    def clean_status(self) -> list[str]:
        values = _comma_values(self.cleaned_data.get("status"))
        statuses = [parse_choice(value, ClientStatus.values) for value in values]
        unknown = [
            value.lower() for value, status in zip(values, statuses, strict=True) if status is None
        ]
        if unknown:
            raise _invalid(
                [
                    f"Unknown status {', '.join(unknown)}. "
                    f"Valid statuses: {', '.join(ClientStatus.values)}."
                ]
            )
        return statuses

    def clean_ordering(self) -> str:
        ordering = (self.cleaned_data.get("ordering") or "").strip() or DEFAULT_ORDERING
        if ordering not in ORDERINGS:
            raise _invalid(
                [f"Unknown ordering {ordering!r}. Valid values: {', '.join(ORDERINGS)}."]
            )
        return ordering

    def clean_country(self) -> list:
        return self._lookup("country")

    def clean_report_type(self) -> list:
        return self._lookup("report_type")

    def clean_pro(self) -> list:
        return self._lookup("pro")


class ClientFilterSet(django_filters.FilterSet):
    """Filters of the client list; see the parameters' help texts for the semantics."""

    search = django_filters.CharFilter(
        method="filter_search",
        help_text=(
            "Case-insensitive text in the client's name or aliases; unless companyNameOnly=true "
            "also in notes, credential logins and registration numbers."
        ),
    )
    # camelCase because the seed names the parameter so.
    companyNameOnly = TogetherBooleanFilter(
        help_text="true: `search` matches only names and aliases."
    )
    country = TogetherListFilter(
        help_text=(
            "Country codes, comma-separated. With report_type and pro: one credential or "
            "obligation of the client must satisfy all of them at once."
        )
    )
    report_type = TogetherListFilter(help_text="Report type codes, comma-separated (e.g. WEEE).")
    pro = TogetherListFilter(help_text="PRO names, comma-separated, case-insensitive.")
    status = CommaListFilter(
        field_name="status",
        lookup_expr="in",
        help_text=f"Client statuses, comma-separated: {', '.join(ClientStatus.values)}.",
    )
    collective_account = TogetherBooleanFilter(
        help_text=(
            "true: list only collective-account pseudo-clients. Left out or false: leave them out."
        )
    )
    ordering = TogetherCharFilter(
        help_text=f"Order of the list: {', '.join(ORDERINGS)} (default name, then id)."
    )

    class Meta:
        model = Client
        fields = [
            "search",
            "companyNameOnly",
            "country",
            "report_type",
            "pro",
            "status",
            "collective_account",
            "ordering",
        ]
        form = ClientFilterForm

    @property
    def question(self) -> ClientQuestion:
        """The validated filter as plain values: equal for requests that ask the same thing.
        Catalog filters by id, so that a renamed PRO still names the same question."""
        data = self.form.cleaned_data

        def ids(field: str) -> tuple[int, ...]:
            return tuple(sorted({row.pk for row in data.get(field) or ()}))

        search = (data.get("search") or "").strip()
        return ClientQuestion(
            search=search,
            # Without a search, companyNameOnly changes nothing.
            company_name_only=bool(search and data.get("companyNameOnly")),
            countries=ids("country"),
            report_types=ids("report_type"),
            pros=ids("pro"),
            statuses=tuple(sorted(set(data.get("status") or ()))),
            collective_account=bool(data.get("collective_account")),
            ordering=data.get("ordering") or DEFAULT_ORDERING,
        )

    def filter_search(self, queryset, name, value):
        return clients_matching(
            queryset,
            text=value,
            company_name_only=bool(self.form.cleaned_data.get("companyNameOnly")),
        )

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        queryset = queryset.filter(collective_account=bool(data.get("collective_account")))
        queryset = clients_covering(
            queryset,
            countries=data.get("country"),
            report_types=data.get("report_type"),
            pros=data.get("pro"),
        )
        return queryset.order_by(*ORDERINGS[data.get("ordering") or DEFAULT_ORDERING])
