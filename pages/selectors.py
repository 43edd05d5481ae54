"""Reads for the pages that compose several apps, scoped to the user who asks."""

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q

from applications.selectors import APPLICATION_GROUP
from associations.models import Association, AssociationMembership
from associations.selectors import approved_members, associations_with_counts
from core import versioned_cache
from members.models import Direction, Organisation
from projects.models import BOARD_STAGES, Project, Stage

# What the figures and the public pages are made of: a change to any of these rows bumps the
# group's version, so a cached figure or page shows it at once (core/versioned_cache.py).
FIGURE_GROUPS = ("associations", "memberships", "organisations", "projects")


def watch_figure_sources() -> None:
    """Connect the models the figures count to their groups (`PagesConfig.ready`). Paths that write
    without signals (decide-once transitions, bulk imports, `generate_load_data`) call
    `versioned_cache.model_changed` themselves."""
    versioned_cache.watch(Association, "associations")
    versioned_cache.watch(Association.directions.through, "associations")
    versioned_cache.watch(Association.coordinators.through, "associations")
    versioned_cache.watch(AssociationMembership, "memberships")
    versioned_cache.watch(Organisation, "organisations")
    versioned_cache.watch(Project, "projects")


# The cabinet's lists: applications and the people behind them (`applications.selectors.
# APPLICATION_GROUP`), the organisations and associations they name.
CABINET_GROUPS = (APPLICATION_GROUP, "organisations", "associations")


def member_figures() -> dict:
    """Open associations, member organisations and their regions: the same for everyone (cached;
    2 queries when computed: the associations, and one pass over the active memberships)."""

    def compute() -> dict:
        members = approved_members(Organisation.objects.all()).aggregate(
            organisations=Count("pk"), regions=Count("region", distinct=True)
        )
        return {
            "associations": Association.objects.open().count(),
            "member_organisations": members["organisations"],
            "regions": members["regions"],
        }

    return versioned_cache.cached("figures:members", FIGURE_GROUPS, compute)


def project_counts(user) -> dict[tuple[int, str], int]:
    """{(association id, stage): the number of projects the user may see}, cached per visibility scope
    (`ProjectQuerySet.visibility_scope`; 1 query when computed)."""
    scope = Project.objects.visibility_scope(user)

    def compute() -> dict:
        rows = Project.objects.visible_to(user).order_by().values_list("association_id", "stage")
        return {(association_id, stage): n for association_id, stage, n in rows.annotate(n=Count("pk"))}

    return versioned_cache.cached(f"figures:projects:{scope}", FIGURE_GROUPS, compute)


def cluster_figures(user) -> dict:
    """The cluster in figures; projects counted as the user may see them. Cached: no query on a hit."""
    by_stage = Counter()
    for (_, stage), n in project_counts(user).items():
        by_stage[stage] += n
    return {
        **member_figures(),
        "projects": sum(by_stage.values()),
        "projects_by_stage": [
            (stage, Stage(stage).label, by_stage.get(stage, 0)) for stage in (*BOARD_STAGES, Stage.SUSPENDED)
        ],
    }


def open_associations() -> list:
    """The open associations with their member counts and directions (cached; 2 queries when computed)."""
    return versioned_cache.cached("associations:open", FIGURE_GROUPS, lambda: list(associations_with_counts()))


def associations_with_visible_project_counts(user) -> list:
    """The association list with the number of projects *the user may see* in each (cached)."""
    counts = Counter()
    for (association_id, _), n in project_counts(user).items():
        counts[association_id] += n
    associations = open_associations()
    for association in associations:
        association.project_count = counts.get(association.pk, 0)
    return associations


def association_with_counts(slug: str):
    """An open association with its member counts, directions and coordinators, or None (cached)."""

    def compute():
        return associations_with_counts().prefetch_related("coordinators").filter(slug=slug).first()

    return versioned_cache.cached(f"association:{slug}", FIGURE_GROUPS, compute)


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


# What suggestions are made of: the organisation's directions and memberships, the associations, the
# projects with their participants (a change to any shows at once, core/versioned_cache.py).
SUGGESTION_GROUPS = ("associations", "memberships", "organisations", "projects")


def suggestions_for(organisation: Organisation, user, *, limit: int = 5) -> dict:
    """Associations the organisation has not joined and projects it does not take part in whose
    directions match its own, best first (most shared directions), with the shared directions as
    the reason. Projects are only those the user may see: the suggestions are kept per organisation
    and per what its reader may see (`Project.objects.visibility_scope`, 1 query), until one of their
    groups changes; computed, they take a fixed number of queries (5)."""
    scope = Project.objects.visibility_scope(user)
    return versioned_cache.cached(
        f"suggestions:{organisation.pk}:{limit}:{scope}",
        SUGGESTION_GROUPS,
        lambda: _suggestions(organisation, user, limit=limit),
    )


def _suggestions(organisation: Organisation, user, *, limit: int) -> dict:
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
    # The best few are chosen on narrow rows (project id, count of the shared directions), starting
    # from the direction index's links; only those few are then read whole (147 → 5 ms at 350k).
    best = (
        Project.objects.visible_to(user)
        .exclude(pk__in=taking_part)
        .exclude(lead_organisation=organisation)
        .exclude(stage__in=(Stage.COMPLETED, Stage.SUSPENDED))
        .filter(directions__in=direction_ids)
        .values("pk")
        .annotate(score=Count("directions"))
        .order_by("-score", "-created_at", "-pk")
        .values("pk")[:limit]
    )
    projects = (
        Project.objects.filter(pk__in=best)
        .annotate(score=Count("directions", filter=Q(directions__in=direction_ids), distinct=True))
        .defer("description", "description_en", "staff_notes")
        .select_related("association")
        .order_by("-score", "-created_at", "-pk")
        .prefetch_related(Prefetch("directions", queryset=shared, to_attr="matching_directions"))
    )
    return {
        "associations": [Suggestion("association", a, a.score, a.matching_directions) for a in associations],
        "projects": [Suggestion("project", p, p.score, p.matching_directions) for p in projects],
        "has_directions": True,
    }
