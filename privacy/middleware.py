"""After a withdrawal of consent the portal stops processing the person's data (152-FZ, art. 9).

Until consent is given again or the account is deleted, a signed-in person who withdrew consent
reaches only the personal-data pages, the privacy policy and the sign-out; every other page sends
them to the consent page. The mark is in the session (no query per request): the withdrawal sets
it in the session that made it and ends the others, and signing in sets it again
(`privacy.apps`), so every session of the person carries it.
"""

from django.shortcuts import redirect
from django.urls import reverse

SESSION_KEY = "privacy_consent_withdrawn"


def _open_paths() -> tuple[str, ...]:
    return (
        reverse("privacy:overview"),
        reverse("accounts:privacy"),
        reverse("account_logout"),
        reverse("set_language"),
        reverse("healthz"),
        "/static/",
    )


class ConsentWithdrawnMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.open_paths = None

    def __call__(self, request):
        if request.session.get(SESSION_KEY):
            if self.open_paths is None:
                self.open_paths = _open_paths()
            if not request.path.startswith(self.open_paths):
                return redirect("privacy:consent")
        return self.get_response(request)
