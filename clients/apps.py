from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate, pre_migrate


class ClientsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "clients"

    def ready(self):
        from django.db import connections

        import clients.search  # noqa: F401  (registers the folded_contains lookup)
        from clients.portfolio_version import sqlite_triggers_drop, sqlite_triggers_install
        from config.sqlite_functions import connection_prepare, indexes_rebuild

        # Client names are unique and searched ignoring case and accents: on SQLite too, every
        # connection folds them as PostgreSQL does (config/sqlite_functions.py).
        connection_created.connect(connection_prepare, dispatch_uid="sqlite_unicode_functions")
        for connection in connections.all(initialized_only=True):
            if connection.connection is not None:
                connection_prepare(sender=type(connection), connection=connection)
        post_migrate.connect(indexes_rebuild, sender=self, dispatch_uid="sqlite_folded_reindex")
        pre_migrate.connect(sqlite_triggers_drop, sender=self)
        post_migrate.connect(sqlite_triggers_install, sender=self)
