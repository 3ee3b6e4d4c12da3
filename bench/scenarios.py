"""What `make bench` measures: a registry of scenario providers.

A provider is a function decorated with `@scenario_provider` that takes the `BenchContext`
(the bench organization, its token and API key, sample rows of the portfolio) and returns
`Scenario`s. The harness (bench/run.py) runs every provider in registration order. To add a
benchmark, write a provider in this module (see bench/README.md).
"""

import datetime
import tracemalloc
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.core.cache import cache
from django.db.models import Count

from bench.lower_bounds import list_answer_of, list_lower_bound, stats_lower_bound
from clients.models import Client, Organization
from credentials.models import Credential

LIST_TARGET_MS = 50
DEADLINES_TARGET_P95_MS = 100
STATS_TARGET_MS = 200
BULK_TARGET_ROWS_PER_S = 3000
BULK_SIZES = (2_000, 20_000)
BULK_ROWS_PER_CLIENT = 10
BULK_MAPPING = (
    "name",
    "status",
    "country",
    "report_type",
    "pro",
    "login",
    "password",
    "registration_number",
    "interval",
)
REGISTRATIONS_PER_UPSERT = 100
BULK_NAME_PREFIX = "Bulk Bench"


@dataclass
class BenchContext:
    organization: Organization
    token: str
    api_key: str
    client_id: int
    common_word: str
    rare_login: str
    company_name_search: str

    @property
    def token_header(self) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Token {self.token}"}


@dataclass
class Scenario:
    """One request measured `repetitions` times.

    `body` is the JSON body, or a function of the repetition number (0 is the untimed warm-up)
    for writes that must differ each time. `rows` turns the timing into rows per second.
    `cleanup` runs once after the last repetition, untimed. `unavailable` skips the scenario
    with its reason. `target_p95_ms` judges the p95 instead of the median. `measure_memory` adds one more request, untimed, under tracemalloc: the
    peak of Python memory it allocated. `probe` runs once, untimed, after the repetitions; the
    numbers it returns are added to the result. `before_each` runs, untimed, before every
    request (the warm-up included).
    """

    name: str
    path: str
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    body: object | Callable[[int], object] | None = None
    group: str = ""
    target_ms: float | None = None
    target_p95_ms: float | None = None
    rows: int | None = None
    target_rows_per_s: float | None = None
    repetitions: int | None = None
    cleanup: Callable[[], None] | None = None
    unavailable: str | None = None
    measure_memory: bool = False
    probe: Callable[[], dict[str, float]] | None = None
    before_each: Callable[[], None] | None = None
    lower_bound: Callable[[], object] | None = None
    answer_of: Callable[[dict], object] | None = None

    def body_for(self, repetition: int):
        return self.body(repetition) if callable(self.body) else self.body


ScenarioProvider = Callable[[BenchContext], Iterable[Scenario]]
PROVIDERS: list[ScenarioProvider] = []


def scenario_provider(provider: ScenarioProvider) -> ScenarioProvider:
    """Register a provider; `make bench` runs its scenarios after those registered before."""
    PROVIDERS.append(provider)
    return provider


def scenarios_for(context: BenchContext, only: str = "") -> list[Scenario]:
    """The scenarios whose name contains `only` (all when empty). A provider whose scenarios'
    names all start with its `names_start` is not even asked (its setup may take long) when
    `only` cannot be part of such a name."""

    def wanted(provider) -> bool:
        start = getattr(provider, "names_start", "")
        return not (only and start and only not in start and start not in only)

    return [
        scenario
        for provider in PROVIDERS
        if wanted(provider)
        for scenario in provider(context)
        if only in scenario.name
    ]


def sample_client_id(organization: Organization) -> int:
    """A regular client with several credentials, one of them in Germany, and an obligation."""
    client = (
        Client.objects.filter(
            organization=organization,
            collective_account=False,
            credentials__country__code="DE",
            obligations__isnull=False,
        )
        .annotate(credential_count=Count("credentials", distinct=True))
        .filter(credential_count__gte=3)
        .order_by("id")
        .values_list("id", flat=True)
        .first()
    )
    if client is None:
        raise RuntimeError("The bench portfolio has no suitable client: run bench.generate.")
    return client


