"""Measure the API on the bench portfolio, in process, through the real URLs and real auth.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/forsure_bench python -m bench.run

For every scenario of bench/scenarios.py: one untimed request under CaptureQueriesContext (the
SQL query count and the status), then N timed repetitions: median, p95 and max milliseconds.
List questions and stats are each followed by their minimal hand-written SQL
(bench/lower_bounds.py), timed too: "SQL ms" and the ratio "x SQL" of the medians.
Prints a table with each target and PASS/MISS, writes bench/results.json and keeps the run
before it as bench/results.previous.json.
"""

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

from bench import setup_django

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results.json"
PREVIOUS_RESULTS = BENCH_DIR / "results.previous.json"
API_KEY_NAME = "Bench key"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--repetitions",
        type=int,
        default=int(os.environ.get("BENCH_REPETITIONS", "20")),
        help="timed requests per scenario (default 20, or BENCH_REPETITIONS)",
    )
    parser.add_argument(
        "--only", default="", help="run only scenarios whose name contains this text"
    )
    parser.add_argument("--output", type=Path, default=RESULTS)
    return parser.parse_args(argv)


def percentile(samples: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def git_commit() -> str | None:
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=BENCH_DIR,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return result.stdout.strip()


def build_context():
    from django.db.models import Q

    from bench.portfolio import ADJECTIVES, NOUNS, bench_organization, portfolio_size
    from bench.scenarios import BenchContext, rare_login, sample_client_id
    from clients.models import ApiKey
    from clients.services import api_key_create

    organization, token = bench_organization()
    size = portfolio_size(organization)
    if not size.clients:
        raise SystemExit("No bench portfolio: run `python -m bench.generate` (or `make bench`).")
    ApiKey.objects.filter(Q(name=API_KEY_NAME), organization=organization).delete()
    _, api_key = api_key_create(organization=organization, name=API_KEY_NAME)
    context = BenchContext(
        organization=organization,
        token=token,
        api_key=api_key,
        client_id=sample_client_id(organization),
        common_word=ADJECTIVES[0],
        rare_login=rare_login(organization),
        company_name_search=f"{ADJECTIVES[1]} {NOUNS[1]}",
    )
    return context, size


def route_exists(path: str) -> bool:
    from django.urls import Resolver404, resolve

    try:
        resolve(path.split("?", 1)[0])
    except Resolver404:
        return False
    return True


def send(http, scenario, repetition: int, payload: str | None = None):
    if scenario.method == "GET":
        return http.get(scenario.path, **scenario.headers)
    return http.generic(
        scenario.method,
        scenario.path,
        data=payload if payload is not None else json.dumps(scenario.body_for(repetition)),
        content_type="application/json",
        **scenario.headers,
    )


def peak_memory_mib(http, scenario, repetition: int) -> tuple[float, int]:
    """The peak of Python memory one request allocates (tracemalloc) in MiB, and its status.

    The JSON body is prepared before tracing starts, so the peak is the request's own: reading
    and parsing the body, and handling it.
    """
    payload = None if scenario.method == "GET" else json.dumps(scenario.body_for(repetition))
    tracemalloc.start()
    try:
        response = send(http, scenario, repetition, payload)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return round(peak / 2**20, 1), response.status_code


def measure(http, scenario, repetitions: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    result = {
        "name": scenario.name,
        "group": scenario.group,
        "method": scenario.method,
        "path": scenario.path,
        "target_ms": scenario.target_ms,
        "target_p95_ms": scenario.target_p95_ms,
        "target_rows_per_s": scenario.target_rows_per_s,
    }
    if scenario.unavailable:
        return {**result, "outcome": "n/a", "note": scenario.unavailable}
    if not route_exists(scenario.path):
        return {**result, "outcome": "n/a", "note": "route not available yet"}
    try:
        if scenario.before_each:
            scenario.before_each()
        with CaptureQueriesContext(connection) as queries:
            response = send(http, scenario, 0)
        result.update(status=response.status_code, queries=len(queries))
        if not 200 <= response.status_code < 300:
            detail = response.content[:200].decode("utf-8", "replace")
            return {**result, "outcome": "FAIL", "note": f"HTTP {response.status_code}: {detail}"}
        if scenario.lower_bound:
            result["lower_bound_agrees"] = (
                scenario.answer_of(response.json()) == scenario.lower_bound()
            )
        repetitions = scenario.repetitions or repetitions
        samples, bound_samples = [], []
        for repetition in range(1, repetitions + 1):
            if scenario.before_each:
                scenario.before_each()
            started = time.perf_counter()
            response = send(http, scenario, repetition)
            samples.append((time.perf_counter() - started) * 1000)
            if scenario.lower_bound:
                started = time.perf_counter()
                scenario.lower_bound()
                bound_samples.append((time.perf_counter() - started) * 1000)
            if not 200 <= response.status_code < 300:
                return {
                    **result,
                    "status": response.status_code,
                    "outcome": "FAIL",
                    "note": f"HTTP {response.status_code} on repetition {repetition}",
                }
        if scenario.measure_memory:
            peak, status = peak_memory_mib(http, scenario, repetitions + 1)
            if not 200 <= status < 300:
                return {**result, "status": status, "outcome": "FAIL", "note": f"HTTP {status}"}
            result["peak_mib"] = peak
        if scenario.probe:
            result.update(scenario.probe())
    finally:
        if scenario.cleanup:
            scenario.cleanup()
    result.update(
        repetitions=len(samples),
        median_ms=round(statistics.median(samples), 2),
        p95_ms=round(percentile(samples, 0.95), 2),
        max_ms=round(max(samples), 2),
    )
    if bound_samples:
        result.update(
            lower_bound_median_ms=round(statistics.median(bound_samples), 2),
            lower_bound_p95_ms=round(percentile(bound_samples, 0.95), 2),
        )
        result["ratio_to_lower_bound"] = round(
            result["median_ms"] / max(result["lower_bound_median_ms"], 0.01), 2
        )
    if scenario.rows:
        result["rows"] = scenario.rows
        result["rows_per_s"] = round(scenario.rows / (result["median_ms"] / 1000), 1)
    result["outcome"] = outcome(result)
    if result.get("lower_bound_agrees") is False:
        result.update(outcome="FAIL", note="the answer differs from the minimal SQL's")
    return result


def outcome(result: dict) -> str:
    if result.get("target_rows_per_s"):
        return "PASS" if result["rows_per_s"] >= result["target_rows_per_s"] else "MISS"
    if result.get("target_p95_ms"):
        return "PASS" if result["p95_ms"] < result["target_p95_ms"] else "MISS"
    if result.get("target_ms"):
        return "PASS" if result["median_ms"] < result["target_ms"] else "MISS"
    return "ok"


def target_label(result: dict) -> str:
    if result.get("target_rows_per_s"):
        return f">= {result['target_rows_per_s']:,.0f} rows/s"
    if result.get("target_p95_ms"):
        return f"p95 < {result['target_p95_ms']:g} ms"
    if result.get("target_ms"):
        return f"median < {result['target_ms']:g} ms"
    return ""


def number(value, digits: int = 1) -> str:
    return "" if value is None else f"{value:,.{digits}f}"


def table(results: list[dict], previous: dict[str, dict]) -> str:
    header = (
        "scenario",
        "status",
        "median ms",
        "p95 ms",
        "max ms",
        "queries",
        "rows/s",
        "peak MiB",
        "engine MiB",
        "SQL ms",
        "x SQL",
        "prev median",
        "target",
        "result",
    )
    lines = [header]
    for result in results:
        before = previous.get(result["name"], {}).get("median_ms")
        lines.append(
            (
                result["name"],
                str(result.get("status", "")),
                number(result.get("median_ms")),
                number(result.get("p95_ms")),
                number(result.get("max_ms")),
                str(result.get("queries", "")),
                number(result.get("rows_per_s"), 0),
                number(result.get("peak_mib")),
                number(result.get("engine_peak_mib")),
                number(result.get("lower_bound_median_ms")),
                number(result.get("ratio_to_lower_bound"))
                + ("" if result.get("lower_bound_agrees", True) else " (differs!)"),
                number(before),
                target_label(result),
                result["outcome"],
            )
        )
    widths = [max(len(line[column]) for line in lines) for column in range(len(header))]
    numeric = {2, 3, 4, 5, 6, 7, 8, 9, 10, 11}
    rendered = []
    for index, line in enumerate(lines):
        cells = [
            cell.rjust(widths[column]) if column in numeric else cell.ljust(widths[column])
            for column, cell in enumerate(line)
        ]
        rendered.append("  ".join(cells).rstrip())
        if index == 0:
            rendered.append("  ".join("-" * width for width in widths))
    notes = [f"  {r['name']}: {r['note']}" for r in results if r.get("note")]
    return "\n".join(rendered + (["", "Notes:", *notes] if notes else []))


def merged_results(before: list[dict], measured: list[dict]) -> list[dict]:
    """A partial run (--only) replaces the scenarios it measured and keeps the others' last
    numbers; every scenario carries when, at which commit and under which load it was measured."""
    fresh = {result["name"]: result for result in measured}
    merged = [fresh.pop(result["name"], result) for result in before]
    return merged + list(fresh.values())


def main(argv=None) -> int:
    args = parse_args(argv)
    setup_django()
    import django
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    from bench.scenarios import scenarios_for

    # The API is measured, not static files: whitenoise need not find collected ones.
    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    # django.test.Client sends Host: testserver.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    context, size = build_context()
    scenarios = scenarios_for(context, only=args.only)
    http = Client(raise_request_exception=False)
    load_before = os.getloadavg()
    print(
        f"Bench: {size.clients:,} clients, {size.credentials:,} credentials on "
        f"{connection.vendor}; {args.repetitions} repetitions; load average "
        f"{load_before[0]:.2f} on {os.cpu_count()} CPUs.",
        flush=True,
    )
    results = []
    for scenario in scenarios:
        print(f"  {scenario.name} ...", end=" ", flush=True)
        results.append(measure(http, scenario, args.repetitions))
        print(results[-1]["outcome"], flush=True)

    previous_run, previous = {}, {}
    if args.output.exists():
        previous_run = json.loads(args.output.read_text())
        previous = {r["name"]: r for r in previous_run.get("scenarios", [])}
        args.output.with_name(PREVIOUS_RESULTS.name).write_text(args.output.read_text())
    print()
    print(table(results, previous))
    finished_at, commit = time.strftime("%Y-%m-%dT%H:%M:%S%z"), git_commit()
    load_after = os.getloadavg()
    for result in results:
        result.update(
            measured_at=finished_at,
            git_commit=commit,
            load_average=[round(value, 2) for value in (*load_before[:1], *load_after[:1])],
        )
    scenarios = results
    if args.only:
        scenarios = merged_results(previous_run.get("scenarios", []), results)
    report = {
        "finished_at": finished_at,
        "git_commit": commit,
        "portfolio": {"clients": size.clients, "credentials": size.credentials},
        "environment": {
            "database": connection.vendor,
            "database_version": connection.pg_version
            if connection.vendor == "postgresql"
            else None,
            "python": platform.python_version(),
            "django": django.get_version(),
            "debug": settings.DEBUG,
            "cpus": os.cpu_count(),
            "load_average_before": [round(value, 2) for value in load_before],
            "load_average_after": [round(value, 2) for value in load_after],
        },
        "repetitions": args.repetitions,
        "only": args.only or None,
        "scenarios": scenarios,
    }
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    print(
        f"\nWrote {args.output.relative_to(Path.cwd()) if args.output.is_relative_to(Path.cwd()) else args.output}"
    )
    failed = [r["name"] for r in results if r["outcome"] == "FAIL"]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
