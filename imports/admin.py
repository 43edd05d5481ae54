"""The admin's import page: upload a file, follow its progress, read and download the report.

Only cluster administrators (superusers) import. The upload is checked at once (a file that is not
CSV/XLSX or has wrong headers is refused on the form); the rows are imported by a Celery task.
"""

import csv
import io

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from .models import ImportJob
from .reader import COLUMNS, ImportFileError, read_rows
from .report import column_label, report_csv
from .tasks import run_import_job

MAX_UPLOAD = 50 * 1024 * 1024
REPORT_ROWS_SHOWN = 200
# The template's example rows: a legal entity and an individual entrepreneur (valid check digits).
TEMPLATE_ROWS = [
    {
        "legal_form": "legal_entity",
        "kind": "company",
        "inn": "7707083893",
        "ogrn": "1027700132195",
        "kpp": "773601001",
        "full_name": "Общество с ограниченной ответственностью «Пример»",
        "short_name": "ООО «Пример»",
        "region": "77",
        "city": "Москва",
        "address": "ул. Примерная, д. 1",
        "website": "https://example.ru",
        "email": "info@example.ru",
        "phone": "+7 495 000-00-00",
        "size": "small",
        "directions": "additive-manufacturing;industrial-design",
        "okved": "28.99",
        "description": "Проектирование и печать деталей",
        "associations": "",
    },
    {
        "legal_form": "sole_trader",
        "kind": "sole_trader",
        "inn": "500100732259",
        "ogrn": "304500116000157",
        "kpp": "",
        "full_name": "Индивидуальный предприниматель Иванов Иван Иванович",
        "short_name": "ИП Иванов И. И.",
        "region": "50",
        "city": "Химки",
        "address": "",
        "website": "",
        "email": "ivanov@example.ru",
        "phone": "",
        "size": "micro",
        "directions": "",
        "okved": "",
        "description": "",
        "associations": "",
    },
]


class ImportJobForm(forms.ModelForm):
    class Meta:
        model = ImportJob
        fields = ["file", "dry_run"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD:
            raise forms.ValidationError(_("The file is larger than 50 MB: split it into several."))
        data = upload.read()
        upload.seek(0)
        try:
            read_rows(data, header_only=True)
        except ImportFileError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return upload


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    form = ImportJobForm
    list_display = ["__str__", "status", "rows_done", "rows_total", "dry_run", "created_by", "created_at"]
    list_filter = ["status", "dry_run"]
    list_select_related = ["created_by"]
    change_form_template = "admin/imports/importjob/progress.html"
    add_form_template = "admin/imports/importjob/upload.html"

    # Only administrators import; the job itself is never edited.
    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def save_model(self, request, obj, form, change):
        obj.created_by = request.user
        obj.original_name = form.cleaned_data["file"].name[:255]
        obj.language = translation.get_language() or obj.language
        super().save_model(request, obj, form, change)
        run_import_job.delay(obj.pk)  # after the commit (TransactionAwareTask)

    def response_add(self, request, obj, post_url_continue=None):
        return redirect("admin:imports_importjob_change", obj.pk)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("<int:pk>/status/", view(self.status_view), name="imports_importjob_status"),
            path("<int:pk>/report.csv", view(self.report_view), name="imports_importjob_report"),
            path("template.<str:kind>", view(self.template_view), name="imports_importjob_template"),
            *super().get_urls(),
        ]

    def _job(self, request, pk) -> ImportJob:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(ImportJob, pk=pk)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The job's page: its progress while it runs, its summary and report when done."""
        job = self._job(request, object_id)
        issues = job.report[:REPORT_ROWS_SHOWN]
        for issue in issues:
            issue["column"] = column_label(issue["field"])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Organisation import: %(name)s") % {"name": job},
            "job": job,
            "issues": issues,
            "issues_hidden": max(len(job.report) - REPORT_ROWS_SHOWN, 0),
            "status_url": reverse("admin:imports_importjob_status", args=[job.pk]),
        }
        return TemplateResponse(request, self.change_form_template, context)

    def status_view(self, request, pk):
        """The small JSON the progress page polls."""
        job = self._job(request, pk)
        return JsonResponse(
            {
                "status": job.status,
                "status_display": str(job.get_status_display()),
                "rows_done": job.rows_done,
                "rows_total": job.rows_total,
                "percent": job.percent,
                "finished": job.is_finished,
            }
        )

    def report_view(self, request, pk):
        job = self._job(request, pk)
        response = HttpResponse(report_csv(job.report), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-report.csv"'
        return response

    def template_view(self, request, kind):
        """The template: `csv` or `xlsx` with English headers, `ru.csv` or `ru.xlsx` with Russian ones."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        russian = kind.startswith("ru.")
        extension = kind.removeprefix("ru.")
        names = list(COLUMNS)
        header = [COLUMNS[n] for n in names] if russian else names
        rows = [[row[n] for n in names] for row in TEMPLATE_ROWS]
        if extension == "csv":
            out = io.StringIO()
            out.write("\ufeff")
            writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
            writer.writerows([header, *rows])
            response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        elif extension == "xlsx":
            response = HttpResponse(
                _xlsx_template(header, rows),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        else:
            return HttpResponse(status=404)
        response["Content-Disposition"] = (
            f'attachment; filename="organisations-template{"-ru" if russian else ""}.{extension}"'
        )
        return response


def _xlsx_template(header: list[str], rows: list[list[str]]) -> bytes:
    """A workbook whose cells are text, so identifiers keep their leading zeros."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "organisations"
    for values in (header, *rows):
        sheet.append(values)
    for column in sheet.iter_cols(min_row=1, max_row=len(rows) + 1):
        for cell in column:
            cell.number_format = "@"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
