"""Swagger UI and ReDoc, served from the project's own static files (drf-spectacular-sidecar).

Their pages also carry a Content-Security-Policy that allows this host only, so a browser never
fetches anything from elsewhere for them (ReDoc, for one, would load its logo from a CDN).
"""

from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

DOCS_CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        # Both UIs style their components inline.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        # ReDoc runs its search index in a worker built from a blob.
        "worker-src 'self' blob:",
        "frame-ancestors 'none'",
    ]
)


class SelfContainedDocsMixin:
    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Security-Policy"] = DOCS_CONTENT_SECURITY_POLICY
        return response


class SwaggerUIView(SelfContainedDocsMixin, SpectacularSwaggerSplitView):
    """Swagger UI; its settings come as a script of their own (the split view), so the page
    runs no inline script."""


class RedocView(SelfContainedDocsMixin, SpectacularRedocView):
    template_name = "api_docs/redoc.html"
