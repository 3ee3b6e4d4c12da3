from django.contrib import admin
from django.db import connection
from django.http import JsonResponse
from django.urls import include, path
from django.views.defaults import page_not_found
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView


def healthz(request):
    """Liveness and readiness: the app answers and its database does too."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


API_PREFIXES = ("/logins/", "/users/")


def not_found(request, exception):
    """A path under the API that no route matches (e.g. `clients/abc` where an id is numeric)
    answers in JSON like the API's own 404s; other paths get Django's page."""
    if request.path.startswith(API_PREFIXES):
        return JsonResponse({"detail": "Not found."}, status=404)
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
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-ui"),
    path("healthz", healthz, name="healthz"),
]

admin.site.site_header = "ForSURE logins"
admin.site.site_title = "ForSURE logins"
admin.site.index_title = "Portfolio"
