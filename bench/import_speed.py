"""The bulk upload's execute against its anchor, side by side in one run.

    BENCH_DATABASE_URL=... make bench-import        # or, with DATABASE_URL set:
    python -m bench.import_speed [--rows 20000] [--repetitions 3] [--profile]

The anchor is django-import-export tuned for speed (`use_bulk`, `skip_diff`,
`force_init_instance`) importing the same file into a one-table model of the same nine text
columns (a bench-only table, created for the run and dropped after). The project's side is the
execute of that file (new clients with credentials, passwords encrypted) twice: the engine
alone (`clients_import`) and the whole request (`POST /logins/clients/bulk-upload`: JSON body,
authentication, serializer, engine, answer). The three alternate in each repetition, so that
they share the machine's load; rows per second are of the medians, with the ratio to the
anchor and the load average.

`--profile` runs the engine's execute once more under cProfile and splits its time into SQL
(waiting for PostgreSQL: statements and COPY), encryption (Fernet, the passwords) and the
rest (Python), and prints the functions that cost most. Results: bench/import_speed.json.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
import warnings
from pathlib import Path

from bench import setup_django

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "import_speed.json"
ANCHOR_TABLE = "bench_import_anchor"
# Where the profile's time goes: a function counts with everything it calls (cumulative time),
# its outermost calls only. SQL is the database driver waiting for PostgreSQL (every statement,
# COPY's flushes and the commit go through Connection.wait); encryption is Fernet's.
SQL_FUNCTIONS = (("psycopg/connection.py", "wait"),)
ENCRYPTION_FUNCTIONS = (("cryptography/fernet.py", "encrypt"),)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="profile one engine execute")
    parser.add_argument("--output", type=Path, default=RESULTS)
    return parser.parse_args(argv)


def anchor_model():
    """A one-table model with the bulk file's columns, for the anchor only."""
    from django.db import models

    from bench.scenarios import BULK_MAPPING

    attrs = {
        "__module__": __name__,
        "Meta": type("Meta", (), {"app_label": "credentials", "db_table": ANCHOR_TABLE}),
    }
    attrs |= {name: models.CharField(max_length=200, blank=True) for name in BULK_MAPPING}
    return type("BenchImportAnchor", (models.Model,), attrs)


def anchor_resource(model):
    from import_export import resources

    from bench.scenarios import BULK_MAPPING

    meta = type(
        "Meta",
        (),
        {
            "model": model,
            "fields": BULK_MAPPING,
            "import_id_fields": ("name",),
            "use_bulk": True,
            "skip_diff": True,
            "force_init_instance": True,
            "batch_size": 1000,
        },
    )
    return type("BenchImportAnchorResource", (resources.ModelResource,), {"Meta": meta})()


def backend_cpu_s() -> float | None:
    """CPU seconds the database server's process of this connection has used (PostgreSQL on
    this machine only: /proc), None when it cannot be read."""
    from django.db import connection

    connection.ensure_connection()
    try:
        fields = Path(f"/proc/{connection.connection.info.backend_pid}/stat").read_text().split()
    except OSError:
        return None
    # utime and stime, in clock ticks (fields 14 and 15; the name in field 2 has no spaces).
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")


class Sample:
    """Wall seconds of one run, with the CPU seconds of this process and of the database's."""

    def __init__(self):
        self.wall = self.python_cpu = 0.0
        self.database_cpu: float | None = None

    def __enter__(self):
        self._started = (time.perf_counter(), time.process_time(), backend_cpu_s())
        return self

    def __exit__(self, *exc):
        wall, cpu, database = self._started
        self.wall = time.perf_counter() - wall
        self.python_cpu = time.process_time() - cpu
        after = backend_cpu_s()
        if database is not None and after is not None:
            self.database_cpu = after - database
        return False


