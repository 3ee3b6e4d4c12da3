from django.contrib import admin
from django.db import connection
from django.http import JsonResponse
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from django.views.defaults import page_not_found
from drf_spectacular.views import SpectacularAPIView

from config.api_docs import RedocView, SwaggerUIView
from registrations.errors import RouteNotFound


def healthz(request):
    """Liveness and readiness: the app answers and its database does too."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


def api_not_found_response(path: str) -> JsonResponse:
    """A path under the API that no route matches (e.g. `clients/abc` where an id is numeric),
    answered in the shape of its routes' own errors."""
    if path.startswith("/users/"):
        return JsonResponse(RouteNotFound().as_dict(), status=404)
    return JsonResponse({"detail": "Not found."}, status=404)


@csrf_exempt
def api_not_found(request):
    """The last route under /logins/ and /users/: with DEBUG on Django would answer an
    unmatched path with its HTML debug page, whatever handler404 says."""
    return api_not_found_response(request.path)


def not_found(request, exception):
    """404s raised outside the API routes' own views; other paths get Django's page."""
    if request.path.startswith(("/logins/", "/users/")):
        return api_not_found_response(request.path)
    return page_not_found(request, exception)


handler404 = not_found

urlpatterns = [
    path("admin/", admin.site.urls),
    path("logins/", include("reporting.api.urls")),
    path("logins/", include("clients.api.urls")),
    path("logins/", include("credentials.api.urls")),
    path("logins/", include("credentials.calendar.api.urls")),
    path("logins/", include("credentials.api.attention")),
    path("users/", include("registrations.api.urls")),
    # After every API route: what they leave unmatched.
    re_path(r"^(?:logins|users)/", api_not_found),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SwaggerUIView.as_view(url_name="schema"), name="swagger-ui"),
    path("api/redoc/", RedocView.as_view(url_name="schema"), name="redoc"),
    path("healthz", healthz, name="healthz"),
]

admin.site.site_header = "ForSURE logins"
admin.site.site_title = "ForSURE logins"
admin.site.index_title = "Portfolio"
