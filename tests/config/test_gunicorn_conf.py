import os
import runpy
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "config" / "gunicorn.conf.py"


def load(monkeypatch, **env) -> dict:
    for name in ("PORT", "WEB_CONCURRENCY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONFIG))


def test_gunicorn_binds_all_interfaces_on_port_from_the_environment(monkeypatch):
    assert load(monkeypatch, PORT="9123")["bind"] == ["0.0.0.0:9123"]


def test_gunicorn_defaults_to_port_8000(monkeypatch):
    assert load(monkeypatch)["bind"] == ["0.0.0.0:8000"]


def test_gunicorn_workers_come_from_web_concurrency(monkeypatch):
    assert load(monkeypatch, WEB_CONCURRENCY="3")["workers"] == 3


def test_gunicorn_logs_requests_to_stdout(monkeypatch):
    config = load(monkeypatch)

    assert config["accesslog"] == "-"
    assert config["errorlog"] == "-"


def test_gunicorn_accepts_the_config_and_loads_the_app_with_production_settings(tmp_path):
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
        "DEBUG": "0",
        "SECRET_KEY": "gunicorn-test-secret",
        "FIELD_ENCRYPTION_KEY": "5m8E3SFQfYHDCTCfVTy6Vl4iyMWhPSQZa4ZG0uhBZzA=",
    }

    result = subprocess.run(
        [sys.executable, "-m", "gunicorn", "--check-config", "--config", str(CONFIG)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_gunicorn_replaces_workers_rarely_and_at_spread_out_times(monkeypatch):
    for name in ("GUNICORN_MAX_REQUESTS", "GUNICORN_MAX_REQUESTS_JITTER"):
        monkeypatch.delenv(name, raising=False)

    config = load(monkeypatch)

    assert (config["max_requests"], config["max_requests_jitter"]) == (50_000, 5_000)


def test_gunicorn_worker_replacement_can_be_turned_off(monkeypatch):
    assert load(monkeypatch, GUNICORN_MAX_REQUESTS="0")["max_requests"] == 0
