from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """Personal data (152-FZ): a user's own data export, deletion requests and consent withdrawal."""

    name = "privacy"
    verbose_name = _("Personal data")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        user_logged_in.connect(mark_withdrawn_consent, dispatch_uid="privacy.mark_withdrawn_consent")


def mark_withdrawn_consent(sender, request, user, **kwargs):
    """Signing in after a withdrawal: the session carries the mark (privacy.middleware)."""
    from .middleware import SESSION_KEY
    from .services import consent_withdrawn

    if request is not None and hasattr(request, "session") and consent_withdrawn(user) is not None:
        request.session[SESSION_KEY] = True
