"""What every API view shares: the caller's language, ETags, list pages and their schema.

- `Accept-Language: en` (or `ru`) picks the language of the localized fields and messages; without
  it the portal's own choice applies (cookie, then the user's saved language, then Russian).
- Every successful read carries an `ETag` (a hash of the body); `If-None-Match` with it answers
  304 with no body, so a poller pays for a response only when something changed.
"""

import hashlib
from urllib.parse import urlencode

from django.http import HttpResponseNotModified
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation.trans_real import parse_accept_lang_header
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.response import Response
from rest_framework.views import APIView

from core.filters import IdFilter

from .pagination import DEFAULT_LIMIT, MAX_LIMIT, ApiPage

SUPPORTED = ("ru", "en")


def requested_language(request) -> str | None:
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    try:
        choices = parse_accept_lang_header(header[:255]) if header else ()
    except ValueError:
        return None
    for code, _quality in choices:
        code = code.lower().split("-")[0]
        if code in SUPPORTED:
            return code
    return None


def use_requested_language(request) -> None:
    """Answer in the language of Accept-Language when it names one of ours (the portal's choice otherwise)."""
    language = requested_language(request)
    if language:
        translation.activate(language)
        request.LANGUAGE_CODE = language


def etag_of(content: bytes) -> str:
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def _matches(header: str, etag: str) -> bool:
    candidates = [tag.strip().removeprefix("W/") for tag in header.split(",")]
    return "*" in candidates or etag in candidates


class ApiView(APIView):
    """A read-only endpoint of /api/v1/ (GET and HEAD)."""

    http_method_names = ["get", "head", "options"]

    def initial(self, request, *args, **kwargs):
        use_requested_language(request)
        super().initial(request, *args, **kwargs)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_vary_headers(response, ("Accept-Language", "Authorization", "Cookie"))
        response["Content-Language"] = translation.get_language()
        if request.method not in ("GET", "HEAD") or response.status_code != 200:
            return response
        response.render()
        etag = etag_of(response.content)
        response["ETag"] = etag
        response["Cache-Control"] = "private, no-cache"
        if _matches(request.META.get("HTTP_IF_NONE_MATCH", ""), etag):
            not_modified = HttpResponseNotModified()
            for header in ("ETag", "Cache-Control", "Vary", "Content-Language"):
                not_modified[header] = response[header]
            return not_modified
        return response

    def page_response(self, request, page: ApiPage, serializer_class, **extra) -> Response:
        data = serializer_class(page.items, many=True, context={"request": request}).data
        next_url = None
        if page.next_cursor:
            query = {k: v for k, v in request.query_params.items() if k != "cursor"}
            next_url = request.build_absolute_uri(request.path) + "?" + urlencode({**query, "cursor": page.next_cursor})
        return Response({"results": data, "next": next_url, **extra})


PAGE_PARAMETERS = [
    OpenApiParameter(
        "cursor",
        OpenApiTypes.STR,
        description=_("The opaque cursor of the «next» link; a damaged one is answered 400."),
    ),
    OpenApiParameter(
        "limit",
        OpenApiTypes.INT,
        description=format_lazy(_("Rows per page, 1–{max} (default {default})."), max=MAX_LIMIT, default=DEFAULT_LIMIT),
    ),
]


def filter_parameters(filterset_class) -> list[OpenApiParameter]:
    """The query parameters of a page's FilterSet, as the schema names them (the same as the page's)."""
    parameters = []
    for name, filter_ in filterset_class.base_filters.items():
        choices = filter_.extra.get("choices")
        parameters.append(
            OpenApiParameter(
                name,
                OpenApiTypes.INT if isinstance(filter_, IdFilter) else OpenApiTypes.STR,
                enum=[value for value, _label in choices] if isinstance(choices, list | tuple) else None,
                description=filter_.label or "",
            )
        )
    return parameters
