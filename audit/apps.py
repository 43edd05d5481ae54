from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """Who changed what: the audit log of staff and coordinators' changes, and the page that browses it."""

    name = "audit"
    verbose_name = _("Audit log")

    def ready(self):
        from .registry import register

        register()
