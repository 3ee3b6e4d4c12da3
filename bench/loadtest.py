"""Load run: gunicorn with the production settings on 127.0.0.1, driven by wrk from a second
process for a bounded time against the list and detail routes, with the bench user's token.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/forsure_bench DEBUG=0 SECRET_KEY=... \\
        FIELD_ENCRYPTION_KEY=... python -m bench.loadtest [--duration 60] [--connections 8]

Against one gunicorn: the mix of list and detail paths (`--duration`), then the client detail
route alone and a DRF view that touches no database (bench/urls.py, served only in this run),
`--compare-duration` seconds each in alternating rounds: the detail's requests per second as a
share of the baseline's tells what the route costs beyond the server, middleware and DRF.

Reports requests per second, latency percentiles, non-2xx answers and socket errors per phase,
and gunicorn's worker restarts; writes bench/loadtest.json and stops gunicorn. Exits 1 when any
request failed.
"""

import argparse
import http.client
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import setup_django

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
LUA_SCRIPT = BENCH_DIR / "loadtest.lua"
RESULTS = BENCH_DIR / "loadtest.json"
GUNICORN_LOG = BENCH_DIR / "loadtest-gunicorn.log"
HOST = "127.0.0.1"
LIST_PAGES = 100
# The product's settings with the bench URLconf, which adds the baseline route.
BENCH_SETTINGS = "bench.settings"
WORKER_RESTART_LINE = "Autorestarting worker"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--duration", type=int, default=60, help="seconds of the list and detail mix (60)"
    )
    parser.add_argument(
        "--compare-duration",
        type=int,
        default=20,
        help="seconds of the detail route alone, and of the no-database baseline (20 each)",
    )
    parser.add_argument(
        "--compare-rounds",
        type=int,
        default=4,
        help="the comparison's seconds are split into this many alternating rounds (4)",
    )
    parser.add_argument("--connections", type=int, default=8, help="open connections (8)")
    parser.add_argument("--threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument("--output", type=Path, default=RESULTS)
    return parser.parse_args(argv)


def load_paths() -> tuple[str, list[str], list[str]]:
    """The bench token, the request mix (half list pages and filters, half client details) and
    the client detail paths alone."""
    from bench.portfolio import ADJECTIVES, bench_organization
    from clients.models import Client

    organization, token = bench_organization()
    client_ids = list(
        Client.objects.filter(organization=organization, collective_account=False)
        .order_by("id")
        .values_list("id", flat=True)
    )
    if not client_ids:
        raise SystemExit("No bench portfolio: run `make bench` first.")
    rng = random.Random(7)
    lists = [f"/logins/clients?offset={page * 10}&limit=10" for page in range(LIST_PAGES)]
    lists += [
        "/logins/clients?status=active",
        "/logins/clients?status=active,onboarding&offset=20",
        "/logins/clients?country=DE",
        "/logins/clients?country=FR&report_type=Packaging",
        "/logins/clients?limit=100",
        *(f"/logins/clients?search={word}" for word in ADJECTIVES[:5]),
    ]
    details = [
        f"/logins/clients/{client_id}"
        for client_id in rng.sample(client_ids, min(len(lists), len(client_ids)))
    ]
    mix = [*lists, *details]
    rng.shuffle(mix)
    return token, mix, details


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def healthy(port: int) -> bool:
    connection = http.client.HTTPConnection(HOST, port, timeout=2)
    try:
        connection.request("GET", "/healthz", headers={"Host": HOST})
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


def start_gunicorn(port: int, log) -> subprocess.Popen:
    # The run's one token stands for a whole agency's traffic: no per-token request limit.
    environment = {
        **os.environ,
        "DEBUG": "0",
        "ALLOWED_HOSTS": HOST,
        "THROTTLE_RATE_USER": "",
        "DJANGO_SETTINGS_MODULE": BENCH_SETTINGS,
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        str(ROOT / "config" / "gunicorn.conf.py"),
        "--bind",
        f"{HOST}:{port}",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log, stderr=log)


def wait_until_healthy(server: subprocess.Popen, port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}; see {GUNICORN_LOG}.")
        if healthy(port):
            return
        time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer /healthz within {seconds:.0f} s.")


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def run_wrk(args, port: int, token: str, paths: list[str], duration: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".txt", prefix="loadtest-paths-") as paths_file:
        paths_file.write("\n".join(paths) + "\n")
        paths_file.flush()
        return _run_wrk(args, port, token, Path(paths_file.name), duration)


def _run_wrk(args, port: int, token: str, paths_file: Path, duration: int) -> dict:
    command = [
        "wrk",
        "--threads",
        str(args.threads),
        "--connections",
        str(args.connections),
        "--duration",
        f"{duration}s",
        "--timeout",
        "10s",
        "--script",
        str(LUA_SCRIPT),
        f"http://{HOST}:{port}",
    ]
    environment = {**os.environ, "BENCH_TOKEN": token, "BENCH_PATHS": str(paths_file)}
    result = subprocess.run(
        command,
        env=environment,
        capture_output=True,
        text=True,
        timeout=duration + 60,
        check=False,
    )
    print(result.stdout)
    if result.returncode != 0:
        raise SystemExit(f"wrk failed ({result.returncode}): {result.stderr}")
    summary = [line for line in result.stdout.splitlines() if line.startswith("{")]
    return json.loads(summary[-1])


def combined(rounds: list[dict]) -> dict:
    """One summary of several wrk runs of the same paths: summed requests, time and errors;
    the latency of the round with the highest p95."""
    duration = sum(summary["duration_s"] for summary in rounds)
    requests = sum(summary["requests"] for summary in rounds)
    return {
        "requests": requests,
        "duration_s": round(duration, 3),
        "requests_per_s": round(requests / duration, 1),
        "latency_ms": max((summary["latency_ms"] for summary in rounds), key=lambda x: x["p95"]),
        "non_2xx": sum(summary["non_2xx"] for summary in rounds),
        "socket_errors": {
            kind: sum(summary["socket_errors"][kind] for summary in rounds)
            for kind in rounds[0]["socket_errors"]
        },
        "paths": rounds[0]["paths"],
        "rounds_requests_per_s": [summary["requests_per_s"] for summary in rounds],
    }


def compare(args, port: int, token: str, details: list[str], baseline: str) -> tuple[dict, dict]:
    """The detail route and the baseline in alternating rounds, so that both meet the same
    conditions on a machine whose other load comes and goes."""
    rounds = max(1, args.compare_rounds)
    seconds = max(1, args.compare_duration // rounds)
    detail_rounds, baseline_rounds = [], []
    for _ in range(rounds):
        detail_rounds.append(run_wrk(args, port, token, details, seconds))
        baseline_rounds.append(run_wrk(args, port, token, [baseline], seconds))
    return combined(detail_rounds), combined(baseline_rounds)


def failures(summary: dict) -> int:
    return summary["non_2xx"] + sum(summary["socket_errors"].values())


def describe(name: str, summary: dict) -> str:
    latency = summary["latency_ms"]
    return (
        f"{name}: {summary['requests']:,} requests in {summary['duration_s']:.1f} s: "
        f"{summary['requests_per_s']:.1f} requests/s, latency p50 {latency['p50']:.1f} ms, "
        f"p95 {latency['p95']:.1f} ms, p99 {latency['p99']:.1f} ms, max {latency['max']:.1f} ms; "
        f"{summary['non_2xx']} non-2xx, socket errors {summary['socket_errors']}."
    )


def worker_restarts() -> int:
    """How often gunicorn replaced a worker that had served its max_requests."""
    with GUNICORN_LOG.open(errors="replace") as log:
        return sum(WORKER_RESTART_LINE in line for line in log)


def main(argv=None) -> int:
    args = parse_args(argv)
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: `apt-get install wrk` (make loadtest does it).")
    setup_django()
    from bench.run import git_commit
    from bench.urls import BASELINE_PATH

    token, mix, details = load_paths()
    port = free_port()
    workers = os.environ.get("WEB_CONCURRENCY", f"{(os.cpu_count() or 1) * 2 + 1} (default)")
    print(
        f"Load run: gunicorn ({workers} workers) on {HOST}:{port}, wrk {args.threads} threads x "
        f"{args.connections} connections: {args.duration} s over {len(mix)} list and detail "
        f"paths, then {args.compare_duration} s of {len(details)} client details and "
        f"{args.compare_duration} s of the no-database baseline {BASELINE_PATH}, in "
        f"{args.compare_rounds} alternating rounds.",
        flush=True,
    )
    load_before = os.getloadavg()
    phases = {}
    with GUNICORN_LOG.open("w") as log:
        server = start_gunicorn(port, log)
        try:
            wait_until_healthy(server, port)
            phases["mix"] = run_wrk(args, port, token, mix, args.duration)
            phases["detail"], phases["baseline"] = compare(
                args, port, token, details, BASELINE_PATH
            )
        finally:
            stop(server)
    load_after = os.getloadavg()

    detail_share = phases["detail"]["requests_per_s"] / phases["baseline"]["requests_per_s"]
    report = {
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "git_commit": git_commit(),
        "setup": {
            "gunicorn_workers": workers,
            "wrk_threads": args.threads,
            "connections": args.connections,
            "duration_s": args.duration,
            "compare_duration_s": args.compare_duration,
            "compare_rounds": args.compare_rounds,
            "cpus": os.cpu_count(),
            "load_average_before": [round(value, 2) for value in load_before],
            "load_average_after": [round(value, 2) for value in load_after],
        },
        "result": phases["mix"],
        "detail": phases["detail"],
        "baseline": phases["baseline"],
        "detail_vs_baseline": round(detail_share, 3),
        "gunicorn_worker_restarts": worker_restarts(),
    }
    args.output.write_text(json.dumps(report, indent=2) + "\n")
    print(describe("list and detail mix", phases["mix"]))
    print(describe("client detail", phases["detail"]))
    print(describe("no-database baseline", phases["baseline"]))
    print(
        f"Client detail: {detail_share:.2f}x the baseline's requests/s; "
        f"gunicorn restarted workers {report['gunicorn_worker_restarts']} times; load average "
        f"before {report['setup']['load_average_before']}, after "
        f"{report['setup']['load_average_after']}."
    )
    print(f"Wrote {args.output}; gunicorn's log: {GUNICORN_LOG}")
    return 1 if any(failures(summary) for summary in phases.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
