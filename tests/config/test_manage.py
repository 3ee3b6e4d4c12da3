"""manage.py in a source checkout: development by default, a clear refusal in production."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECRETS = {"DEBUG", "SECRET_KEY", "FIELD_ENCRYPTION_KEY"}


def manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if k not in SECRETS}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def test_manage_py_runs_in_development_when_nothing_is_set():
    result = manage("check")

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_manage_py_with_debug_off_and_no_secrets_says_why_in_one_line():
    result = manage("check", DEBUG="0")

    assert result.returncode == 1
    assert result.stderr.strip() == "manage.py: SECRET_KEY must be set when DEBUG is off."
