"""Pages that compose several apps: the home page, the associations with their projects, an
organisation's directory page and cabinet page, and the cabinet itself."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from applications.models import MembershipApplication
from associations.directory import listed_organisation_ids, listed_organisations
from associations.models import PARTNER_ROLES, AssociationMembership
from associations.selectors import associations_with_counts, organisation_memberships
from core import permissions
from core.transitions import RequestStatus
from members.forms import InvitationForm
from members.models import JoinRequest, Representative
from members.views import get_represented_organisation
from notifications.models import Notification
from notifications.services import notification_title
from projects.models import Project
from projects.selectors import projects_by_stage_for_association, projects_of_organisation

from .selectors import (
    associations_with_visible_project_counts,
    cluster_figures,
    contact_details,
    suggestions_for,
)


def home(request: HttpRequest) -> HttpResponse:
    featured = associations_with_counts().filter(is_featured=True)[:6]
    newest = Project.objects.visible_to(request.user).select_related("association").order_by("-created_at", "-pk")[:6]
    ctx = {"figures": cluster_figures(request.user), "featured": featured, "newest_projects": newest}
    return render(request, "pages/home.html", ctx)


def association_list(request: HttpRequest) -> HttpResponse:
    associations = associations_with_visible_project_counts(request.user)
    return render(request, "pages/association_list.html", {"associations": associations})


def association_detail(request: HttpRequest, slug: str) -> HttpResponse:
    association = get_object_or_404(associations_with_counts().prefetch_related("coordinators"), slug=slug)
    memberships = list(
        AssociationMembership.objects.active()
        .filter(association=association)
        .select_related("organisation__region")
        .order_by("organisation__sort_name", "organisation_id")
    )
    ctx = {
        "association": association,
        "partners": [m for m in memberships if m.role in PARTNER_ROLES],
        "participants": [m for m in memberships if m.role not in PARTNER_ROLES],
        # The members whose directory page the viewer may open: their names are links.
        "linked": listed_organisation_ids(request.user, [m.organisation_id for m in memberships]),
        "projects_by_stage": projects_by_stage_for_association(association, request.user),
        "can_add_project": permissions.may_coordinate(request.user, association.pk),
        "is_open": association.is_open,
    }
    return render(request, "pages/association_detail.html", ctx)


@login_required
def directory_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An organisation's page in the member directory, with its memberships and projects."""
    if not permissions.may_use_directory(request.user):
        raise PermissionDenied
    organisation = get_object_or_404(listed_organisations(request.user).select_related("region"), pk=pk)
    represents = permissions.represents(request.user, organisation.pk)
    ctx = {
        "organisation": organisation,
        "contacts": contact_details(organisation, request.user),
        "memberships": organisation_memberships(organisation),
        "projects": projects_of_organisation(organisation, request.user)[:50],
        "suggestions": suggestions_for(organisation, request.user) if represents else None,
    }
    return render(request, "pages/directory_detail.html", ctx)


@login_required
def cabinet(request: HttpRequest) -> HttpResponse:
    """The user's own area: their organisations, applications, join requests and latest notifications."""
    representations = (
        Representative.objects.filter(user=request.user)
        .select_related("organisation")
        .order_by("organisation__sort_name", "organisation_id")
    )
    applications = (
        MembershipApplication.objects.of_user(request.user)
        .select_related("organisation", "association")
        .order_by("-created_at", "-pk")
    )
    join_requests = JoinRequest.objects.filter(
        organisation_id__in=permissions.owned_organisation_ids(request.user), status=RequestStatus.PENDING
    ).select_related("organisation", "user")
    my_requests = JoinRequest.objects.filter(user=request.user).select_related("organisation")[:10]
    recent = Notification.objects.for_user(request.user).select_related("recipient").order_by("-created_at", "-pk")[:5]
    ctx = {
        "notifications": [(n, notification_title(n)) for n in recent],
        "representations": representations,
        "applications": applications,
        "join_requests": join_requests,
        "my_requests": my_requests,
    }
    return render(request, "pages/cabinet.html", ctx)


@login_required
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An organisation in its people's cabinet: profile, colleagues, applications, suggestions."""
    organisation = get_represented_organisation(request, pk)
    is_owner = permissions.owns(request.user, organisation.pk)
    ctx = {
        "organisation": organisation,
        "is_owner": is_owner,
        "directions": organisation.directions.all(),
        "representatives": organisation.representatives.select_related("user").order_by("role", "user__email"),
        "applications": organisation.applications.select_related("association").order_by("-created_at"),
        "join_requests": organisation.join_requests.filter(status=RequestStatus.PENDING).select_related("user")
        if is_owner
        else [],
        "invitations": organisation.invitations.filter(accepted_at=None) if is_owner else [],
        "invite_form": InvitationForm(organisation=organisation) if is_owner else None,
    }
    return render(request, "pages/organisation_detail.html", ctx)
