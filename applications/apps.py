from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApplicationsConfig(AppConfig):
    name = "applications"
    verbose_name = _("Membership applications")

    def ready(self):
        from .selectors import watch_application_sources

        watch_application_sources()
