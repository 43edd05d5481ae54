from django.db.models import Count
from django.shortcuts import get_object_or_404, render

from projects.models import BOARD_STAGES, Project, Stage

from .models import Association, AssociationMembership, AssociationStatus, MembershipRole, MembershipStatus
from .selectors import associations_with_counts, cluster_figures


def home(request):
    featured = associations_with_counts().filter(is_featured=True)[:6]
    newest = Project.objects.visible_to(request.user).select_related("association").order_by("-created_at", "-pk")[:6]
    ctx = {"figures": cluster_figures(request.user), "featured": featured, "newest_projects": newest}
    return render(request, "members/home.html", ctx)


def association_list(request):
    associations = associations_with_counts().annotate(project_count=Count("projects", distinct=True))
    return render(request, "members/association_list.html", {"associations": associations})


def association_detail(request, slug):
    association = get_object_or_404(
        Association.objects.exclude(status=AssociationStatus.ARCHIVED).prefetch_related("directions", "coordinators"),
        slug=slug,
    )
    memberships = (
        AssociationMembership.objects.filter(association=association, status=MembershipStatus.ACTIVE)
        .select_related("organisation__region")
        .order_by("organisation__short_name")
    )
    partners = [m for m in memberships if m.role in (MembershipRole.PARTNER, MembershipRole.COORDINATOR)]
    participants = [m for m in memberships if m.role == MembershipRole.PARTICIPANT]
    projects = Project.objects.visible_to(request.user).filter(association=association).order_by("title")
    by_stage = {stage: [] for stage in (*BOARD_STAGES, Stage.SUSPENDED)}
    for project in projects:
        by_stage[project.stage].append(project)
    ctx = {
        "association": association,
        "partners": partners,
        "participants": participants,
        "projects_by_stage": [(Stage(s).label, items) for s, items in by_stage.items() if items],
    }
    return render(request, "members/association_detail.html", ctx)
