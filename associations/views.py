import hashlib

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from core import exports, fragments, versioned_cache
from core.permissions import may_use_directory, may_use_staff_tools

from .directory import directory_choices, directory_columns, directory_export_rows, directory_page

# A row shows what every reader of the directory sees (name, ИНН, region, category, directions):
# drawn once, kept until an organisation or a reference row changes (core/fragments.py).
ROW_GROUPS = ("organisations", "references")


# The directory below its heading (filters, count, rows, pager) is the same for every reader allowed
# to open it, but for the export links shown to staff: kept per query string, language and those
# links until an organisation, a membership, a reference row or an association changes.
BODY_GROUPS = ("organisations", "memberships", "references", "associations")
BODY_TIMEOUT = 300  # seconds: bounds what a bump lost while Redis was away leaves readable


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    if not may_use_directory(request.user):
        raise PermissionDenied
    can_export = may_use_staff_tools(request.user)

    def draw() -> str:
        filters, page = directory_page(request.GET)
        ctx = {
            "filters": filters.values,
            "page": page,
            "rows": fragments.rendered_each(
                page,
                "associations/includes/_directory_row.html",
                as_name="organisation",
                groups=ROW_GROUPS,
                prefetch=("directions",),
            ),
            "filter_query": filters.query(),
            "export_query": filters.query(leave_out=()),
            "can_export": can_export,
            **directory_choices(),
        }
        return render_to_string("associations/includes/_directory_body.html", ctx)

    query = hashlib.blake2b(request.GET.urlencode().encode(), digest_size=16).hexdigest()
    body = versioned_cache.cached(f"directory:{get_language()}:{can_export:d}:{query}", BODY_GROUPS, draw, BODY_TIMEOUT)
    return render(request, "associations/directory.html", {"body": mark_safe(body)})  # nosec B308 B703: a template's output


@login_required
@require_GET
def directory_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The whole filtered directory (every page, in the page's order) as CSV or XLSX, for staff."""
    fmt = exports.export_format(fmt)
    if not (may_use_directory(request.user) and may_use_staff_tools(request.user)):
        raise PermissionDenied
    rows = directory_export_rows(request.GET)
    return exports.export_response(fmt=fmt, name="members", columns=directory_columns(), rows=rows)
