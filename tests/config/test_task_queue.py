"""The task queue's app and the deployment in docker-compose.yml, read without a Docker engine
or a broker."""

import os
import subprocess
import sys
from pathlib import Path

import yaml
from celery.app.utils import find_app
from django.conf import settings

import config
from config.celery import app

ROOT = Path(__file__).resolve().parents[2]
APP_SERVICES = ("migrate", "app", "worker", "beat")


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def command_of(service: dict) -> str:
    command = service["command"]
    return command if isinstance(command, str) else " ".join(command)


def test_celery_dash_a_config_finds_the_app_with_the_import_job_and_reminder_tasks():
    import credentials.tasks  # noqa: F401  (the worker imports it by autodiscovery)

    assert find_app("config") is app is config.celery_app
    assert {
        "credentials.tasks.client_import_job_run",
        "credentials.tasks.deadline_reminders",
    } <= set(app.tasks)


def test_without_a_broker_tasks_run_in_the_process_that_queues_them():
    assert settings.CELERY_BROKER_URL == "memory://"
    assert app.conf.task_always_eager is True


def test_a_job_whose_worker_dies_is_delivered_again():
    task = app.tasks["credentials.tasks.client_import_job_run"]

    assert (task.acks_late, task.reject_on_worker_lost) == (True, True)
    assert app.conf.worker_prefetch_multiplier == 1


def test_the_celery_command_loads_the_app_of_the_config_package():
    environment = {**os.environ, "DEBUG": "1"}
    environment.pop("CELERY_BROKER_URL", None)

    report = subprocess.run(
        [Path(sys.executable).with_name("celery"), "-A", "config", "report"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert report.returncode == 0, report.stderr
    assert "software -> celery:" in report.stdout


def test_compose_runs_app_worker_postgresql_and_redis():
    services = compose()["services"]

    assert {"app", "worker", "beat", "db", "redis", "migrate"} <= set(services)
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")


def test_the_app_and_the_worker_run_the_same_image_with_their_own_commands():
    services = compose()["services"]

    assert {services[name]["image"] for name in APP_SERVICES} == {"forsure-logins"}
    assert all(services[name]["build"] == "." for name in APP_SERVICES)
    assert "gunicorn --config config/gunicorn.conf.py config.wsgi:application" in command_of(
        services["app"]
    )
    assert "celery -A config worker" in command_of(services["worker"])
    assert "celery -A config beat" in command_of(services["beat"])


def test_every_app_service_has_the_broker_and_the_database_of_the_compose_file():
    services = compose()["services"]

    for name in APP_SERVICES:
        environment = services[name]["environment"]
        assert environment["CELERY_BROKER_URL"].startswith("redis://redis:")
        assert "@db:5432/" in environment["DATABASE_URL"]


def test_services_depend_only_on_services_of_the_file():
    services = compose()["services"]

    for service in services.values():
        assert set(service.get("depends_on", {})) <= set(services)


def test_the_app_starts_after_the_migrations_and_the_generated_keys():
    services = compose()["services"]

    assert services["app"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )
    assert services["migrate"]["depends_on"]["keys"]["condition"] == (
        "service_completed_successfully"
    )
    assert ". /keys/env" in command_of(services["app"])
