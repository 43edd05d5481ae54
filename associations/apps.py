from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssociationsConfig(AppConfig):
    name = "associations"
    verbose_name = _("Associations and membership")

    def ready(self):
        from .choices import watch_sources

        watch_sources()
