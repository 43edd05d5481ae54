from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core import exports
from core.permissions import may_use_directory, may_use_staff_tools

from .directory import directory_choices, directory_columns, directory_export_rows, directory_page


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    if not may_use_directory(request.user):
        raise PermissionDenied
    filters, page = directory_page(request.GET)
    ctx = {
        "filters": filters.values,
        "page": page,
        "filter_query": filters.query(),
        "export_query": filters.query(leave_out=()),
        "can_export": may_use_staff_tools(request.user),
        **directory_choices(),
    }
    return render(request, "associations/directory.html", ctx)


@login_required
@require_GET
def directory_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The whole filtered directory (every page, in the page's order) as CSV or XLSX, for staff."""
    fmt = exports.export_format(fmt)
    if not (may_use_directory(request.user) and may_use_staff_tools(request.user)):
        raise PermissionDenied
    rows = directory_export_rows(request.GET)
    return exports.export_response(fmt=fmt, name="members", columns=directory_columns(), rows=rows)
