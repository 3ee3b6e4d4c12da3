"""Generate the benchmark portfolio of the organization "Bench Agency" on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/forsure_bench \\
        python -m bench.generate --clients 100000 --credentials 300000 [--reset]

A portfolio already at the requested size is kept (run again, nothing happens); any other size
is deleted and generated anew. `--reset` always starts over. Prints the bench user's token.
"""

import argparse
import os
import sys
import time

from bench import setup_django


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--credentials", type=int, default=300_000)
    parser.add_argument(
        "--reset", action="store_true", help="delete the bench portfolio and generate it again"
    )
    parser.add_argument(
        "--triggers",
        choices=("off", "on"),
        default=os.environ.get("BENCH_TRIGGERS", "off"),
        help="off: disable the portfolio triggers for the load and write the coverage and "
        "statistics the generator builds with the rows (default); on: let the statement "
        "triggers run once per COPY",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=int(os.environ.get("BENCH_WORKERS", "0")) or None,
        help="processes building the rows (default: one per CPU)",
    )
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    setup_django()
    from bench.portfolio import (
        PortfolioSize,
        bench_organization,
        portfolio_generate,
        portfolio_size,
    )

    wanted = PortfolioSize(clients=args.clients, credentials=args.credentials)
    organization, token = bench_organization()
    current = portfolio_size(organization)
    if current == wanted and not args.reset:
        print(
            f"{organization.name}: {current.clients:,} clients and {current.credentials:,} "
            "credentials already generated (BENCH_RESET=1 or --reset to start over)."
        )
        print(f"Token: {token}")
        return 0

    started = time.perf_counter()
    print(
        f"Generating {wanted.clients:,} clients and {wanted.credentials:,} credentials "
        f"for {organization.name}"
        + (f", replacing its {current.clients:,} clients" if current.clients else "")
        + f" (triggers {args.triggers}; load average {_load()}) ..."
    )
    counts = portfolio_generate(
        organization,
        wanted,
        replace=bool(current.clients),
        triggers=args.triggers,
        workers=args.workers,
    )
    print(
        f"Generated {counts['clients']:,} clients, {counts['aliases']:,} aliases, "
        f"{counts['obligations']:,} obligations, {counts['credentials']:,} credentials, "
        f"{counts['credential_report_types']:,} credential report types in "
        f"{time.perf_counter() - started:.1f} s (load average {_load()})."
    )
    print(f"Token: {token}")
    return 0


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


if __name__ == "__main__":
    sys.exit(main())