class Bench:
    def __init__(self, rows: int):
        from django.conf import settings
        from django.db import connection
        from django.test import Client

        from bench.portfolio import bench_organization, load_catalog, portfolio_size
        from clients.models import Membership

        # The API is measured, not static files; django.test.Client sends Host: testserver.
        warnings.filterwarnings("ignore", "No directory at", UserWarning)
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        self.rows = rows
        self.organization, token = bench_organization()
        self.size = portfolio_size(self.organization)
        self.user = Membership.objects.filter(organization=self.organization).first().user
        self.catalog = [(pro, code) for pro in load_catalog() for code in pro.report_type_codes]
        self.http = Client(raise_request_exception=False)
        self.headers = {"HTTP_AUTHORIZATION": f"Token {token}"}
        self.model = anchor_model()
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {ANCHOR_TABLE}")
        with connection.schema_editor() as editor:
            editor.create_model(self.model)

    def close(self) -> None:
        from django.db import connection

        self.cleanup()
        with connection.schema_editor() as editor:
            editor.delete_model(self.model)

    def file(self, tag: str) -> list[list[str]]:
        from bench.scenarios import bulk_upload_rows

        return bulk_upload_rows(self.catalog, self.rows, tag)

    def cleanup(self) -> None:
        from django.db import connection

        from bench.portfolio import portfolio_delete
        from bench.scenarios import BULK_NAME_PREFIX

        portfolio_delete(self.organization, name_prefix=BULK_NAME_PREFIX)
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {ANCHOR_TABLE}")

    def anchor(self, repetition: int) -> float:
        import tablib

        data = self.file(f"anchor-{repetition}")
        dataset = tablib.Dataset(*data[1:], headers=data[0])
        resource = anchor_resource(self.model)
        with Sample() as sample:
            result = resource.import_data(dataset, dry_run=False, raise_errors=True)
        assert not result.has_errors() and self.model.objects.count() == self.rows
        return sample

    def engine(self, repetition: int, tag: str = "engine") -> Sample:
        from bench.scenarios import BULK_MAPPING
        from credentials.client_import import clients_import

        data = self.file(f"{tag}-{repetition}")
        with Sample() as sample:
            report = clients_import(
                organization=self.organization,
                user=self.user,
                rows=data,
                mapping=list(BULK_MAPPING),
            )
        assert report.applied and report.valid_rows == self.rows, report.row_errors[:3]
        return sample

    def request(self, repetition: int) -> Sample:
        from bench.scenarios import BULK_MAPPING

        body = json.dumps(
            {
                "csvData": self.file(f"request-{repetition}"),
                "mapping": list(BULK_MAPPING),
                "fileId": [f"bench-import-{repetition}"],
            }
        )
        with Sample() as sample:
            response = self.http.post(
                "/logins/clients/bulk-upload", body, content_type="application/json", **self.headers
            )
        assert response.status_code == 200, response.content[:300]
        assert response.json()["errors"] == 0
        return sample

    def encryption_cpu_s(self) -> float:
        """CPU seconds the file's passwords take to encrypt, alone: one Fernet token each, as
        the credentials' field stores them."""
        from bench.scenarios import BULK_MAPPING
        from credentials.models import Credential

        field = Credential._meta.get_field("password")
        column = BULK_MAPPING.index("password")
        passwords = [row[column] for row in self.file("encryption")[1:]]
        started = time.process_time()
        for password in passwords:
            field.get_db_prep_save(password, None)
        return time.process_time() - started

    def profile(self) -> dict:
        profiler = cProfile.Profile()
        profiler.enable()
        sample = self.engine(0, tag="profile")
        profiler.disable()
        self.cleanup()
        return profile_split(profiler, sample.wall)


def _cumulative(stats: pstats.Stats, match) -> float:
    """The cumulative time of the outermost calls of the functions `match` accepts: a matching
    function called by another matching one is not counted twice."""
    total = 0.0
    for function, (_, _, _, cumulative, callers) in stats.stats.items():
        if match(function) and not any(match(caller) for caller in callers):
            total += cumulative
    return total


def _matches(function, names) -> bool:
    path, _, name = function
    return any(path.endswith(file) and name == fn for file, fn in names)


def _is_sql(function) -> bool:
    return _matches(function, SQL_FUNCTIONS)


def _is_encryption(function) -> bool:
    return _matches(function, ENCRYPTION_FUNCTIONS)


def profile_split(profiler: cProfile.Profile, elapsed: float) -> dict:
    stats = pstats.Stats(profiler)
    total = stats.total_tt
    sql = _cumulative(stats, _is_sql)
    encryption = _cumulative(stats, _is_encryption)
    python = total - sql - encryption
    top = io.StringIO()
    pstats.Stats(profiler, stream=top).sort_stats("tottime").print_stats(25)
    return {
        "wall_s": round(elapsed, 3),
        "profiled_s": round(total, 3),
        "sql_s": round(sql, 3),
        "encryption_s": round(encryption, 3),
        "python_s": round(python, 3),
        "share": {
            "sql": round(sql / total, 3),
            "encryption": round(encryption / total, 3),
            "python": round(python / total, 3),
        },
        "top_tottime": top.getvalue(),
    }


