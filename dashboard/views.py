"""`/dashboard/`: figures and charts for cluster staff, administrators and coordinators."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core import permissions

from .forms import DashboardFilterForm
from .selectors import dashboard_associations, dashboard_figures


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    if not permissions.may_use_staff_tools(request.user):
        raise PermissionDenied
    form = DashboardFilterForm(request.GET or None, associations=dashboard_associations(request.user))
    filters = form.filters(timezone.localdate())
    for problem in form.problems() if form.is_bound else ():
        messages.warning(request, _("Filter left out — %(problem)s") % {"problem": problem})
    ctx = {"form": form, "filters": filters, "figures": dashboard_figures(request.user, filters)}
    return render(request, "dashboard/dashboard.html", ctx)
