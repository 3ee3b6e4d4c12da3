"""A mixed workload on the bench portfolio: reads of the client list and the statistics
interleaved with writes, in process, through the real URLs and real auth.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/forsure_bench CACHE_URL=locmem:// \\
        python -m bench.mixed [--reads-per-write 10 1] [--reads 200]

Each write (in turn: a client's status change, a credential added to a client, that credential
removed, a client's notes edited) gives the organization a new portfolio version, so the reads
after it are cold (computed, not cached) until each question is asked once more. The reads
cycle through the list questions of bench/scenarios.py and the statistics. Reported per
workload: the share of cold reads (cache misses, counted at the cache), median and p95 of what
a user sees per question and overall, and the writes' own times. Writes undo themselves (the
status and notes are set back, the credential removed), so the portfolio keeps its size.
"""

import argparse
import json
import os
import statistics
import sys
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

from bench import setup_django

RESULTS = Path(__file__).resolve().parent / "mixed.json"
STATUSES = ("active", "onboarding", "inactive")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--reads-per-write",
        type=int,
        nargs="+",
        default=[10, 1],
        help="one workload per value: that many reads after each write (default 10 and 1)",
    )
    parser.add_argument("--reads", type=int, default=220, help="reads per workload (default 220)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    return parser.parse_args(argv)


class MissCounter:
    """The cache, counting the reads that find nothing (a cold answer computes at least one)."""

    def __init__(self, cache):
        self._cache = cache
        self.misses = 0

    def get(self, key, default=None, **kwargs):
        value = self._cache.get(key, default, **kwargs)
        if value is default:
            self.misses += 1
        return value

    def __getattr__(self, name):
        return getattr(self._cache, name)


@dataclass
class Timings:
    samples: list[float] = field(default_factory=list)
    cold: int = 0

    def add(self, milliseconds: float, cold: bool) -> None:
        self.samples.append(milliseconds)
        self.cold += cold

    def summary(self) -> dict:
        from bench.run import percentile

        return {
            "requests": len(self.samples),
            "cold_share": round(self.cold / len(self.samples), 3) if self.samples else None,
            "median_ms": round(statistics.median(self.samples), 2) if self.samples else None,
            "p95_ms": round(percentile(self.samples, 0.95), 2) if self.samples else None,
        }


def writes(http, context):
    """An endless cycle of writes (each a function returning the response), and a function
    undoing what they left: the portfolio keeps its size and the client its status and notes."""
    from clients.models import Client
    from reporting.models import Pro

    client_path = f"/logins/clients/{context.client_id}"
    client = Client.objects.get(pk=context.client_id)
    status, notes = client.status, client.notes
    covered = set(client.credentials.values_list("pro_id", flat=True))
    pro = (
        Pro.objects.filter(country__code="DE", schemes__isnull=False)
        .exclude(pk__in=covered)
        .prefetch_related("schemes__report_type")
        .order_by("id")
        .first()
    )
    report_type = pro.schemes.all()[0].report_type.code
    headers = context.token_header
    added: list[int] = []

    def patch(body):
        return http.patch(client_path, json.dumps(body), "application/json", **headers)

    def add_credential():
        response = http.post(
            f"{client_path}/credentials/DE",
            json.dumps(
                {"report_types": [report_type], "pro": pro.name, "login": "mixed@bench.example"}
            ),
            "application/json",
            **headers,
        )
        if response.status_code == 201:
            added.append(response.json()["id"])
        return response

    def remove_credential():
        return http.delete(f"{client_path}/credentials/DE/{added.pop()}", **headers)

    def cycle():
        number = 0
        while True:
            number += 1
            yield "status", lambda n=number: patch({"status": STATUSES[n % len(STATUSES)]})
            yield "credential added", add_credential
            yield "notes", lambda n=number: patch({"notes": f"{notes} (edit {n})".strip()})
            yield "credential removed", remove_credential

    def restore() -> None:
        while added:
            remove_credential()
        patch({"status": status, "notes": notes})

    return cycle(), restore


def workload(http, context, questions, reads: int, reads_per_write: int, counter) -> dict:
    per_question = {label: Timings() for label, _ in questions}
    overall, write_timings = Timings(), Timings()
    write_cycle, restore = writes(http, context)
    for number in range(reads):
        if number % reads_per_write == 0:
            name, write = next(write_cycle)
            started = time.perf_counter()
            response = write()
            write_timings.add((time.perf_counter() - started) * 1000, False)
            if response.status_code >= 300:
                raise SystemExit(f"write {name} failed: HTTP {response.status_code}")
        label, path = questions[number % len(questions)]
        misses = counter.misses
        started = time.perf_counter()
        response = http.get(path, **context.token_header)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise SystemExit(f"{label} failed: HTTP {response.status_code}")
        cold = counter.misses > misses
        per_question[label].add(elapsed, cold)
        overall.add(elapsed, cold)
    restore()
    return {
        "reads_per_write": reads_per_write,
        "overall": overall.summary(),
        "writes": write_timings.summary() | {"cold_share": None},
        "questions": {label: timings.summary() for label, timings in per_question.items()},
    }


def render(result: dict) -> str:
    lines = [
        f"One write per {result['reads_per_write']} read(s): "
        f"{result['overall']['requests']} reads, {result['writes']['requests']} writes",
        f"{'question':<40} {'cold':>6} {'median ms':>10} {'p95 ms':>9}",
    ]
    rows = [*result["questions"].items(), ("all reads", result["overall"])]
    for label, summary in rows:
        lines.append(
            f"{label:<40} {summary['cold_share']:>6.0%} {summary['median_ms']:>10.1f} "
            f"{summary['p95_ms']:>9.1f}"
        )
    writes_ = result["writes"]
    lines.append(f"{'writes':<40} {'':>6} {writes_['median_ms']:>10.1f} {writes_['p95_ms']:>9.1f}")
    return "\n".join(lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    os.environ.setdefault("CACHE_URL", "locmem://")
    # The bench token stands for a whole agency's traffic (as in bench/loadtest.py): no
    # per-token request limit, which a workload of hundreds of requests a minute would meet.
    os.environ.setdefault("THROTTLE_RATE_USER", "")
    setup_django()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    import clients.portfolio_version as portfolio_version
    from bench.run import build_context, git_commit
    from bench.scenarios import _query, list_mix

    warnings.filterwarnings("ignore", "No directory at", UserWarning)
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    context, size = build_context()
    counter = MissCounter(portfolio_version.cache)
    portfolio_version.cache = counter
    questions = [
        (f"list: {label}", _query("/logins/clients", **params))
        for label, params in list_mix(context)
    ] + [("stats", "/logins/stats")]
    http = Client(raise_request_exception=False)
    load_before = os.getloadavg()
    print(
        f"Mixed workload: {size.clients:,} clients, {size.credentials:,} credentials on "
        f"{connection.vendor}, cache {settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}; "
        f"load average {load_before[0]:.2f} on {os.cpu_count()} CPUs.",
        flush=True,
    )
    results = []
    for reads_per_write in args.reads_per_write:
        result = workload(http, context, questions, args.reads, reads_per_write, counter)
        results.append(result)
        print()
        print(render(result), flush=True)
    load_after = os.getloadavg()
    report = {
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "git_commit": git_commit(),
        "portfolio": {"clients": size.clients, "credentials": size.credentials},
        "cache": settings.CACHES["default"]["BACKEND"],
        "load_average_before": [round(value, 2) for value in load_before],
        "load_average_after": [round(value, 2) for value in load_after],
        "workloads": results,
    }
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nLoad average after: {load_after[0]:.2f}. Wrote {args.output.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
