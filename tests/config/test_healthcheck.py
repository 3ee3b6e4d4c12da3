import socket

import pytest

from config.healthcheck import check, host_header


@pytest.mark.parametrize(
    ("allowed_hosts", "host"),
    [
        ("logins.example.com,127.0.0.1", "logins.example.com"),
        (" *, api.example.com", "api.example.com"),
        (".example.com", "health.example.com"),
        ("*", "localhost"),
        ("", "localhost"),
    ],
)
def test_health_check_sends_a_host_that_allowed_hosts_accepts(allowed_hosts, host):
    assert host_header(allowed_hosts) == host


def test_health_check_passes_when_healthz_answers_200(live_server, settings):
    settings.ALLOWED_HOSTS = ["logins.example.com"]
    port = live_server.url.rsplit(":", 1)[1]

    assert check("/healthz", environ={"PORT": port, "ALLOWED_HOSTS": "logins.example.com"})


def test_health_check_fails_when_the_answer_is_not_200(live_server):
    port = live_server.url.rsplit(":", 1)[1]

    assert not check("/no-such-page", environ={"PORT": port, "ALLOWED_HOSTS": "localhost"})


def test_health_check_fails_when_nothing_listens():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    assert not check("/healthz", environ={"PORT": str(port)}, timeout=1)
