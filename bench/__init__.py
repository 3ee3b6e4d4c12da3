"""Benchmarks: a generated portfolio on PostgreSQL, an in-process harness and a load run."""

import os


def setup_django() -> None:
    """Configure Django for a command-line entry point of bench/ (idempotent)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
