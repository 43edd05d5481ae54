"""How drf-spectacular describes the API: the token scheme, the paths, the problem responses."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension

PROBLEM_STATUSES = {
    "400": _("Invalid parameters (a damaged cursor, a page size out of range)."),
    "401": _("Not signed in, or the token is unknown, expired or revoked."),
    "403": _("The token lacks the scope, or the user lacks the right."),
    "404": _("Not found, or not visible to the caller."),
    "406": _("The Accept header asks for something other than JSON."),
    "429": _("Too many requests: wait for the seconds of Retry-After."),
}


# Paths that answer only a signed-in caller (a session or a token); the others answer anyone.
SIGNED_IN_ONLY = ("/api/v1/me/", "/api/v1/review/", "/api/v1/organisations/")


class AccessTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.AccessTokenAuthentication"
    name = "accessToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": str(_("A personal access token from the cabinet (/cabinet/tokens/).")),
        }


def only_versioned_paths(endpoints):
    """The schema describes /api/v1/ only (not the schema itself, nor the catch-all 404)."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/v1/")]


def add_problem_responses(result, generator, request, public):
    """Every operation may answer the errors above as problem details, and 304 to If-None-Match."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components["Problem"] = {
        "type": "object",
        "description": "RFC 9457",
        "properties": {
            "type": {"type": "string"},
            "title": {"type": "string"},
            "status": {"type": "integer"},
            "detail": {"type": "string"},
            "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        },
        "required": ["type", "title", "status", "detail"],
    }
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    for path, path_item in result.get("paths", {}).items():
        for operation in path_item.values():
            if not path.startswith(SIGNED_IN_ONLY):
                operation["security"] = [*operation.get("security", []), {}]  # anonymous callers too
            operation["parameters"] = [*operation.get("parameters", []), _if_none_match()]
            responses = operation.setdefault("responses", {})
            for status, description in PROBLEM_STATUSES.items():
                responses.setdefault(status, {"description": str(description), "content": problem})
            responses["200"].setdefault("headers", {})["ETag"] = {
                "schema": {"type": "string"},
                "description": str(_("A hash of the body: send it back in If-None-Match.")),
            }
            responses["304"] = {"description": str(_("Not modified since the ETag sent in If-None-Match."))}
    return result


def _if_none_match():
    return {
        "in": "header",
        "name": "If-None-Match",
        "schema": {"type": "string"},
        "description": str(_("The ETag of a previous answer: 304 when nothing changed.")),
    }
