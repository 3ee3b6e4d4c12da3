from django.urls import re_path
from rest_framework.routers import SimpleRouter

from clients.api.auth_views import AuthTokenView, MeView
from clients.api.views import ClientStatsView, ClientViewSet

app_name = "clients-api"


class OptionalSlashRouter(SimpleRouter):
    """Routes answer with and without a trailing slash (the seed writes them without)."""

    def __init__(self):
        super().__init__()
        # SimpleRouter's argument only switches between "/" and "": set the pattern directly.
        self.trailing_slash = "/?"


router = OptionalSlashRouter()
router.register("clients", ClientViewSet, basename="client")

urlpatterns = [
    re_path(r"^auth/token/?$", AuthTokenView.as_view(), name="auth-token"),
    re_path(r"^me/?$", MeView.as_view(), name="me"),
    re_path(r"^stats/?$", ClientStatsView.as_view(), name="stats"),
    *router.urls,
]
