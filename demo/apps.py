from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo content from the source article (`seed_demo`) and large synthetic data (`generate_load_data`)."""

    name = "demo"
    verbose_name = _("Demo and load data")
