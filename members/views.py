from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render

from projects.models import Project
from projects.selectors import projects_by_stage_for_association, projects_of_organisation

from .models import AssociationMembership, AssociationStatus, MembershipRole, MembershipStatus
from .selectors import (
    associations_with_counts,
    associations_with_visible_project_counts,
    cluster_figures,
    contact_details,
    directory_choices,
    directory_organisations,
    directory_page,
    may_use_directory,
    organisation_memberships,
    suggestions_for,
)


def home(request):
    featured = associations_with_counts().filter(is_featured=True)[:6]
    newest = Project.objects.visible_to(request.user).select_related("association").order_by("-created_at", "-pk")[:6]
    ctx = {"figures": cluster_figures(request.user), "featured": featured, "newest_projects": newest}
    return render(request, "members/home.html", ctx)


def association_list(request):
    associations = associations_with_visible_project_counts(request.user)
    return render(request, "members/association_list.html", {"associations": associations})


def association_detail(request, slug):
    association = get_object_or_404(
        associations_with_counts().prefetch_related("coordinators"),
        slug=slug,
    )
    memberships = (
        AssociationMembership.objects.filter(association=association, status=MembershipStatus.ACTIVE)
        .select_related("organisation__region")
        .order_by("organisation__short_name")
    )
    partners = [m for m in memberships if m.role in (MembershipRole.PARTNER, MembershipRole.COORDINATOR)]
    participants = [m for m in memberships if m.role == MembershipRole.PARTICIPANT]
    ctx = {
        "association": association,
        "partners": partners,
        "participants": participants,
        "projects_by_stage": projects_by_stage_for_association(association, request.user),
        "can_add_project": request.user.is_authenticated
        and (request.user.is_superuser or association.is_coordinated_by(request.user)),
        "is_open": association.status != AssociationStatus.ARCHIVED,
    }
    return render(request, "members/association_detail.html", ctx)


def _require_directory(request) -> None:
    if not may_use_directory(request.user):
        raise PermissionDenied


@login_required
def directory(request):
    _require_directory(request)
    filters, page = directory_page(request.GET)
    ctx = {"filters": filters, "page": page, "filter_query": filters.query(), **directory_choices()}
    return render(request, "members/directory.html", ctx)


@login_required
def organisation_detail(request, pk):
    _require_directory(request)
    organisation = get_object_or_404(directory_organisations(request.user).select_related("region"), pk=pk)
    represents = organisation.representatives.filter(user=request.user).exists()
    ctx = {
        "organisation": organisation,
        "contacts": contact_details(organisation, request.user),
        "memberships": organisation_memberships(organisation),
        "projects": projects_of_organisation(organisation, request.user)[:50],
        "suggestions": suggestions_for(organisation, request.user) if represents else None,
    }
    return render(request, "members/organisation_detail.html", ctx)
