"""The load run's URLconf: the product's routes plus `GET /bench/baseline`, a DRF view that
touches no database, for comparing a route's requests per second with what the same server,
middleware and DRF manage with no work of the route's own. It is not part of the product's
URLconf (config/urls.py); bench/settings.py selects it for the load run only.
"""

from django.urls import path
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config.urls import handler404
from config.urls import urlpatterns as product_urlpatterns

BASELINE_PATH = "/bench/baseline"


class BaselineView(APIView):
    """A constant JSON answer through the middleware and DRF's request handling and content
    negotiation, with no authentication, permission check or throttle: no query at all."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    def get(self, request):
        return Response({"status": "ok"})


urlpatterns = [
    *product_urlpatterns,
    path(BASELINE_PATH.lstrip("/"), BaselineView.as_view(), name="bench-baseline"),
]

__all__ = ["handler404", "urlpatterns"]
