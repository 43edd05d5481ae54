from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    """Personal data (152-FZ): a user's own data export, deletion requests and consent withdrawal."""

    name = "privacy"
    verbose_name = _("Personal data")
