"""How allauth's account e-mails leave the portal (settings.ACCOUNT_ADAPTER).

The confirmation, password-reset and security e-mails are the portal's own templates
(`templates/account/email/`, laid out like the notifications: `notifications/email/_base.*`),
with a text and an HTML part, written in the recipient's language when the address belongs to
an account (the language of the page otherwise), greeting them by name, with links to
`SITE_URL` and a Message-ID at its domain (`core.mail`). The portal does not use
`django.contrib.sites`, so no «example.com» can come from a Site row.
"""

from types import SimpleNamespace

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django import forms
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext, gettext_lazy

from core.mail import message_id, portal_domain

from .models import REMOVED_EMAIL_DOMAIN, User
from .security import signed_in_recently


def portal_url(path: str) -> str:
    return settings.SITE_URL + path


class PortalAccountAdapter(DefaultAccountAdapter):
    def get_email_confirmation_url(self, request, emailconfirmation) -> str:
        return portal_url(reverse("account_confirm_email", args=[emailconfirmation.key]))

    def get_reset_password_from_key_url(self, key: str) -> str:
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return portal_url(path.replace("UID-KEY", key))

    def clean_email(self, email: str) -> str:
        """The domain of removed accounts' placeholders (accounts.models) is nobody's to sign up with."""
        email = super().clean_email(email)
        if email.lower().endswith("@" + REMOVED_EMAIL_DOMAIN):
            raise forms.ValidationError(gettext_lazy("This address cannot be used: enter your own e-mail address."))
        return email

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        """Failed sign-ins count per (client address, account) pair, not per account: an attacker
        elsewhere cannot lock the owner out (docs/security.md). The per-address limit stays."""
        login = credentials.get("email", credentials.get("username", "")).lower()
        return f"{self.get_client_ip(request)}:{login}"

    def get_client_ip(self, request) -> str:
        """allauth's (TRUSTED_PROXY_COUNT, TRUSTED_CLIENT_IP_HEADER), without its server error when
        X-Forwarded-For holds fewer entries than the proxies configured: then its first entry."""
        try:
            return super().get_client_ip(request)
        except ImproperlyConfigured:
            return request.headers.get("x-forwarded-for", "").split(",")[0].strip() or request.META["REMOTE_ADDR"]

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        """Setting up two-factor right after signing in (staff are sent there) needs no second
        password entry; later it does, as allauth asks."""
        required = super().is_reauthentication_required(app=app, **kwargs)
        if required and app == "allauth.mfa" and signed_in_recently(allauth_context.request):
            return False
        return required

    def get_http_user_agent(self, request) -> str:
        # Not the library's English «Unspecified»: the template writes «—» for a missing browser.
        return request.META.get("HTTP_USER_AGENT", "")

    def send_notification_mail(self, template_prefix, user, context=None, email=None) -> None:
        # allauth leaves the user out of a security notice's context; the greeting needs them.
        super().send_notification_mail(template_prefix, user, {**(context or {}), "user": user}, email)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """Render and send in the recipient's language, with the portal's name, links and domain.

        1. The recipient is the user the e-mail is about, or the account with this address
           (someone signing up with an address already registered); none for an unknown address.
        2. Their language, else the language of the page that triggered the e-mail.
        """
        recipient = context.get("user") or User.objects.filter(email__iexact=email).first()
        language = getattr(recipient, "language", "") or translation.get_language() or settings.LANGUAGE_CODE
        with translation.override(language):
            site = SimpleNamespace(name=gettext("Cluster Portal"), domain=portal_domain())
            super().send_mail(
                template_prefix,
                email,
                {
                    **context,
                    "recipient": recipient,
                    "site_url": settings.SITE_URL,
                    "current_site": site,
                    "signup_url": portal_url(reverse("account_signup")),
                    "reset_request_url": portal_url(reverse("account_reset_password")),
                },
            )

    def render_mail(self, template_prefix, email, context, headers=None):
        headers = {"Message-ID": message_id(), **(headers or {})}
        return super().render_mail(template_prefix, email, context, headers=headers)
