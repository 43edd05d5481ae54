from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The shared foundation: pagination, search, documents, permissions, tasks. It imports no domain app."""

    name = "core"
    verbose_name = _("Foundation")

    def ready(self):
        from django.db.backends.signals import connection_created

        from .search import configure_connection

        connection_created.connect(configure_connection, dispatch_uid="core.search.configure_connection")
