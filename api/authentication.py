"""Personal access tokens: `Authorization: Bearer cpt_…` (docs/api.md)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from .services import token_authenticate


class AccessTokenAuthentication(authentication.BaseAuthentication):
    """The token's user, with the token as `request.auth`; 401 for an unknown, expired or revoked one.

    Without an Authorization header the next class (the browser's session) is asked.
    """

    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1", "replace").split()
        if not header or header[0].lower() != self.keyword.lower():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("The Authorization header must be «Bearer <token>»."))
        token = token_authenticate(header[1])
        if token is None:
            raise exceptions.AuthenticationFailed(_("The token is unknown, expired or revoked."))
        return token.user, token

    def authenticate_header(self, request):
        return f'{self.keyword} realm="api"'
