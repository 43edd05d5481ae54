"""The endpoints of /api/v1/: read-only, each on the same scoped querysets as its page.

Visibility is never decided here: projects come from `Project.objects.visible_to`, the directory
from `associations.directory` (its filters, its privacy), the caller's applications from
`applications.selectors`, the review queue from `reviewable_by` with the queue's FilterSet.
"""

from django.db.models import Prefetch
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from applications.filters import ReviewFilterSet
from applications.selectors import applications_with_history, reviewable_applications
from associations.directory import DirectoryFilterSet, contact_details, directory_results, listed_organisations
from associations.selectors import associations_with_counts, organisation_memberships
from core import permissions
from core.i18n import localized
from members.models import Direction, Region
from members.selectors import representations_of
from notifications.models import Notification
from projects.selectors import (
    ProjectFilterSet,
    project_detail_queryset,
    project_participants,
    project_results,
    projects_of_organisation,
    visible_project_counts,
)

from . import serializers as s
from .base import PAGE_PARAMETERS, ApiView, filter_parameters, use_requested_language
from .models import Scope
from .pagination import ApiPage, first_rows, paginate
from .problems import problem


def envelope(name: str, item, *, counted: bool = False):
    """The schema of a list page: its rows and the link to the next page (null on the last)."""
    fields = {"results": item(many=True), "next": serializers.URLField(allow_null=True)}
    if counted:
        fields["count"] = serializers.IntegerField(help_text=_("Matching rows, counted up to a cap."))
        fields["more"] = serializers.BooleanField(help_text=_("More rows match than the count says."))
    return inline_serializer(name, fields)


def searched_page(result, *, ordering, params) -> ApiPage:
    """Keyset pages of a filtered list; the best rows only when the search fell back to similar names."""
    if result.fuzzy:
        return first_rows(result.queryset, params=params)
    return paginate(result.queryset, ordering=ordering, params=params)


def _counts(result) -> dict:
    return {"count": result.count, "more": result.more}


# Reference data


class RegionList(ApiView):
    @extend_schema(
        operation_id="regions_list", summary=_("Regions"), responses=envelope("RegionPage", s.RegionSerializer)
    )
    def get(self, request):
        return self.page_response(request, ApiPage(list(Region.objects.all()), None), s.RegionSerializer)


class DirectionList(ApiView):
    @extend_schema(
        operation_id="directions_list",
        summary=_("Technology directions"),
        responses=envelope("DirectionPage", s.DirectionSerializer),
    )
    def get(self, request):
        return self.page_response(request, ApiPage(list(Direction.objects.all()), None), s.DirectionSerializer)


# Associations and projects


def _with_project_counts(associations, user) -> list:
    counts = visible_project_counts(user, [a.pk for a in associations])
    for association in associations:
        association.project_count = counts.get(association.pk, 0)
    return associations


class AssociationList(ApiView):
    @extend_schema(
        operation_id="associations_list",
        summary=_("Associations"),
        description=_("Open associations with their members counted and the projects the caller may see."),
        parameters=PAGE_PARAMETERS,
        responses=envelope("AssociationPage", s.AssociationSerializer),
    )
    def get(self, request):
        page = paginate(associations_with_counts(), ordering=("name", "pk"), params=request.query_params)
        page.items = _with_project_counts(page.items, request.user)
        return self.page_response(request, page, s.AssociationSerializer)


class AssociationDetail(ApiView):
    @extend_schema(operation_id="associations_detail", summary=_("An association"), responses=s.AssociationSerializer)
    def get(self, request, slug: str):
        association = associations_with_counts().filter(slug=slug).first()
        if association is None:
            raise Http404
        _with_project_counts([association], request.user)
        return Response(s.AssociationSerializer(association).data)


def _project_rows(projects):
    return projects.select_related("association", "lead_organisation").prefetch_related(
        Prefetch("directions", queryset=Direction.objects.all())
    )


class ProjectList(ApiView):
    @extend_schema(
        operation_id="projects_list",
        summary=_("Joint projects"),
        description=_("The projects the caller may see, with the filters of /projects/."),
        parameters=[*filter_parameters(ProjectFilterSet), *PAGE_PARAMETERS],
        responses=envelope("ProjectPage", s.ProjectSerializer, counted=True),
    )
    def get(self, request):
        filters, result = project_results(request.user, request.query_params)
        result.queryset = _project_rows(result.queryset)
        page = searched_page(result, ordering=filters.ordering, params=request.query_params)
        return self.page_response(request, page, s.ProjectSerializer, **_counts(result))


class ProjectDetailSerializer(s.ProjectSerializer):
    description = serializers.SerializerMethodField()
    participants = s.ProjectParticipantSerializer(many=True, source="participant_rows")

    def get_description(self, project) -> str:
        return localized(project, "description")


class ProjectDetail(ApiView):
    @extend_schema(operation_id="projects_detail", summary=_("A joint project"), responses=ProjectDetailSerializer)
    def get(self, request, slug: str):
        project = _project_rows(project_detail_queryset(request.user)).filter(slug=slug).first()
        if project is None:
            raise Http404
        project.participant_rows = project_participants(project)
        return Response(ProjectDetailSerializer(project).data)


# The member directory


class DirectoryView(ApiView):
    """The directory's rules: its users only (`may_use_directory`), its organisations only."""

    may = staticmethod(permissions.may_use_directory)

    def get_organisation(self, request, pk: int):
        organisation = listed_organisations(request.user).select_related("region").filter(pk=pk).first()
        if organisation is None:
            raise Http404
        return organisation