def side_summary(rows: int, values: list[Sample]) -> dict:
    """Medians of one side's samples: wall seconds and rows per second, CPU seconds of Python
    and of the database, and rows per CPU second of both together."""
    wall = statistics.median(v.wall for v in values)
    summary = {
        "seconds": [round(v.wall, 3) for v in values],
        "median_s": round(wall, 3),
        "rows_per_s": round(rows / wall),
        "python_cpu_s": round(statistics.median(v.python_cpu for v in values), 3),
    }
    if all(v.database_cpu is not None for v in values):
        database = statistics.median(v.database_cpu for v in values)
        summary["database_cpu_s"] = round(database, 3)
        summary["cpu_rows_per_s"] = round(rows / (summary["python_cpu_s"] + database))
    return summary


def main(argv=None) -> int:
    args = parse_args(argv)
    setup_django()
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("The bench runs on PostgreSQL: set DATABASE_URL=postgres://...")
    bench = Bench(args.rows)
    load_before = os.getloadavg()
    print(
        f"Import bench: {args.rows:,} rows, {args.repetitions} repetitions; portfolio "
        f"{bench.size.clients:,} clients / {bench.size.credentials:,} credentials; load average "
        f"{load_before[0]:.2f} on {os.cpu_count()} CPUs.",
        flush=True,
    )
    samples: dict[str, list[Sample]] = {"anchor": [], "engine": [], "request": []}
    try:
        bench.cleanup()
        # One untimed round: imports, caches and the catalog are warm for every side.
        for side in samples:
            getattr(bench, side)(0)
            bench.cleanup()
        for repetition in range(1, args.repetitions + 1):
            for side in samples:
                samples[side].append(getattr(bench, side)(repetition))
                bench.cleanup()
            print(
                "  " + ", ".join(f"{side} {samples[side][-1].wall:.2f} s" for side in samples),
                flush=True,
            )
        encryption = bench.encryption_cpu_s()
        profile = bench.profile() if args.profile else None
    finally:
        bench.close()
    load_after = os.getloadavg()
    results = {
        "rows": args.rows,
        "repetitions": args.repetitions,
        "portfolio": {"clients": bench.size.clients, "credentials": bench.size.credentials},
        "load_average_before": [round(v, 2) for v in load_before],
        "load_average_after": [round(v, 2) for v in load_after],
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "sides": {side: side_summary(args.rows, values) for side, values in samples.items()},
        "encryption_cpu_s": round(encryption, 3),
    }
    anchor = results["sides"]["anchor"]
    for summary in results["sides"].values():
        summary["ratio_to_anchor"] = round(summary["rows_per_s"] / anchor["rows_per_s"], 2)
        if summary.get("cpu_rows_per_s") and anchor.get("cpu_rows_per_s"):
            summary["cpu_ratio_to_anchor"] = round(
                summary["cpu_rows_per_s"] / anchor["cpu_rows_per_s"], 2
            )
    print()
    print(
        f"{'side':<9} {'wall s':>7} {'rows/s':>8} {'x anchor':>8} | {'Python':>7} {'database':>8}"
        f" {'CPU rows/s':>10} {'x anchor':>8}"
    )
    for side, summary in results["sides"].items():
        print(
            f"{side:<9} {summary['median_s']:>7.2f} {summary['rows_per_s']:>8,} "
            f"{summary['ratio_to_anchor']:>8.2f} | {summary['python_cpu_s']:>7.2f} "
            f"{summary.get('database_cpu_s', 0):>8.2f} {summary.get('cpu_rows_per_s', 0):>10,} "
            f"{summary.get('cpu_ratio_to_anchor', 0):>8.2f}"
        )
    print(
        f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after; CPU seconds are "
        "medians of this process and of the database's server process for the connection"
    )
    engine = results["sides"]["engine"]
    if "database_cpu_s" in engine:
        total = engine["python_cpu_s"] + engine["database_cpu_s"]
        python = engine["python_cpu_s"] - encryption
        print(
            f"engine CPU {total:.2f} s: database {engine['database_cpu_s'] / total:.0%}, "
            f"Python {python / total:.0%}, encryption {encryption / total:.0%} "
            f"({encryption:.2f} s for {args.rows:,} passwords, measured alone)"
        )
    if profile:
        results["profile"] = {k: v for k, v in profile.items() if k != "top_tottime"}
        share = profile["share"]
        print(
            f"\nProfile of one engine execute ({profile['profiled_s']:.2f} s under cProfile, "
            f"{profile['wall_s']:.2f} s wall): SQL {share['sql']:.0%} ({profile['sql_s']:.2f} s), "
            f"encryption {share['encryption']:.0%} ({profile['encryption_s']:.2f} s), "
            f"Python {share['python']:.0%} ({profile['python_s']:.2f} s)"
        )
        print(profile["top_tottime"])
    args.output.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
