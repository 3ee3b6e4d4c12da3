"""Time the admin pages staff work in all day, on the bench portfolio, as its staff user.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/forsure_bench \\
        python -m bench.admin_pages [--repetitions N] [--only TEXT]

The client list (plain, a deep page, searched, filtered), the page of a client with as many
credentials as the catalog allows one client (one per PRO and report type), its producers and
registrations, and the credential list, through django.test.Client logged in as `bench` (a
`staff` member, not a superuser). For each page: one untimed request counting its SQL queries,
then N timed ones: median and p95 (nearest rank) milliseconds of server time, the median CPU
time of this process (the Django side, without PostgreSQL's; less sensitive than the wall time
to other work on a shared machine), and the load average before and after.

The lists remember some answers under the organization's portfolio version (a total counted
once, the PROs the credentials use): a page marked "cold" empties the cache before each
request, as the first request after any write to the portfolio finds it.
"""

import argparse
import math
import os
import statistics
import sys
import time
import warnings

from bench import setup_django


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=20)
    parser.add_argument("--only", default="", help="only pages whose name contains this text")
    return parser.parse_args(argv)


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def hub_client(organization):
    """The bench client with a credential for most PROs and report types of the catalog, an
    obligation on a third of them (some uncovered: missing credentials), and two producers with
    registrations: created once through the services, then reused."""
    from bench.portfolio import HARNESS_CLIENT_PREFIX
    from clients.models import Client
    from clients.services import client_create
    from credentials.services import credential_create
    from registrations.models import Producer, Registration
    from reporting.models import Scheme

    hub_name = f"{HARNESS_CLIENT_PREFIX}Hub Client"
    existing = Client.objects.filter(organization=organization, name=hub_name).first()
    if existing is not None:
        return existing
    schemes = list(
        Scheme.objects.select_related("pro__country", "report_type").order_by(
            "pro__country__code", "pro__name", "report_type__code", "id"
        )
    )
    pairs = list(dict.fromkeys((s.pro, s.report_type) for s in schemes))
    obligations = [
        {"country": pro.country.code, "report_type": report_type.code, "pro": pro.name}
        for pro, report_type in pairs[::3]
    ]
    client = client_create(organization=organization, name=hub_name, obligations=obligations)
    for index, (pro, report_type) in enumerate(pairs):
        if index % 14 == 0:
            # Left uncovered: a missing credential on the page.
            continue
        credential_create(
            client=client,
            country=pro.country.code,
            pro=pro.name,
            report_types=[report_type.code],
            login=f"hub-{index}@example.com",
            password=f"hub-password-{index}",
            registration_number=f"REG-{index:04d}",
            interval="yearly",
        )
    for number, chunk in enumerate((schemes[:4], schemes[4:8])):
        # A portfolio generated again deletes the hub but keeps its producers (their client
        # becomes empty): they are found again by their number.
        producer, _ = Producer.objects.update_or_create(
            organization=organization,
            nrn=f"HUB{number:06d}",
            defaults={"client": client, "company_name": f"{hub_name} producer {number}"},
        )
        for scheme in chunk:
            Registration.objects.get_or_create(
                producer=producer, scheme=scheme, defaults={"status": "registered"}
            )
    return client


def pages(organization, client) -> list[tuple[str, str, bool]]:
    """(name, URL, cold) of each page measured."""
    from django.urls import reverse

    from credentials.models import Credential

    clients = reverse("admin:clients_client_changelist")
    credentials = reverse("admin:credentials_credential_changelist")
    credential_count = Credential.objects.filter(client=client).count()
    warm = [
        ("client list", clients),
        ("client list, page 200", f"{clients}?p=200"),
        ("client list, search a common word", f"{clients}?q=falcon"),
        ("client list, search a login", f"{clients}?q=hub-7%40example.com"),
        ("client list, missing credentials", f"{clients}?missing=yes"),
        (
            "client list, missing credentials and active",
            f"{clients}?missing=yes&status__exact=active",
        ),
        ("client list, collective accounts only", f"{clients}?collective=only"),
        (
            f"client page ({credential_count} credentials)",
            reverse("admin:clients_client_change", args=[client.pk]),
        ),
        ("credential list", credentials),
        ("credential list, search", f"{credentials}?q=falcon"),
        (
            "credential add form, pre-filled",
            f"{reverse('admin:credentials_credential_add')}?client={client.pk}",
        ),
    ]
    cold = [
        ("client list, cold", clients),
        ("client list, missing credentials, cold", f"{clients}?missing=yes"),
        ("credential list, cold", credentials),
    ]
    return [(name, url, False) for name, url in warm] + [(name, url, True) for name, url in cold]


def measure(http, url: str, repetitions: int, cold: bool = False) -> dict:
    from django.core.cache import cache
    from django.db import connection

    queries = []

    def count(execute, sql, params, many, context):
        # Counted where they run: the request's start empties Django's own query log.
        queries.append(sql)
        return execute(sql, params, many, context)

    if cold:
        cache.clear()
    with connection.execute_wrapper(count):
        response = http.get(url, secure=True)
    samples, cpu = [], []
    for _ in range(repetitions):
        if cold:
            cache.clear()
        started, started_cpu = time.perf_counter(), time.process_time()
        http.get(url, secure=True)
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return {
        "status": response.status_code,
        "queries": len(queries),
        "median": statistics.median(samples),
        "p95": percentile(samples, 0.95),
        "cpu": statistics.median(cpu),
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    setup_django()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from bench.portfolio import BENCH_USERNAME, bench_organization, portfolio_size

    # The pages are measured, not static files: no collectstatic manifest is needed.
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    organization, _ = bench_organization()
    size = portfolio_size(organization)
    client = hub_client(organization)
    http = Client(raise_request_exception=False)
    http.force_login(get_user_model().objects.get(username=BENCH_USERNAME))
    load_before = os.getloadavg()
    print(
        f"Admin pages: {size.clients:,} clients, {size.credentials:,} credentials; "
        f"{args.repetitions} repetitions; load average {load_before[0]:.2f} "
        f"{load_before[1]:.2f} {load_before[2]:.2f} on {os.cpu_count()} CPUs."
    )
    print(
        f"{'page':48} {'status':>6} {'queries':>7} {'median ms':>10} {'p95 ms':>8} "
        f"{'Python CPU ms':>13}"
    )
    failed = False
    for name, url, cold in pages(organization, client):
        if args.only not in name:
            continue
        result = measure(http, url, args.repetitions, cold)
        failed |= result["status"] != 200
        print(
            f"{name:48} {result['status']:>6} {result['queries']:>7} "
            f"{result['median']:>10.1f} {result['p95']:>8.1f} {result['cpu']:>13.1f}",
            flush=True,
        )
    load_after = os.getloadavg()
    print(f"Load average after: {load_after[0]:.2f} {load_after[1]:.2f} {load_after[2]:.2f}.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
