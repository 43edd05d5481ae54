"""What the browser journeys share: a session cookie instead of the sign-in form (which has
its own tests), and the language cookie."""

from django.conf import settings
from django.test import Client

from accounts.models import User


def use(page, live_server, who=None, language=None):
    """Set the browser's cookies: a session of `who` (a user or an e-mail; None: a visitor) and
    the interface language (None: the browser's own)."""
    cookies = []
    if language:
        cookies.append({"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url})
    if who:
        client = Client()
        client.force_login(who if isinstance(who, User) else User.objects.get(email=who))
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        cookies.append({"name": settings.SESSION_COOKIE_NAME, "value": session, "url": live_server.url})
    page.context.clear_cookies()
    page.context.add_cookies(cookies)
