from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """Figures and charts for cluster staff and coordinators: applications, decisions, members, projects, notifications."""

    name = "dashboard"
    verbose_name = _("Dashboard")
