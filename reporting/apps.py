from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate


class ReportingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reporting"

    def ready(self):
        from reporting.catalog_version import sqlite_triggers_drop, sqlite_triggers_install

        pre_migrate.connect(sqlite_triggers_drop, sender=self)
        post_migrate.connect(sqlite_triggers_install, sender=self)
