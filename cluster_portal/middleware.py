from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


def supported_language(code: str | None) -> str | None:
    code = (code or "").lower()[:2]
    return code if code in dict(settings.LANGUAGES) else None


class PortalLocaleMiddleware(LocaleMiddleware):
    """Russian unless the visitor chose otherwise.

    The choice is the language cookie set by the switcher, then the signed-in
    user's saved language. The browser's Accept-Language is deliberately ignored:
    the portal is Russian by default, English only on request. Must come after
    AuthenticationMiddleware.
    """

    def process_request(self, request):
        language = supported_language(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
        user = getattr(request, "user", None)
        if language is None and user is not None and user.is_authenticated:
            language = supported_language(getattr(user, "language", None))
        language = language or settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
