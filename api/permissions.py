"""What a caller may reach: the token's scope AND the user's own rights (core.permissions).

Each view names the scope it needs (`required_scope`) and, where it has one, the question the
user must answer yes to (`may`). A token never grants more than its user has: it only narrows.
The browser's session carries every scope.
"""

from django.utils.translation import gettext
from rest_framework import exceptions, permissions

from .models import AccessToken, Scope
from .problems import MissingScope


class TokenScope(permissions.BasePermission):
    def has_permission(self, request, view) -> bool:
        scope = getattr(view, "required_scope", Scope.READ)
        if isinstance(request.auth, AccessToken) and scope not in request.auth.scope_set:
            # Translators: the scope is a word of the API: read, own or review.
            raise MissingScope(gettext("The token does not carry the «%(scope)s» scope.") % {"scope": scope})
        may = getattr(view, "may", None)
        if may is None:
            return True
        if not request.user.is_authenticated:
            raise exceptions.NotAuthenticated()
        return may(request.user)
