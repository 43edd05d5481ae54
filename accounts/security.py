"""Staff sign-in: two-factor before the portal opens, and staff sessions that end (docs/security.md).

One rule in one place, `StaffSecurityMiddleware`, for everyone with a staff role
(`core.permissions.needs_second_factor`: administrators, Django staff, cluster staff, coordinators):

1. **Two-factor.** Until the session has passed the second factor (a TOTP code or a recovery code,
   allauth.mfa), such a user can open only the sign-in and account pages (`OPEN_PREFIXES`): every
   other page — the admin, the review queue, the dashboard, the history, the outbox, project
   management, and the cabinet and lists too, since staff see more there — sends them to the
   two-factor step (`mfa_reauthenticate`) when they have an authenticator, or to its set-up
   (`mfa_activate_totp`) with a message when they have none; `/api/` answers 403 in JSON. The list
   is what stays open, so a page added later is covered without being named here. The role is
   looked up when signing in, and again on every `STAFF_PREFIXES` page for a user who had none
   then (a role granted mid-session).
   API tokens are a separate credential and never meet this rule; a session calling the API does.
2. **Timeouts.** A staff session ends after `STAFF_SESSION_IDLE_TIMEOUT` without a request and
   `STAFF_SESSION_MAX_AGE` after signing in: the user is signed out and sent to sign in again.

A session is marked as having passed the second factor when allauth records an "mfa"
authentication step (sign-in, the two-factor step) or when the user activates TOTP (they have just
entered a code). Staff cannot remove their TOTP (`PortalMFAAdapter`). Disabling a user
(`is_active=False`) ends their sessions at the next request: the authentication backend's
`get_user` refuses inactive users (tests/test_security_auth.py).
"""

import time

from allauth.account import app_settings as account_settings
from allauth.account.signals import authentication_step_completed
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import authenticator_added, authenticator_removed
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.contrib.auth.signals import user_logged_in
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _

from core import permissions

MFA_VERIFIED = "portal_mfa_user"  # the id of the user whose second factor this session passed
STAFF_ROLE = "portal_staff_role"  # whether the signed-in user has a staff role (looked up once)
SIGNED_IN_AT = "portal_signed_in_at"
LAST_SEEN = "portal_last_seen"
MFA_NEXT = "portal_mfa_next"  # where to go once two-factor is set up
LAST_SEEN_RESOLUTION = 60  # seconds: the session is written at most once a minute for the idle clock

# Open to a staff user before the second factor: signing in and out, the two-factor pages, the
# account's own pages, and what every page needs (static files, language, health, CSP reports).
OPEN_PREFIXES = ("/accounts/", "/static/", "/i18n/", "/healthz", "/favicon.ico", "/privacy/", "/csp-report")
# Staff pages, where the role is looked up on every request rather than once per session.
STAFF_PREFIXES = ("/admin/", "/review/", "/dashboard/", "/history/", "/cabinet/notifications/outbox/", "/api/")


def is_mfa_verified(request: HttpRequest) -> bool:
    return request.session.get(MFA_VERIFIED) == str(request.user.pk)


def mark_mfa_verified(request: HttpRequest, user) -> None:
    request.session[MFA_VERIFIED] = str(user.pk)


def has_totp(user) -> bool:
    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


def signed_in_recently(request: HttpRequest) -> bool:
    """Signed in (password and, when set up, second factor) less than the re-authentication timeout ago."""
    signed_in_at = request.session.get(SIGNED_IN_AT) if hasattr(request, "session") else None
    return bool(signed_in_at) and time.time() - signed_in_at < account_settings.REAUTHENTICATION_TIMEOUT


class StaffSecurityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and self.has_staff_role(request):
            response = self.end_if_timed_out(request) or self.require_second_factor(request)
            if response is not None:
                return response
        return self.get_response(request)

    @staticmethod
    def has_staff_role(request: HttpRequest) -> bool:
        staff = request.session.get(STAFF_ROLE)
        if staff is None or (not staff and request.path.startswith(STAFF_PREFIXES)):
            staff = permissions.needs_second_factor(request.user)
            if staff or STAFF_ROLE not in request.session:
                request.session[STAFF_ROLE] = staff
        return staff

    @staticmethod
    def end_if_timed_out(request: HttpRequest) -> HttpResponse | None:
        now = time.time()
        session = request.session
        signed_in_at = session.setdefault(SIGNED_IN_AT, now)
        last_seen = session.get(LAST_SEEN, now)
        idle = now - last_seen > settings.STAFF_SESSION_IDLE_TIMEOUT.total_seconds()
        if idle or now - signed_in_at > settings.STAFF_SESSION_MAX_AGE.total_seconds():
            logout(request)
            messages.info(request, _("Your session has ended for security reasons: please sign in again."))
            return redirect_with_next("account_login", request)
        if now - last_seen >= LAST_SEEN_RESOLUTION or LAST_SEEN not in session:
            session[LAST_SEEN] = now
        return None

    @staticmethod
    def require_second_factor(request: HttpRequest) -> HttpResponse | None:
        if is_mfa_verified(request) or request.path.startswith(OPEN_PREFIXES):
            return None
        if request.path.startswith("/api/"):
            detail = _("Confirm your sign-in with the second factor in the portal first.")
            return JsonResponse({"detail": detail, "status": 403}, status=403)
        if has_totp(request.user):
            return redirect_with_next("mfa_reauthenticate", request)
        request.session[MFA_NEXT] = request.get_full_path()
        messages.warning(
            request,
            _(
                "Staff accounts need two-factor authentication. Set up an authenticator app to continue: "
                "scan the code or enter the key, then type the six-digit code it shows."
            ),
        )
        return HttpResponseRedirect(reverse("mfa_activate_totp"))


def redirect_with_next(url_name: str, request: HttpRequest) -> HttpResponseRedirect:
    next_url = request.get_full_path() if request.method == "GET" else "/"
    return HttpResponseRedirect(f"{reverse(url_name)}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")


def mfa_continue(request: HttpRequest) -> HttpResponse:
    """After the recovery codes: on to the page that asked for two-factor (or the cabinet)."""
    next_url = request.session.pop(MFA_NEXT, "") if hasattr(request, "session") else ""
    safe = url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=False)
    return HttpResponseRedirect(next_url if next_url and safe else settings.LOGIN_REDIRECT_URL)


class PortalMFAAdapter(DefaultMFAAdapter):
    def build_totp_svg(self, url: str) -> str:
        """The QR code as inline SVG, without its XML declaration (the page shows it as is: no data:
        URL for the Content-Security-Policy to allow)."""
        svg = super().build_totp_svg(url)
        return svg[svg.find("<svg") :]

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Staff keep their TOTP: two-factor is required of them."""
        if authenticator.type == Authenticator.Type.TOTP and permissions.needs_second_factor(authenticator.user):
            return False
        return super().can_delete_authenticator(authenticator)


# Signal receivers (connected in AccountsConfig.ready)


def on_authentication_step(sender, request, method, user, **kwargs) -> None:
    if method == "mfa" and request is not None:
        mark_mfa_verified(request, user)


def on_authenticator_added(sender, request, user, authenticator, **kwargs) -> None:
    if request is not None and authenticator.type == Authenticator.Type.TOTP:
        mark_mfa_verified(request, user)


def on_authenticator_removed(sender, request, user, authenticator, **kwargs) -> None:
    if request is not None and authenticator.type == Authenticator.Type.TOTP:
        request.session.pop(MFA_VERIFIED, None)


def on_logged_in(sender, request, user, **kwargs) -> None:
    if request is None or not hasattr(request, "session"):
        return
    now = time.time()
    request.session[SIGNED_IN_AT] = now
    request.session[LAST_SEEN] = now
    request.session[STAFF_ROLE] = permissions.needs_second_factor(user)


def connect_signals() -> None:
    authentication_step_completed.connect(on_authentication_step, dispatch_uid="portal-mfa-step")
    authenticator_added.connect(on_authenticator_added, dispatch_uid="portal-mfa-added")
    authenticator_removed.connect(on_authenticator_removed, dispatch_uid="portal-mfa-removed")
    user_logged_in.connect(on_logged_in, dispatch_uid="portal-staff-session")
