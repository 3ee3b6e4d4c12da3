"""The production image's essentials, read from the Dockerfile (no Docker engine needed)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    logical, current = [], ""
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        logical.append(current + stripped)
        current = ""
    return [tuple(entry.split(None, 1)) for entry in logical]


def arguments_of(name: str) -> list[str]:
    return [arguments for instruction, arguments in instructions() if instruction == name]


def test_image_is_built_on_python_3_11_slim():
    assert arguments_of("FROM") == ["python:3.11-slim"]


def test_image_runs_as_a_non_root_user_from_before_its_command():
    names = [instruction for instruction, _ in instructions()]
    users = arguments_of("USER")

    assert users
    assert users[-1] not in {"root", "0"}
    assert names.index("USER") < names.index("CMD")


def test_image_installs_runtime_requirements_only():
    runs = " ".join(arguments_of("RUN"))

    assert "pip install -r requirements.txt" in runs
    assert "requirements-dev.txt" not in runs


def test_static_files_are_collected_at_build_with_throwaway_secrets():
    collect = [run for run in arguments_of("RUN") if "collectstatic" in run]

    assert len(collect) == 1
    assert "SECRET_KEY=" in collect[0]
    assert "FIELD_ENCRYPTION_KEY=" in collect[0]
    assert "DEBUG=0" in collect[0]


def test_no_secret_is_baked_into_the_image_environment():
    environment = " ".join(arguments_of("ENV") + arguments_of("ARG"))

    assert "SECRET_KEY" not in environment
    assert "FIELD_ENCRYPTION_KEY" not in environment


def test_image_runs_with_debug_off_for_every_command():
    environment = " ".join(arguments_of("ENV")).split()

    assert "DEBUG=0" in environment


def test_image_serves_with_gunicorn_and_the_project_config():
    (command,) = arguments_of("CMD")
    argv = json.loads(command)

    assert argv[0] == "gunicorn"
    config = argv[argv.index("--config") + 1]
    assert (ROOT / config).is_file()


def test_health_check_asks_healthz():
    (healthcheck,) = arguments_of("HEALTHCHECK")

    assert "config.healthcheck" in healthcheck
    assert "/healthz" in healthcheck


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_image():
    ignored = (ROOT / ".dockerignore").read_text().split()

    for path in (".venv", ".git", "db.sqlite3", ".dev-secret-key", ".dev-field-encryption-key"):
        assert path in ignored


def test_collectstatic_with_debug_off_writes_the_manifest_whitenoise_serves(tmp_path):
    environment = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "collectstatic-test-secret",
        "FIELD_ENCRYPTION_KEY": "5m8E3SFQfYHDCTCfVTy6Vl4iyMWhPSQZa4ZG0uhBZzA=",
        "STATIC_ROOT": str(tmp_path),
    }

    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "staticfiles.json").is_file()
    assert list((tmp_path / "admin" / "css").glob("base.*.css.gz"))
