"""What `make bench` measures: a registry of scenario providers.

A provider is a function decorated with `@scenario_provider` that takes the `BenchContext`
(the bench organization, its token and API key, sample rows of the portfolio) and returns
`Scenario`s. The harness (bench/run.py) runs every provider in registration order. To add a
benchmark, write a provider in this module (see bench/README.md).
"""

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count

from clients.models import Client, Organization
from credentials.models import Credential

LIST_TARGET_MS = 50
STATS_TARGET_MS = 200
BULK_TARGET_ROWS_PER_S = 3000
BULK_ROWS = 20_000
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
    with its reason.
    """

    name: str
    path: str
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    body: object | Callable[[int], object] | None = None
    group: str = ""
    target_ms: float | None = None
    rows: int | None = None
    target_rows_per_s: float | None = None
    repetitions: int | None = None
    cleanup: Callable[[], None] | None = None
    unavailable: str | None = None

    def body_for(self, repetition: int):
        return self.body(repetition) if callable(self.body) else self.body


ScenarioProvider = Callable[[BenchContext], Iterable[Scenario]]
PROVIDERS: list[ScenarioProvider] = []


def scenario_provider(provider: ScenarioProvider) -> ScenarioProvider:
    """Register a provider; `make bench` runs its scenarios after those registered before."""
    PROVIDERS.append(provider)
    return provider


def scenarios_for(context: BenchContext) -> list[Scenario]:
    return [scenario for provider in PROVIDERS for scenario in provider(context)]


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


def _query(path: str, **params) -> str:
    return f"{path}?{urlencode(params)}" if params else path


@scenario_provider
def client_list(context: BenchContext) -> list[Scenario]:
    """GET /logins/clients with the fixed mix of filters and searches."""
    mix = [
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
    return [
        Scenario(
            name=f"list: {label}",
            path=_query("/logins/clients", **params),
            headers=context.token_header,
            group="list",
            target_ms=LIST_TARGET_MS,
        )
        for label, params in mix
    ]


@scenario_provider
def portfolio_reads(context: BenchContext) -> list[Scenario]:
    """Stats, collective accounts, and one client's detail and credentials."""
    client = f"/logins/clients/{context.client_id}"
    return [
        Scenario(
            name="stats",
            path="/logins/stats",
            headers=context.token_header,
            group="stats",
            target_ms=STATS_TARGET_MS,
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


@scenario_provider
def bulk_upload(context: BenchContext) -> list[Scenario]:
    """The CSV bulk upload: preview and execute of a 20,000-row file of new clients."""
    from bench.portfolio import load_catalog, portfolio_delete

    catalog = list(
        itertools.islice(
            ((pro, code) for pro in load_catalog() for code in pro.report_type_codes), 1000
        )
    )
    mapping = [
        "name",
        "status",
        "country",
        "report_type",
        "pro",
        "login",
        "password",
        "registration_number",
        "interval",
    ]

    def upload(repetition: int) -> dict:
        rows = []
        for number in range(BULK_ROWS):
            pro, code = catalog[number % len(catalog)]
            rows.append(
                [
                    f"{BULK_NAME_PREFIX} {repetition}-{number:05d} GmbH",
                    "onboarding",
                    pro.country_code,
                    code,
                    pro.name,
                    f"bulk.{repetition}.{number}@upload.example",
                    "Upl0ad!secret",
                    f"{pro.country_code}{70000000 + number}",
                    "quarterly",
                ]
            )
        return {"csvData": rows, "mapping": mapping, "fileId": [f"bench-{repetition}"]}

    def cleanup() -> None:
        portfolio_delete(context.organization, name_prefix=BULK_NAME_PREFIX)

    common = {
        "method": "POST",
        "headers": context.token_header,
        "group": "bulk",
        "rows": BULK_ROWS,
        "target_rows_per_s": BULK_TARGET_ROWS_PER_S,
        "repetitions": 3,
    }
    preview_body = upload(0)
    return [
        Scenario(
            name=f"bulk upload preview {BULK_ROWS:,} rows",
            path="/logins/clients/bulk-upload/preview",
            body=preview_body,
            **common,
        ),
        Scenario(
            name=f"bulk upload execute {BULK_ROWS:,} rows",
            path="/logins/clients/bulk-upload",
            body=upload,
            cleanup=cleanup,
            **common,
        ),
    ]
