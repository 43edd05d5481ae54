"""Pages that compose several apps: the home page, the associations with their projects, an
organisation's directory page and cabinet page, and the cabinet itself."""

import hashlib

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from applications.selectors import applications_of_user
from associations.directory import contact_details, listed_organisation_ids, listed_organisations
from associations.models import MembershipRole
from associations.selectors import association_members_page, organisation_memberships
from core import permissions, versioned_cache
from core.pagination import first_rows, keyset_page
from core.transitions import RequestStatus
from core.versioned_cache import cache_anonymous_page
from members.forms import InvitationForm
from members.models import JoinRequest
from members.selectors import representations_of
from members.views import get_represented_organisation
from notifications.services import recent_notifications
from projects.models import Project
from projects.selectors import projects_by_stage_for_association, projects_of_organisation

from .selectors import (
    CABINET_GROUPS,
    FIGURE_GROUPS,
    association_with_counts,
    associations_with_visible_project_counts,
    cluster_figures,
    open_associations,
    suggestions_for,
)

SIDE_LIST_SIZE = 20  # partners and coordinating organisations, beside the participants


@cache_anonymous_page(*FIGURE_GROUPS)
def home(request: HttpRequest) -> HttpResponse:
    featured = [association for association in open_associations() if association.is_featured][:6]
    newest = Project.objects.visible_to(request.user).select_related("association").order_by("-created_at", "-pk")[:6]
    ctx = {"figures": cluster_figures(request.user), "featured": featured, "newest_projects": newest}
    return render(request, "pages/home.html", ctx)


@cache_anonymous_page(*FIGURE_GROUPS)
def association_list(request: HttpRequest) -> HttpResponse:
    associations = associations_with_visible_project_counts(request.user)
    return render(request, "pages/association_list.html", {"associations": associations})


@cache_anonymous_page(*FIGURE_GROUPS)
def association_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """An association: its projects by stage (capped), and its participants, partners and coordinating
    organisations, each list paged on its own by name (keyset: `after`, `partners_after`, …)."""
    association = association_with_counts(slug)
    if association is None:
        raise Http404
    members = {
        "participants": association_members_page(association, [MembershipRole.PARTICIPANT], request.GET),
        "partners": association_members_page(
            association, [MembershipRole.PARTNER], request.GET, prefix="partners_", size=SIDE_LIST_SIZE
        ),
        "coordinating": association_members_page(
            association, [MembershipRole.COORDINATOR], request.GET, prefix="coordinating_", size=SIDE_LIST_SIZE
        ),
    }
    shown = [organisation.pk for page in members.values() for organisation in page]
    ctx = {
        "association": association,
        **members,
        # The members whose directory page the viewer may open: their names are links.
        "linked": listed_organisation_ids(request.user, shown),
        "projects_by_stage": projects_by_stage_for_association(association, request.user),
        "can_add_project": permissions.may_coordinate(request.user, association.pk),
        "is_open": association.is_open,
    }
    return render(request, "pages/association_detail.html", ctx)


# An organisation's directory page below its heading is the same for every reader with the same
# view of it (its contacts in full or not, its suggestions or not, the projects they may see): kept
# per organisation, language and that view until one of what it shows changes.
DETAIL_GROUPS = ("organisations", "memberships", "associations", "projects", "references")
DETAIL_TIMEOUT = 300  # seconds: bounds what a bump lost while Redis was away leaves readable


@login_required
def directory_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """An organisation's page in the member directory, with its memberships and projects."""
    if not permissions.may_use_directory(request.user):
        raise PermissionDenied
    organisation = get_object_or_404(listed_organisations(request.user).select_related("region"), pk=pk)
    represents = permissions.represents(request.user, organisation.pk)
    insider = represents or permissions.sees_everything(request.user)
    scope = Project.objects.visibility_scope(request.user)

    def draw() -> str:
        ctx = {
            "organisation": organisation,
            "contacts": contact_details(organisation, request.user, insider=insider),
            "memberships": organisation_memberships(organisation),
            "projects": projects_of_organisation(organisation, request.user)[:50],
            "suggestions": suggestions_for(organisation, request.user) if represents else None,
        }
        return render_to_string("pages/includes/_directory_detail_body.html", ctx)

    key = f"directory-detail:{organisation.pk}:{get_language()}:{insider:d}:{represents:d}:{scope}"
    body = versioned_cache.cached(key, DETAIL_GROUPS, draw, DETAIL_TIMEOUT)
    ctx = {"organisation": organisation, "body": mark_safe(body)}  # nosec B308 B703: a template's output
    return render(request, "pages/directory_detail.html", ctx)


CABINET_TIMEOUT = 300  # seconds: bounds what a bump lost while Redis was away leaves readable
CABINET_PARTS = ("applications", "organisations", "my_requests")  # pages/includes/_cabinet_*.html


@login_required
def cabinet(request: HttpRequest) -> HttpResponse:
    """The user's own area: their organisations, applications, join requests and latest notifications.

    The lists are kept per user, language and query (the applications' page) until one of what they
    show changes (`CABINET_GROUPS`); the notifications, with their forms, are drawn every time."""
    user = request.user

    def draw() -> str:
        ctx = {
            "representations": first_rows(representations_of(user)),
            "applications": keyset_page(
                applications_of_user(user), ordering=("-created_at", "-pk"), params=request.GET, prefix="applications_"
            ),
            "join_requests": first_rows(
                JoinRequest.objects.filter(
                    organisation_id__in=permissions.owned_organisation_ids(user), status=RequestStatus.PENDING
                ).select_related("organisation", "user")
            ),
            "my_requests": JoinRequest.objects.filter(user=user).select_related("organisation")[:10],
        }
        return {part: render_to_string(f"pages/includes/_cabinet_{part}.html", ctx) for part in CABINET_PARTS}

    query = hashlib.blake2b(request.GET.urlencode().encode(), digest_size=12).hexdigest()
    lists = versioned_cache.cached(f"cabinet:{user.pk}:{get_language()}:{query}", CABINET_GROUPS, draw, CABINET_TIMEOUT)
    ctx = {
        "notifications": recent_notifications(user),
        "lists": {part: mark_safe(html) for part, html in lists.items()},  # nosec B308 B703: templates' output
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
        "representatives": first_rows(
            organisation.representatives.select_related("user").order_by("role", "user__email")
        ),
        "applications": first_rows(organisation.applications.select_related("association").order_by("-created_at")),
        "join_requests": first_rows(
            organisation.join_requests.filter(status=RequestStatus.PENDING).select_related("user")
        )
        if is_owner
        else [],
        "invitations": first_rows(organisation.invitations.filter(accepted_at=None)) if is_owner else [],
        "invite_form": InvitationForm(organisation=organisation) if is_owner else None,
    }
    return render(request, "pages/organisation_detail.html", ctx)
