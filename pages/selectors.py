"""Reads for the pages that compose several apps, scoped to the user who asks."""

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q

from associations.models import Association, AssociationMembership
from associations.selectors import approved_members, associations_with_counts
from core import permissions
from members.models import Direction, Organisation, Region
from projects.models import BOARD_STAGES, Project, Stage


def cluster_figures(user) -> dict:
    """The cluster in figures, computed from the data; projects counted as the user may see them."""
    projects = Project.objects.visible_to(user)
    by_stage = dict(projects.order_by().values_list("stage").annotate(n=Count("pk")))
    members = approved_members(Organisation.objects.all())
    return {
        "associations": Association.objects.open().count(),
        "member_organisations": members.count(),
        "regions": Region.objects.filter(Exists(members.filter(region_id=OuterRef("pk")))).count(),
        "projects": sum(by_stage.values()),
        "projects_by_stage": [
            (stage, Stage(stage).label, by_stage.get(stage, 0)) for stage in (*BOARD_STAGES, Stage.SUSPENDED)
        ],
    }


def associations_with_visible_project_counts(user) -> list:
    """The association list with the number of projects *the user may see* in each (2 queries + prefetch)."""
    counts = dict(Project.objects.visible_to(user).order_by().values_list("association_id").annotate(n=Count("pk")))
    associations = list(associations_with_counts())
    for association in associations:
        association.project_count = counts.get(association.pk, 0)
    return associations


# Suggestions


@dataclass
class Suggestion:
    kind: str  # "association" or "project"
    item: object
    score: int
    matching: list

    @property
    def reason(self) -> str:
        return ", ".join(direction.title for direction in self.matching)


def suggestions_for(organisation: Organisation, user, *, limit: int = 5) -> dict:
    """Associations the organisation has not joined and projects it does not take part in whose
    directions match its own, best first (most shared directions), with the shared directions as
    the reason. Projects are only those the user may see. A fixed number of queries (5)."""
    direction_ids = list(organisation.directions.values_list("pk", flat=True))
    if not direction_ids:
        return {"associations": [], "projects": [], "has_directions": False}
    shared = Direction.objects.filter(pk__in=direction_ids)
    joined = AssociationMembership.objects.active().filter(organisation=organisation).values("association_id")
    associations = (
        Association.objects.open()
        .exclude(pk__in=joined)
        .annotate(score=Count("directions", filter=Q(directions__in=direction_ids), distinct=True))
        .filter(score__gt=0)
        .order_by("-score", "name")
        .prefetch_related(Prefetch("directions", queryset=shared, to_attr="matching_directions"))[:limit]
    )
    taking_part = organisation.project_participations.values("project_id")
    projects = (
        Project.objects.visible_to(user)
        .exclude(pk__in=taking_part)
        .exclude(lead_organisation=organisation)
        .exclude(stage__in=(Stage.COMPLETED, Stage.SUSPENDED))
        .annotate(score=Count("directions", filter=Q(directions__in=direction_ids), distinct=True))
        .filter(score__gt=0)
        .select_related("association")
        .order_by("-score", "-created_at", "-pk")
        .prefetch_related(Prefetch("directions", queryset=shared, to_attr="matching_directions"))[:limit]
    )
    return {
        "associations": [Suggestion("association", a, a.score, a.matching_directions) for a in associations],
        "projects": [Suggestion("project", p, p.score, p.matching_directions) for p in projects],
        "has_directions": True,
    }


def contact_details(organisation: Organisation, user) -> dict:
    """The contacts the viewer may see: the organisation's own choices, all of them for its people and staff.

    An individual entrepreneur's address is where the person lives: as in the state register, which
    publishes a legal entity's address but not an entrepreneur's, only its people and staff see it.
    """
    insider = permissions.sees_all_contacts(user, organisation.pk)
    return {
        "address": organisation.address if (insider or not organisation.is_sole_trader) else "",
        "email": organisation.email if (insider or organisation.show_email) else "",
        "phone": organisation.phone if (insider or organisation.show_phone) else "",
        "hidden_email": insider and not organisation.show_email,
        "hidden_phone": insider and not organisation.show_phone,
    }
