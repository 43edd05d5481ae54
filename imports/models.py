"""An organisation import started from the admin: the file, its progress and its report."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class ImportJob(models.Model):
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=255, blank=True)
    dry_run = models.BooleanField(
        _("dry run"), default=False, help_text=_("Check the file and report what would change, without writing.")
    )
    status = models.CharField(_("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    language = models.CharField(_("language of the report"), max_length=10, default=settings.LANGUAGE_CODE)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows processed"), default=0)
    summary = models.JSONField(_("import results"), default=dict, blank=True)
    report = models.JSONField(_("report"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("started by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("started"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    # The last sign of life: the hand-off to the broker while waiting, a finished batch while running.
    # imports.jobs.import_jobs_sweep sends a waiting job again and fails a running one that went quiet.
    heartbeat_at = models.DateTimeField(_("last activity"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("organisation import")
        verbose_name_plural = _("organisation imports")

    def __str__(self):
        return self.original_name or f"#{self.pk}"

    def get_absolute_url(self):
        return reverse("admin:imports_importjob_change", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        return int(100 * self.rows_done / self.rows_total) if self.rows_total else 0
