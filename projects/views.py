from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from members.models import Association, Direction, Region

from .models import Project, Stage
from .selectors import filter_projects


def project_list(request):
    projects = filter_projects(Project.objects.visible_to(request.user), request.GET)
    page = Paginator(projects.select_related("association", "lead_organisation"), 20).get_page(request.GET.get("page"))
    ctx = {
        "page": page,
        "associations": Association.objects.order_by("name"),
        "directions": Direction.objects.all(),
        "regions": Region.objects.all(),
        "stages": Stage.choices,
        "filters": request.GET,
    }
    return render(request, "projects/project_list.html", ctx)


def project_detail(request, slug):
    project = get_object_or_404(
        Project.objects.visible_to(request.user).select_related("association", "lead_organisation"), slug=slug
    )
    ctx = {
        "project": project,
        "participants": project.participants.select_related("organisation__region").order_by(
            "role", "organisation__short_name"
        ),
        "milestones": project.milestones.all(),
        "stage_changes": project.stage_changes.select_related("changed_by"),
        "show_staff_fields": request.user.is_authenticated and request.user.sees_everything,
    }
    return render(request, "projects/project_detail.html", ctx)
