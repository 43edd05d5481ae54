"""The OpenAPI schema (/api/schema/) and its browsable documentation (/api/docs/).

The documentation page is the portal's own template: Swagger UI from drf-spectacular-sidecar's
static files (no CDN) started by `static/js/api-docs.js`, with no inline script or style.
The schema's texts follow the caller's language (`Accept-Language`, or `?lang=en`).
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from drf_spectacular.views import SpectacularAPIView
from rest_framework.permissions import AllowAny

from .base import requested_language


class SchemaView(SpectacularAPIView):
    """The schema for anyone (it holds no data), in the caller's language."""

    permission_classes = [AllowAny]
    authentication_classes = []

    def get(self, request, *args, **kwargs):
        language = request.GET.get("lang") or requested_language(request) or translation.get_language()
        with translation.override(language if language in ("ru", "en") else "ru"):
            return super().get(request, *args, **kwargs)


def docs_page(request: HttpRequest) -> HttpResponse:
    language = (translation.get_language() or "ru")[:2]
    schema_url = reverse("api:schema") + f"?format=json&lang={language}"
    return render(request, "api/docs.html", {"schema_url": schema_url})