class OrganisationList(DirectoryView):
    @extend_schema(
        operation_id="organisations_list",
        summary=_("Member organisations"),
        description=_(
            "The member directory with its filters, for its users: member organisations' people, coordinators, staff."
        ),
        parameters=[*filter_parameters(DirectoryFilterSet), *PAGE_PARAMETERS],
        responses=envelope("OrganisationPage", s.OrganisationSerializer, counted=True),
    )
    def get(self, request):
        filters, result = directory_results(request.query_params)
        result.queryset = result.queryset.select_related("region").prefetch_related("directions")
        page = searched_page(result, ordering=filters.ordering, params=request.query_params)
        return self.page_response(request, page, s.OrganisationSerializer, **_counts(result))


class OrganisationDetail(DirectoryView):
    @extend_schema(
        operation_id="organisations_detail",
        summary=_("A member organisation"),
        responses=s.OrganisationDetailSerializer,
    )
    def get(self, request, pk: int):
        organisation = self.get_organisation(request, pk)
        organisation.contacts = contact_details(organisation, request.user)
        return Response(s.OrganisationDetailSerializer(organisation).data)


class OrganisationMemberships(DirectoryView):
    @extend_schema(
        operation_id="organisations_memberships",
        summary=_("An organisation's memberships"),
        responses=envelope("MembershipPage", s.MembershipSerializer),
    )
    def get(self, request, pk: int):
        memberships = list(organisation_memberships(self.get_organisation(request, pk)))
        return self.page_response(request, ApiPage(memberships, None), s.MembershipSerializer)


class OrganisationProjects(DirectoryView):
    @extend_schema(
        operation_id="organisations_projects",
        summary=_("An organisation's projects"),
        description=_("The projects it takes part in that the caller may see."),
        parameters=PAGE_PARAMETERS,
        responses=envelope("OrganisationProjectPage", s.ProjectSerializer),
    )
    def get(self, request, pk: int):
        projects = _project_rows(projects_of_organisation(self.get_organisation(request, pk), request.user))
        page = paginate(projects, ordering=("-created_at", "-pk"), params=request.query_params)
        return self.page_response(request, page, s.ProjectSerializer)


# The caller's own


class OwnView(ApiView):
    required_scope = Scope.OWN
    may = staticmethod(permissions.is_signed_in)


class OwnOrganisations(OwnView):
    @extend_schema(
        operation_id="me_organisations",
        summary=_("My organisations"),
        responses=envelope("OwnOrganisationPage", s.OwnOrganisationSerializer),
    )
    def get(self, request):
        rows = list(representations_of(request.user))
        return self.page_response(request, ApiPage(rows, None), s.OwnOrganisationSerializer)


class OwnApplications(OwnView):
    @extend_schema(
        operation_id="me_applications_list",
        summary=_("My applications"),
        description=_(
            "The applications of the organisations the caller acts for, with their history as the cabinet shows it."
        ),
        parameters=PAGE_PARAMETERS,
        responses=envelope("OwnApplicationPage", s.OwnApplicationSerializer),
    )
    def get(self, request):
        applications = applications_with_history(request.user)
        page = paginate(applications, ordering=("-created_at", "-pk"), params=request.query_params)
        return self.page_response(request, page, s.OwnApplicationSerializer)


class OwnApplicationDetail(OwnView):
    @extend_schema(
        operation_id="me_applications_detail", summary=_("One of my applications"), responses=s.OwnApplicationSerializer
    )
    def get(self, request, pk: int):
        application = applications_with_history(request.user).filter(pk=pk).first()
        if application is None:
            raise Http404
        return Response(s.OwnApplicationSerializer(application).data)


class OwnNotifications(OwnView):
    @extend_schema(
        operation_id="me_notifications",
        summary=_("My notifications"),
        parameters=PAGE_PARAMETERS,
        responses=envelope("NotificationPage", s.NotificationSerializer),
    )
    def get(self, request):
        notifications = Notification.objects.for_user(request.user).select_related("recipient")
        page = paginate(notifications, ordering=("-created_at", "-pk"), params=request.query_params)
        return self.page_response(request, page, s.NotificationSerializer)


# Reviewers


class ReviewApplications(ApiView):
    required_scope = Scope.REVIEW
    may = staticmethod(permissions.may_review)

    @extend_schema(
        operation_id="review_applications",
        summary=_("Applications to review"),
        description=_(
            "The review queue with its filters (the longest waiting first); decisions are taken in the browser."
        ),
        parameters=[*filter_parameters(ReviewFilterSet), *PAGE_PARAMETERS],
        responses=envelope("ReviewPage", s.ReviewApplicationSerializer),
    )
    def get(self, request):
        filters = ReviewFilterSet(request.query_params, queryset=reviewable_applications(request.user), request=request)
        page = paginate(filters.qs, ordering=("status_changed_at", "pk"), params=request.query_params)
        return self.page_response(request, page, s.ReviewApplicationSerializer)


# The index and unknown addresses


class Index(ApiView):
    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="index",
        tags=["index"],
        summary=_("The API's entry points"),
        responses=inline_serializer("Index", {"schema": serializers.URLField(), "docs": serializers.URLField()}),
    )
    def get(self, request):
        return Response(
            {
                "schema": request.build_absolute_uri(reverse("api:schema")),
                "docs": request.build_absolute_uri(reverse("api:docs")),
            }
        )


class NotFound(ApiView):
    """Any other address under /api/: a 404 problem, whatever the method."""

    permission_classes = [AllowAny]
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def dispatch(self, request, *args, **kwargs):
        self.headers = {}
        self.args, self.kwargs = args, kwargs
        request = self.initialize_request(request, *args, **kwargs)
        self.request = request
        use_requested_language(request)
        return self.finalize_response(request, problem(404), *args, **kwargs)