def rare_login(organization: Organization) -> str:
    """The login of the credential in the middle of the portfolio: matches one client."""
    logins = (
        Credential.objects.filter(client__organization=organization)
        .exclude(login="")
        .order_by("id")
        .values_list("login", flat=True)
    )
    return logins[logins.count() // 2]


# List answers and statistics are cached until the portfolio changes: measured warm (the cache
# filled by the untimed first request) and cold (the cache emptied before each request, as after
# any write to the portfolio).
COLD_AND_WARM = (("", None), (" (cold)", cache.clear))


def _query(path: str, **params) -> str:
    return f"{path}?{urlencode(params)}" if params else path


def list_mix(context: BenchContext) -> list[tuple[str, dict[str, str]]]:
    """The list questions: (label, query parameters)."""
    return [
        ("no filter", {}),
        ("search common word", {"search": context.common_word}),
        ("search rare login", {"search": context.rare_login}),
        (
            "companyNameOnly search",
            {"companyNameOnly": "true", "search": context.company_name_search},
        ),
        ("country=DE", {"country": "DE"}),
        ("country=DE,FR report_type=WEEE", {"country": "DE,FR", "report_type": "WEEE"}),
        ("pro=Stiftung EAR", {"pro": "Stiftung EAR"}),
        ("status=active,onboarding", {"status": "active,onboarding"}),
        ("offset=5000 limit=100", {"offset": "5000", "limit": "100"}),
        (
            "search+country+report_type+status",
            {
                "search": context.common_word,
                "country": "DE",
                "report_type": "Packaging",
                "status": "active",
            },
        ),
    ]


@scenario_provider
def client_list(context: BenchContext) -> list[Scenario]:
    """GET /logins/clients with the fixed mix of filters and searches."""
    return [
        Scenario(
            name=f"list{cold}: {label}",
            path=_query("/logins/clients", **params),
            headers=context.token_header,
            group="list",
            target_ms=LIST_TARGET_MS,
            before_each=forget,
            lower_bound=list_lower_bound(context.organization.pk, params),
            answer_of=list_answer_of,
        )
        for cold, forget in COLD_AND_WARM
        for label, params in list_mix(context)
    ]


def stats_answer_of(response_json: dict) -> dict[str, dict[str, int]]:
    """The statistics' answer as the lower bound gives it: counters by dimension and key (the
    catalog's ids as text, as kept)."""
    from reporting.models import Country, ReportType

    countries = dict(Country.objects.values_list("code", "pk"))
    report_types = dict(ReportType.objects.values_list("code", "pk"))
    answer = {
        "status": response_json["by_status"],
        "country": {str(countries[code]): n for code, n in response_json["by_country"].items()},
        "report_type": {
            str(report_types[code]): n for code, n in response_json["by_report_type"].items()
        },
    }
    return {dimension: counts for dimension, counts in answer.items() if counts}


@scenario_provider
def portfolio_reads(context: BenchContext) -> list[Scenario]:
    """Stats, collective accounts, and one client's detail and credentials."""
    client = f"/logins/clients/{context.client_id}"
    return [
        *(
            Scenario(
                name=f"stats{cold}",
                path="/logins/stats",
                headers=context.token_header,
                group="stats",
                target_ms=STATS_TARGET_MS,
                before_each=forget,
                lower_bound=stats_lower_bound(context.organization.pk),
                answer_of=stats_answer_of,
            )
            for cold, forget in COLD_AND_WARM
        ),
        Scenario(
            name="collective accounts",
            path="/logins/clients/collective-accounts",
            headers=context.token_header,
            group="detail",
        ),
        Scenario(name="client detail", path=client, headers=context.token_header, group="detail"),
        Scenario(
            name="credentials search showMissing",
            path=_query(f"{client}/credentials/search", showMissing="true"),
            headers=context.token_header,
            group="detail",
        ),
        Scenario(
            name="credentials in DE (reveal)",
            path=f"{client}/credentials/DE",
            headers=context.token_header,
            group="detail",
        ),
    ]


def deadline_mix(context: BenchContext) -> list[tuple[str, dict[str, str]]]:
    """The deadline questions: (label, query parameters); the window is the default 60 days
    unless `from` is given."""
    return [
        ("60 days", {}),
        ("country=DE", {"country": "DE"}),
        ("pro=Stiftung EAR report_type=WEEE", {"pro": "Stiftung EAR", "report_type": "WEEE"}),
        (
            "country=UK,FR status=due_soon,submitted",
            {"country": "UK,FR", "status": "due_soon,submitted"},
        ),
        (
            "status=upcoming offset=5000 limit=100",
            {"status": "upcoming", "offset": "5000", "limit": "100"},
        ),
        ("client", {"client": str(context.client_id)}),
        ("last page", {"offset": "LAST", "limit": "100"}),
    ]


@scenario_provider
def deadlines(context: BenchContext) -> list[Scenario]:
    """GET /logins/deadlines over the default 60 days with a mix of filters, after giving the
    bench organization deadline rules for more schemes and some submissions (bench/deadlines.py)."""
    from bench.deadlines import bench_overrides, bench_submissions

    bench_overrides(context.organization)
    bench_submissions(context.organization)
    scenarios = []
    for label, params in deadline_mix(context):
        if params.get("offset") == "LAST":
            params = {**params, "offset": str(max(0, _deadline_total(context) - 100))}
        scenarios.append(
            Scenario(
                name=f"deadlines: {label}",
                path=_query("/logins/deadlines", **params),
                headers=context.token_header,
                group="deadlines",
                target_p95_ms=DEADLINES_TARGET_P95_MS,
            )
        )
    return scenarios


# Its setup counts the deadlines of the whole portfolio (for the last page).
deadlines.names_start = "deadlines"


def _deadline_total(context: BenchContext) -> int:
    """How many deadlines the default window holds (for the last page's offset)."""
    from credentials.calendar.selectors import DeadlineFilter, deadline_page, organization_today

    today = organization_today(context.organization)
    wanted = DeadlineFilter(start=today, end=today + datetime.timedelta(days=60))
    return deadline_page(context.organization, wanted, offset=0, limit=1).total


@scenario_provider
def registrations_upsert(context: BenchContext) -> list[Scenario]:
    """POST /users/{user}/producers/{nrn}/registrations with 100 registrations."""
    from bench.registrations_fixture import registrations_fixture

    path, items = registrations_fixture(context.organization, REGISTRATIONS_PER_UPSERT)

    def body(repetition: int) -> list[dict]:
        return [{**item, "status": f"{1 + repetition % 4} - Bench"} for item in items]

    return [
        Scenario(
            name=f"registrations upsert x{REGISTRATIONS_PER_UPSERT}",
            path=path,
            method="POST",
            headers={"HTTP_AUTHORIZATION": context.api_key},
            body=body,
            group="registrations",
            rows=len(items),
        )
    ]


def bulk_upload_rows(catalog: list, rows: int, tag: str) -> list[list[str]]:
    """A header and `rows` credential rows, BULK_ROWS_PER_CLIENT per new client, each row a
    different PRO and report type (across countries) of the catalog."""
    data = [list(BULK_MAPPING)]
    for number in range(rows):
        pro, code = catalog[number % len(catalog)]
        data.append(
            [
                f"{BULK_NAME_PREFIX} {tag}-{number // BULK_ROWS_PER_CLIENT:05d} GmbH",
                "onboarding",
                pro.country_code,
                code,
                pro.name,
                f"bulk.{tag}.{number}@upload.example",
                "Upl0ad!secret",
                f"{pro.country_code}{70000000 + number}",
                "quarterly",
            ]
        )
    return data


@scenario_provider
def bulk_upload(context: BenchContext) -> list[Scenario]:
    """The CSV bulk upload: preview and execute of files of new clients with credentials
    across countries (10 rows per client), at 2,000 and 20,000 rows, with peak memory."""
    from bench.portfolio import load_catalog, portfolio_delete
    from clients.models import Membership
    from credentials.client_import import clients_import

    catalog = [(pro, code) for pro in load_catalog() for code in pro.report_type_codes]
    user = Membership.objects.filter(organization=context.organization).first().user

    def cleanup() -> None:
        portfolio_delete(context.organization, name_prefix=BULK_NAME_PREFIX)

    def engine_peak(rows: int, dry_run: bool) -> Callable[[], dict[str, float]]:
        """The import engine's own peak memory: the rows are in memory before it starts, so
        this is what the import adds to its input (the request's peak also holds the parsed
        JSON body, which grows with the file)."""

        def probe() -> dict[str, float]:
            data = bulk_upload_rows(catalog, rows, f"{rows}-probe-{dry_run}")
            tracemalloc.start()
            try:
                clients_import(
                    organization=context.organization,
                    user=user,
                    rows=data,
                    mapping=list(BULK_MAPPING),
                    dry_run=dry_run,
                )
                _, peak = tracemalloc.get_traced_memory()
            finally:
                tracemalloc.stop()
                cleanup()
            return {"engine_peak_mib": round(peak / 2**20, 1)}

        return probe

    scenarios = []
    for rows in BULK_SIZES:

        def upload(repetition: int, rows=rows) -> dict:
            return {
                "csvData": bulk_upload_rows(catalog, rows, f"{rows}-{repetition}"),
                "mapping": list(BULK_MAPPING),
                "fileId": [f"bench-{rows}-{repetition}"],
            }

        common = {
            "method": "POST",
            "headers": context.token_header,
            "group": "bulk",
            "rows": rows,
            "target_rows_per_s": BULK_TARGET_ROWS_PER_S,
            "repetitions": 3,
            "measure_memory": True,
        }
        scenarios += [
            Scenario(
                name=f"bulk upload preview {rows:,} rows",
                path="/logins/clients/bulk-upload/preview",
                body=upload(0),
                probe=engine_peak(rows, dry_run=True),
                **common,
            ),
            Scenario(
                name=f"bulk upload execute {rows:,} rows",
                path="/logins/clients/bulk-upload",
                body=upload,
                cleanup=cleanup,
                probe=engine_peak(rows, dry_run=False),
                **common,
            ),
        ]
    return scenarios
