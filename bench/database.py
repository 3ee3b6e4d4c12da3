"""Create the benchmark database named by DATABASE_URL if it does not exist yet.

DATABASE_URL=postgres://postgres@127.0.0.1:5432/forsure_bench python -m bench.database
"""

import os
import sys

import psycopg
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict


def database_ensure(url: str) -> bool:
    """Create the database of the PostgreSQL `url`; True if it was created, False if it existed."""
    params = conninfo_to_dict(url.replace("postgresql://", "postgres://", 1))
    name = params.pop("dbname", None)
    if not name:
        raise SystemExit(f"DATABASE_URL names no database: {url}")
    try:
        server = psycopg.connect(**params, dbname="postgres", autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        raise SystemExit(f"PostgreSQL is not reachable for the bench database: {error}") from None
    with server:
        exists = server.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            return False
        server.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return True


def main() -> int:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise SystemExit("The bench runs on PostgreSQL: set DATABASE_URL=postgres://...")
    created = database_ensure(url)
    name = conninfo_to_dict(url)["dbname"]
    print(f"Database {name} {'created' if created else 'exists'}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
