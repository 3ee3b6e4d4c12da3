"""Generate the benchmark portfolio of the organization "Bench Agency" on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/forsure_bench \\
        python -m bench.generate --clients 100000 --credentials 300000 [--reset]

A portfolio already at the requested size is kept (run again, nothing happens); any other size
is deleted and generated anew. `--reset` always starts over. Prints the bench user's token.
"""

import argparse
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
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    setup_django()
    from bench.portfolio import (
        PortfolioSize,
        bench_organization,
        portfolio_delete,
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
    if current.clients:
        print(f"Deleting {current.clients:,} clients of {organization.name} ...")
        portfolio_delete(organization)
        print(f"  deleted in {time.perf_counter() - started:.1f} s")
    print(
        f"Generating {wanted.clients:,} clients and {wanted.credentials:,} credentials "
        f"for {organization.name} ..."
    )
    generation_started = time.perf_counter()
    portfolio = portfolio_generate(organization, wanted)
    print(
        f"Generated {len(portfolio.clients):,} clients, {len(portfolio.aliases):,} aliases, "
        f"{len(portfolio.obligations):,} obligations, {len(portfolio.credentials):,} "
        f"credentials, {len(portfolio.credential_report_types):,} credential report types in "
        f"{time.perf_counter() - generation_started:.1f} s "
        f"({time.perf_counter() - started:.1f} s with the reset)."
    )
    print(f"Token: {token}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
