"""Peak memory of `import_clients` at 20,000 and 200,000 rows: the file is streamed, so the
larger one must stay within 1.3x of the smaller (SPEC, "Performance").

    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/forsure_bench_import \\
        python -m bench.import_memory [--rows 20000 200000] [--json bench/import_memory.json]

Generates a CSV per size (clients with a credential each: name, status, country, report type,
PRO, login, password), then runs `manage.py import_clients` on it under `/usr/bin/time -v`, each
size into an organization of its own (so both create every client), and prints max RSS, the
time and the ratio, with the machine's load averages.
"""

import argparse
import csv
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.database import database_ensure

ROOT = Path(__file__).resolve().parents[1]
HEADER = ["name", "status", "country", "report_type", "pro", "login", "password"]
SCHEMES = [
    ("DE", "WEEE", "Stiftung EAR"),
    ("FR", "Packaging", "Citeo"),
    ("NL", "WEEE", "Stichting OPEN"),
]
RATIO_TARGET = 1.3


def csv_write(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(HEADER)
        for number in range(rows):
            country, report_type, pro = SCHEMES[number % len(SCHEMES)]
            writer.writerow(
                [
                    f"Memory bench {rows} client {number:07d}",
                    "active",
                    country,
                    report_type,
                    pro,
                    f"login-{number}@example.com",
                    f"Secret-{number:07d}",
                ]
            )


def command(environment: dict, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )


def measured_import(environment: dict, path: Path, organization: str) -> dict:
    started = time.monotonic()
    run = subprocess.run(
        [
            "/usr/bin/time",
            "-v",
            sys.executable,
            "manage.py",
            "import_clients",
            str(path),
            "--organization",
            organization,
        ],
        cwd=ROOT,
        env={**environment, "TQDM_DISABLE": "1"},
        capture_output=True,
        text=True,
    )
    seconds = time.monotonic() - started
    if run.returncode != 0:
        raise SystemExit(f"import_clients failed:\n{run.stdout}\n{run.stderr[-3000:]}")
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", run.stderr).group(1))
    return {"max_rss_mib": round(rss / 1024, 1), "seconds": round(seconds, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[20_000, 200_000])
    parser.add_argument("--json", type=Path, default=ROOT / "bench" / "import_memory.json")
    options = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("Set BENCH_DATABASE_URL=postgres://... (a database of its own).")
    database_ensure(url)
    environment = {**os.environ, "DATABASE_URL": url, "DEBUG": "1"}
    command(environment, "migrate", "--noinput")
    stamp = int(time.time())
    results = {}
    with tempfile.TemporaryDirectory() as folder:
        for rows in options.rows:
            path = Path(folder) / f"clients-{rows}.csv"
            csv_write(path, rows)
            organization = f"Memory bench {rows} {stamp}"
            command(environment, "shell", "-c", _organization_create(organization))
            results[rows] = measured_import(environment, path, organization)
            print(
                f"{rows:>9,} rows: {results[rows]['max_rss_mib']:>7} MiB max RSS, "
                f"{results[rows]['seconds']} s"
            )
    smallest, largest = min(results), max(results)
    ratio = results[largest]["max_rss_mib"] / results[smallest]["max_rss_mib"]
    load = os.getloadavg()
    print(f"ratio {largest:,} / {smallest:,} rows: {ratio:.2f} (target <= {RATIO_TARGET})")
    print(f"load averages: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    options.json.write_text(
        json.dumps(
            {
                "runs": {str(rows): result for rows, result in results.items()},
                "ratio": round(ratio, 2),
                "target": RATIO_TARGET,
                "load_averages": [round(value, 2) for value in load],
            },
            indent=2,
        )
        + "\n"
    )
    return 0 if ratio <= RATIO_TARGET else 1


def _organization_create(name: str) -> str:
    return (
        "from clients.models import Organization; "
        f"Organization.objects.get_or_create(name={name!r})"
    )


if __name__ == "__main__":
    sys.exit(main())
