from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PagesConfig(AppConfig):
    """Pages that compose several apps: the home figures, associations with their projects,
    an organisation's pages with its applications, projects and suggestions, the cabinet."""

    name = "pages"
    verbose_name = _("Pages")

    def ready(self):
        from .selectors import watch_figure_sources

        watch_figure_sources()
