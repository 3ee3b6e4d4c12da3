from django.apps import AppConfig


class RegistrationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "registrations"
    # The client's producers and registrations, on the client admin's page.
    client_admin_extension = "registrations.admin.ClientRegistrationsAdminMixin"
