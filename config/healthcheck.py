"""The container's health check: GET /healthz on the local gunicorn, exit 0 when it answers 200.

    python -m config.healthcheck [/healthz]

Django answers 400 to a Host it does not know, so the request names a host from ALLOWED_HOSTS
rather than 127.0.0.1, which production settings need not allow. Standard library only: it
runs every few seconds and must not load Django.
"""

import http.client
import os
import sys

DEFAULT_PATH = "/healthz"


def host_header(allowed_hosts: str) -> str:
    """A concrete host name that ALLOWED_HOSTS (comma-separated, as in settings) accepts."""
    for entry in (item.strip() for item in allowed_hosts.split(",")):
        if not entry or entry == "*":
            continue
        name = entry.lstrip(".")
        return f"health.{name}" if entry.startswith(".") else name
    return "localhost"


def check(path: str = DEFAULT_PATH, environ=os.environ, timeout: float = 4.0) -> bool:
    connection = http.client.HTTPConnection(
        "127.0.0.1", int(environ.get("PORT", "8000")), timeout=timeout
    )
    try:
        connection.request(
            "GET", path, headers={"Host": host_header(environ.get("ALLOWED_HOSTS", ""))}
        )
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


if __name__ == "__main__":
    sys.exit(0 if check(*sys.argv[1:2]) else 1)
