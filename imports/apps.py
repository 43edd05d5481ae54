from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    """Bulk import of organisations from CSV or XLSX: the command, the admin upload and its background job."""

    name = "imports"
    verbose_name = _("Imports")
