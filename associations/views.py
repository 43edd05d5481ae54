from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.permissions import may_use_directory

from .directory import directory_choices, directory_page


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    if not may_use_directory(request.user):
        raise PermissionDenied
    filters, page = directory_page(request.GET)
    ctx = {"filters": filters.values, "page": page, "filter_query": filters.query(), **directory_choices()}
    return render(request, "associations/directory.html", ctx)
