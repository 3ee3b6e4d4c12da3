import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def load_settings(**env):
    environment = {
        k: v
        for k, v in os.environ.items()
        if k not in {"SECRET_KEY", "FIELD_ENCRYPTION_KEY", "DEBUG"}
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "-c", "import config.settings"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"FIELD_ENCRYPTION_KEY": "5m8E3SFQfYHDCTCfVTy6Vl4iyMWhPSQZa4ZG0uhBZzA="}, "SECRET_KEY"),
        ({"SECRET_KEY": "x" * 50}, "FIELD_ENCRYPTION_KEY"),
    ],
)
def test_production_refuses_to_start_without_its_secrets(env, missing):
    result = load_settings(DEBUG="0", **env)

    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


def test_production_starts_with_its_secrets():
    result = load_settings(
        DEBUG="0",
        SECRET_KEY="x" * 50,
        FIELD_ENCRYPTION_KEY="5m8E3SFQfYHDCTCfVTy6Vl4iyMWhPSQZa4ZG0uhBZzA=",
    )

    assert result.returncode == 0, result.stderr


def test_encryption_keys_are_a_list_newest_first(settings):
    assert isinstance(settings.FIELD_ENCRYPTION_KEY, list)
    assert settings.FIELD_ENCRYPTION_KEY[0] == "5m8E3SFQfYHDCTCfVTy6Vl4iyMWhPSQZa4ZG0uhBZzA="


@pytest.mark.parametrize(
    ("value", "rate"),
    [(None, "600/min"), ("5/s", "5/s"), ("", None)],
)
def test_a_throttle_rate_comes_from_the_environment_and_empty_means_no_limit(
    monkeypatch, value, rate
):
    from config.settings import env_rate

    if value is None:
        monkeypatch.delenv("THROTTLE_RATE_USER", raising=False)
    else:
        monkeypatch.setenv("THROTTLE_RATE_USER", value)

    assert env_rate("THROTTLE_RATE_USER", "600/min") == rate
