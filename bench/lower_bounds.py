"""The minimal hand-written SQL for the answers of the client list and the statistics.

A list answer is the number of matches and the ids of one page, in list order (lower(name),
then id). Its lower bound is those two queries written by hand: the same tables and indexes
the app may use (the clients, their coverage and search text, the trigram indexes of the
searched columns),
with the catalog already resolved to ids and nothing else (no authentication, organization,
version or cache queries, no serialization, no aliases). The statistics' lower bound reads the
kept counters. The bench times each beside the app's answer and checks that both agree.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection

from clients.portfolio_stats import COVERAGE_TABLE, MISSING_DIMENSION, STAT_TABLE
from clients.search_text import SEARCH_TEXT_TABLE
from reporting.models import Country, Pro, ReportType


@dataclass(frozen=True)
class ListQuestion:
    """The list parameters the lower bound understands (codes and names as in the URL)."""

    search: str = ""
    company_name_only: bool = False
    countries: Sequence[str] = ()
    report_types: Sequence[str] = ()
    pros: Sequence[str] = ()
    statuses: Sequence[str] = ()
    offset: int = 0
    limit: int = 10

    @classmethod
    def from_params(cls, params: dict[str, str]) -> "ListQuestion":
        def listed(name: str) -> tuple[str, ...]:
            return tuple(part.strip() for part in params.get(name, "").split(",") if part.strip())

        return cls(
            search=params.get("search", "").strip(),
            company_name_only=params.get("companyNameOnly", "").lower() == "true",
            countries=listed("country"),
            report_types=listed("report_type"),
            pros=listed("pro"),
            statuses=listed("status"),
            offset=int(params.get("offset", 0)),
            limit=min(int(params.get("limit", 10)), 100),
        )


@dataclass(frozen=True)
class ListAnswer:
    total: int
    ids: list[int]


def _folded_like(column: str) -> str:
    """The search's comparison (clients/search.py), which the folded trigram indexes answer."""
    return f"lower(f_unaccent({column})) LIKE lower(f_unaccent(%s))"


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def list_sql(organization_id: int, question: ListQuestion) -> tuple[str, str, list]:
    """(count SQL, page SQL, parameters) of the question."""
    # A search (unless by company name only) reads the search text, which holds every
    # searched value and the client's organization, collective flag, status and lower(name)
    # (clients/search_text.py); any other question reads the clients.
    searched = bool(question.search and not question.company_name_only)
    table, key, order = (
        (f"{SEARCH_TEXT_TABLE} c", "c.client_id", "c.name_key")
        if searched
        else ("clients_client c", "c.id", "lower(c.name)")
    )
    where = ["c.organization_id = %s", "NOT c.collective_account"]
    params: list = [organization_id]
    if searched:
        where.append("c.text LIKE lower(f_unaccent(%s))")
        params.append(_like(question.search))
    if question.statuses:
        where.append("c.status = ANY(%s)")
        params.append(list(question.statuses))
    # The coverage rows carry the client's organization and collective flag (clients 0009):
    # their (organization, collective, country, report type, PRO, client) and (organization,
    # collective, PRO, report type, client) indexes find the clients covering a filter.
    coverage = ["v.organization_id = %s", "NOT v.collective_account"]
    coverage_params: list = [organization_id]
    for column, ids in (
        ("country_id", _ids(Country, "code__in", question.countries)),
        ("report_type_id", _ids(ReportType, "code__in", question.report_types)),
        ("pro_id", _ids(Pro, "name__in", question.pros)),
    ):
        if ids is not None:
            coverage.append(f"v.{column} = ANY(%s)")
            coverage_params.append(ids)
    if len(coverage) > 2:
        params += coverage_params
        where.append(
            f"{key} IN (SELECT v.client_id FROM {COVERAGE_TABLE} v WHERE {' AND '.join(coverage)})"
        )
    if question.search and not searched:
        # companyNameOnly: the names and aliases, each through its own trigram index.
        like = _like(question.search)
        sources = [
            f"SELECT id FROM clients_client WHERE {_folded_like('name')}",
            f"SELECT client_id FROM clients_alias WHERE {_folded_like('name')}",
        ]
        params += [like, like]
        where.append(f"c.id IN ({' UNION '.join(sources)})")
    condition = " AND ".join(where)
    count_sql = f"SELECT count(*) FROM {table} WHERE {condition}"
    page_sql = (
        f"SELECT {key} FROM {table} WHERE {condition} "
        f"ORDER BY {order}, {key} LIMIT {int(question.limit)} OFFSET {int(question.offset)}"
    )
    return count_sql, page_sql, params


def _ids(model, lookup: str, values: Sequence[str]) -> list[int] | None:
    """Catalog ids, resolved once before timing (the app's own lookups are not part of the
    lower bound)."""
    if not values:
        return None
    if lookup == "name__in":
        found = [
            pk
            for pk, name in model.objects.values_list("pk", "name")
            if name.casefold() in {value.casefold() for value in values}
        ]
    else:
        found = list(model.objects.filter(**{lookup: values}).values_list("pk", flat=True))
    return found or [-1]


def list_lower_bound(organization_id: int, params: dict[str, str]):
    """A function answering the list question with the minimal SQL: count and page ids."""
    count_sql, page_sql, values = list_sql(organization_id, ListQuestion.from_params(params))

    def answer() -> ListAnswer:
        with connection.cursor() as cursor:
            cursor.execute(count_sql, values)
            total = cursor.fetchone()[0]
            cursor.execute(page_sql, values)
            return ListAnswer(total=total, ids=[row[0] for row in cursor.fetchall()])

    return answer


def stats_lower_bound(organization_id: int):
    """The kept counters of the organization, as the statistics read them (the statistics
    answer no count of clients with missing credentials: the admin's list reads that one)."""

    def answer() -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = {}
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT dimension, key, clients FROM {STAT_TABLE} "
                "WHERE organization_id = %s AND clients > 0 AND dimension <> %s",
                [organization_id, MISSING_DIMENSION],
            )
            for dimension, key, clients in cursor.fetchall():
                counts.setdefault(dimension, {})[key] = clients
        return counts

    return answer


def list_answer_of(response_json: dict) -> ListAnswer:
    return ListAnswer(
        total=response_json["total"], ids=[row["id"] for row in response_json["clients"]]
    )
