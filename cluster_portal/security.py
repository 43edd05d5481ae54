"""HTTP-level protections that are not Django's own (docs/security.md).

- `BodySizeLimitMiddleware`: a request whose declared body is larger than `REQUEST_BODY_MAX_SIZE`
  is answered 413 before a byte of it is read; `BodySizeLimitUploadHandler` stops a body that
  arrives without a length (chunked, or through a server that does not pass the length on) once
  the cap is passed, and the middleware turns that into a 413 too.
- `PrivateCacheMiddleware`: a page answered to a signed-in user is `Cache-Control: private,
  no-store` and `Vary: Cookie`, so neither a shared cache nor the browser's back button keeps it;
  anonymous pages keep whatever caching they have (a cache in front may keep them whole).
- `csp_report`: the endpoint browsers post Content-Security-Policy violations to; it logs a
  short line per report, at most `CSP_REPORT_LOG_PER_MINUTE` lines a minute per process.
"""

import json
import logging
import threading
import time

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadhandler import FileUploadHandler
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

logger = logging.getLogger("cluster_portal.security")
csp_logger = logging.getLogger("cluster_portal.csp")

TOO_LARGE_TEXT = "Request body too large.\n"


def body_limit(path: str = "") -> int:
    """The cap of a request body: REQUEST_BODY_MAX_SIZE, or a larger one for a few paths (imports)."""
    for prefix, limit in settings.REQUEST_BODY_MAX_SIZE_BY_PREFIX.items():
        if path.startswith(prefix):
            return limit
    return settings.REQUEST_BODY_MAX_SIZE


def too_large(request: HttpRequest, size) -> HttpResponse:
    logger.warning("refused a %s-byte body to %s (limit %s)", size, request.path, body_limit(request.path))
    # No `Connection: close` here: a WSGI application may not send hop-by-hop headers; the server
    # closes a connection whose body was not read (and nginx refuses such a body first).
    return HttpResponse(TOO_LARGE_TEXT, status=413, content_type="text/plain; charset=utf-8")


class BodySizeLimitMiddleware:
    """413 for a body declared larger than the cap, before anything reads it (must come before CSRF)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        declared = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(declared)
        except ValueError:
            return HttpResponse("Bad Content-Length.\n", status=400, content_type="text/plain; charset=utf-8")
        if length > body_limit(request.path):
            return too_large(request, length)
        response = self.get_response(request)
        if getattr(request, "body_too_large", False):
            return too_large(request, "more than the limit")
        return response


class BodySizeLimitUploadHandler(FileUploadHandler):
    """First of FILE_UPLOAD_HANDLERS: counts every byte of a multipart body and stops past the cap."""

    def __init__(self, request=None):
        super().__init__(request)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > body_limit(self.request.path if self.request is not None else ""):
            if self.request is not None:
                self.request.body_too_large = True
            raise RequestDataTooBig("The request body is larger than REQUEST_BODY_MAX_SIZE.")
        return raw_data

    def file_complete(self, file_size):
        return None


def _signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


class PrivateCacheMiddleware:
    """Signed-in pages: `Cache-Control: private, no-store` and `Vary: Cookie`; anonymous ones untouched."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Asked before the view too: a view may replace request.user (DRF's does, as anonymous, on a
        # view without authentication), and a sign-out leaves a page that was still personal.
        signed_in = _signed_in(request)
        response = self.get_response(request)
        if signed_in or _signed_in(request):
            response["Cache-Control"] = "private, no-store"
            vary = [v.strip() for v in response.get("Vary", "").split(",") if v.strip()]
            if "cookie" not in {v.lower() for v in vary}:
                response["Vary"] = ", ".join([*vary, "Cookie"])
        return response


class _RateLimitedLog:
    """At most `per_minute` log lines a minute in this process; the rest are counted, then summed up."""

    def __init__(self):
        self.lock = threading.Lock()
        self.window = 0
        self.count = 0
        self.dropped = 0

    def allow(self, per_minute: int) -> tuple[bool, int]:
        with self.lock:
            window = int(time.monotonic() // 60)
            dropped = 0
            if window != self.window:
                self.window, self.count, dropped, self.dropped = window, 0, self.dropped, 0
            self.count += 1
            if self.count > per_minute:
                self.dropped += 1
                return False, dropped
            return True, dropped


_csp_log = _RateLimitedLog()
CSP_REPORT_FIELDS = ("document-uri", "violated-directive", "effective-directive", "blocked-uri", "source-file")


def _report_fields(payload) -> dict:
    """The few fields worth logging, from either format (report-uri's object or report-to's list)."""
    if isinstance(payload, list) and payload and isinstance(payload[0], dict):
        payload = {"csp-report": payload[0].get("body", {})}
    report = payload.get("csp-report", payload) if isinstance(payload, dict) else {}
    if not isinstance(report, dict):
        return {}
    aliases = {"documentURL": "document-uri", "effectiveDirective": "effective-directive", "blockedURL": "blocked-uri"}
    report = {aliases.get(key, key): value for key, value in report.items()}
    return {key: str(report[key])[:300] for key in CSP_REPORT_FIELDS if key in report}


@csrf_exempt
@require_POST
def csp_report(request: HttpRequest) -> HttpResponse:
    """Log a Content-Security-Policy violation report; always 204 (the browser does not care)."""
    if int(request.META.get("CONTENT_LENGTH") or 0) > settings.CSP_REPORT_MAX_SIZE:
        return HttpResponse(status=413)
    try:
        fields = _report_fields(json.loads(request.body))
    except (ValueError, UnicodeDecodeError):
        return HttpResponse(status=400)
    allowed, dropped = _csp_log.allow(settings.CSP_REPORT_LOG_PER_MINUTE)
    if dropped:
        csp_logger.warning("CSP: %s more reports were not logged in the last minute", dropped)
    if allowed:
        csp_logger.warning("CSP violation: %s", json.dumps(fields, ensure_ascii=False, sort_keys=True))
    return HttpResponse(status=204)
