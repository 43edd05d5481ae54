from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("Joint projects")

    def ready(self):
        from django.db.backends.signals import connection_created

        from .search import configure_connection

        connection_created.connect(configure_connection, dispatch_uid="projects.search.configure_connection")
