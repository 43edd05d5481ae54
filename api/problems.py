"""Errors as RFC 9457 problem details: `application/problem+json` with type, title, status, detail.

Every error the API answers goes through `problem_exception_handler`, including a server error
(logged, with no detail for the caller) and an unknown address under /api/ (`not_found`).
"""

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.response import Response

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
# The portal's own kinds of problem are named by URN (docs/api.md, «Errors»); a plain HTTP error is
# "about:blank", whose title is the status's.
TYPE_BASE = "urn:cluster-portal:problem:"

TITLES = {
    400: _("Bad request"),
    401: _("Not signed in"),
    403: _("Forbidden"),
    404: _("Not found"),
    405: _("Method not allowed"),
    406: _("Not acceptable"),
    415: _("Unsupported media type"),
    429: _("Too many requests"),
    500: _("Server error"),
}


def problem(status_code: int, detail: str = "", *, kind: str = "", headers=None, **extra) -> Response:
    body = {
        "type": TYPE_BASE + kind if kind else "about:blank",
        "title": str(TITLES.get(status_code, _("Error"))),
        "status": status_code,
        "detail": detail or str(TITLES.get(status_code, "")),
        **extra,
    }
    return Response(body, status=status_code, headers=headers, content_type=PROBLEM_CONTENT_TYPE)


class InvalidParameter(exceptions.ValidationError):
    """A query parameter the API cannot read (a damaged cursor, a page size out of range)."""

    def __init__(self, name: str, message: str):
        super().__init__({name: [message]})


class MissingScope(exceptions.PermissionDenied):
    kind = "missing-scope"


def problem_exception_handler(exc, context):
    from rest_framework.views import set_rollback  # not at import: DRF's settings import this module

    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    if not isinstance(exc, exceptions.APIException):
        logger.exception("API server error", exc_info=exc)
        set_rollback()
        return problem(500, gettext("The server could not answer; the error is logged."), kind="server-error")
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    set_rollback()
    if isinstance(exc, exceptions.ValidationError):
        errors = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        return problem(
            exc.status_code,
            gettext("Some parameters are invalid."),
            kind="invalid-parameters",
            headers=headers,
            errors={name: _messages(messages) for name, messages in errors.items()},
        )
    return problem(exc.status_code, str(exc.detail), kind=getattr(exc, "kind", ""), headers=headers)


def _messages(messages) -> list[str]:
    return [str(m) for m in messages] if isinstance(messages, list) else [str(messages)]
