"""Read-side queries for the public pages and the member directory, scoped to the user who asks."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import CharField, Count, Exists, OuterRef, Prefetch, Q, Value

from projects.models import BOARD_STAGES, Project, Stage, user_is_member
from projects.pagination import capped_count, fuzzy_page, keyset_page
from projects.search import ORG_VECTOR, SearchResult, search

from .models import (
    Association,
    AssociationMembership,
    AssociationStatus,
    Direction,
    MembershipStatus,
    Organisation,
    OrganisationSize,
    Region,
)

DIRECTORY_PAGE_SIZE = 20
# Count at most this many matches: beyond it the page says "more than 200". A low cap lets
# PostgreSQL stop early on broad filters (region + direction over 100,000 organisations).
DIRECTORY_COUNT_CAP = 200
DIRECTORY_SORTS = {"name": ("short_name", "pk"), "newest": ("-created_at", "-pk")}


def active_membership_exists():
    return Exists(AssociationMembership.objects.filter(organisation_id=OuterRef("pk"), status=MembershipStatus.ACTIVE))


def approved_members():
    """Organisations with an active membership, without a join that repeats rows."""
    return Organisation.objects.filter(active_membership_exists())


def cluster_figures(user) -> dict:
    """The cluster in figures, computed from the data; projects counted as the user may see them."""
    projects = Project.objects.visible_to(user)
    by_stage = dict(projects.order_by().values_list("stage").annotate(n=Count("pk")))
    members = approved_members()
    return {
        "associations": Association.objects.exclude(status=AssociationStatus.ARCHIVED).count(),
        "member_organisations": members.count(),
        "regions": Region.objects.filter(Exists(members.filter(region_id=OuterRef("pk")))).count(),
        "projects": sum(by_stage.values()),
        "projects_by_stage": [
            (stage, Stage(stage).label, by_stage.get(stage, 0)) for stage in (*BOARD_STAGES, Stage.SUSPENDED)
        ],
    }


def associations_with_counts():
    active = Q(memberships__status=MembershipStatus.ACTIVE)
    return (
        Association.objects.exclude(status=AssociationStatus.ARCHIVED)
        .annotate(member_count=Count("memberships", filter=active, distinct=True))
        .prefetch_related("directions")
    )


def associations_with_visible_project_counts(user) -> list:
    """The association list with the number of projects *the user may see* in each (2 queries + prefetch)."""
    counts = dict(Project.objects.visible_to(user).order_by().values_list("association_id").annotate(n=Count("pk")))
    associations = list(associations_with_counts())
    for association in associations:
        association.project_count = counts.get(association.pk, 0)
    return associations


# The member directory


def may_use_directory(user) -> bool:
    """Signed-in representatives of member organisations, coordinators, cluster staff and administrators."""
    return user.is_authenticated and user.is_active and (user.sees_everything or user_is_member(user))


@dataclass
class DirectoryFilters:
    q: str = ""
    region: str = ""
    association: str = ""
    direction: str = ""
    size: str = ""
    sort: str = ""

    @classmethod
    def from_params(cls, params) -> "DirectoryFilters":
        q = " ".join((params.get("q") or "").split())[:200]
        sort = params.get("sort", "")
        if sort not in DIRECTORY_SORTS:
            sort = "name"
        size = params.get("size", "")
        return cls(
            q=q,
            region=params.get("region", "")[:2],
            association=params.get("association", "")[:80],
            direction=params.get("direction", "")[:50],
            size=size if size in OrganisationSize.values else "",
            sort=sort,
        )

    def query(self) -> str:
        return urlencode({k: v for k, v in self.__dict__.items() if v and k != "sort"})


def _identifier(q: str) -> str:
    """'inn' or 'ogrn' when the query is an exact identifier (digits of the right length)."""
    digits = q.replace(" ", "")
    if digits.isdigit():
        if len(digits) in (10, 12):
            return "inn"
        if len(digits) in (13, 15):
            return "ogrn"
    return ""


def reference_ids(*, region: str = "", direction: str = "", association: str = "") -> dict:
    """The ids behind the codes and slugs of the filters (one query, only for filters in use).

    Filtering on a literal id lets PostgreSQL use its statistics: Moscow holds half
    of the organisations, and a plan guessed for an average region is far too slow.
    A code or slug that does not exist maps to 0, which matches nothing.
    """
    ids = {"region": None, "direction": None, "association": None}
    wanted = [
        (name, model, field, value)
        for name, model, field, value in (
            ("region", Region, "code", region),
            ("direction", Direction, "slug", direction),
            ("association", Association, "slug", association),
        )
        if value
    ]
    if not wanted:
        return ids
    queries = [
        model.objects.filter(**{field: value}).order_by().values_list(Value(name, output_field=CharField()), "pk")
        for name, model, field, value in wanted
    ]
    found = dict(queries[0].union(*queries[1:], all=True)) if len(queries) > 1 else dict(queries[0])
    for name, *_ in wanted:
        ids[name] = found.get(name, 0)
    return ids


def filter_directory(organisations, filters: DirectoryFilters):
    """The filters other than the text query.

    Sub-queries (`pk IN (SELECT …)`) rather than joins, so no row repeats and the
    database may hash-join a selective filter instead of probing row by row.
    """
    ids = reference_ids(region=filters.region, direction=filters.direction, association=filters.association)
    if ids["region"] is not None:
        organisations = organisations.filter(region_id=ids["region"])
    if ids["association"] is not None:
        in_association = AssociationMembership.objects.filter(
            status=MembershipStatus.ACTIVE, association_id=ids["association"]
        ).values("organisation_id")
        organisations = organisations.filter(pk__in=in_association)
    if ids["direction"] is not None:
        with_direction = Organisation.directions.through.objects.filter(direction_id=ids["direction"]).values(
            "organisation_id"
        )
        organisations = organisations.filter(pk__in=with_direction)
    if filters.size:
        organisations = organisations.filter(size=filters.size)
    return organisations


def directory_search(organisations, filters: DirectoryFilters) -> SearchResult:
    kind = _identifier(filters.q)
    if kind:
        matched = organisations.filter(**{kind: filters.q.replace(" ", "")})
        count, more = capped_count(matched, DIRECTORY_COUNT_CAP)
        return SearchResult(matched, count, more)
    return search(
        organisations,
        query=filters.q,
        vectors=ORG_VECTOR,
        name_column="members_organisation.short_name",
        substring_fields=("short_name", "full_name", "description"),
        count_cap=DIRECTORY_COUNT_CAP,
    )


def directory_page(params):
    """One page of approved member organisations.

    Queries: capped count (1, or 2 when a text query falls back to similar names),
    the page (1), the directions of its rows (1).
    """
    filters = DirectoryFilters.from_params(params)
    result = directory_search(filter_directory(approved_members(), filters), filters)
    organisations = result.queryset.select_related("region").prefetch_related("directions")
    if result.fuzzy:
        page = fuzzy_page(organisations, params=params, size=DIRECTORY_PAGE_SIZE)
    else:
        ordering = DIRECTORY_SORTS[filters.sort]
        page = keyset_page(organisations, ordering=ordering, params=params, size=DIRECTORY_PAGE_SIZE)
    if result.fuzzy:
        page.extra["fuzzy"] = True
    else:
        page.extra = {"count": result.count, "more": result.more, "fuzzy": False}
    return filters, page


def directory_choices():
    return {
        "regions": Region.objects.all(),
        "associations": Association.objects.exclude(status=AssociationStatus.ARCHIVED).order_by("name"),
        "directions": Direction.objects.all(),
        "sizes": OrganisationSize.choices,
    }


def directory_organisations(user):
    """Organisations whose page the user may open: approved members, and the user's own."""
    own = Organisation.objects.filter(representatives__user=user).values("pk")
    return Organisation.objects.filter(Q(active_membership_exists()) | Q(pk__in=own))


def contact_details(organisation: Organisation, user) -> dict:
    """The contacts the viewer may see: the organisation's own choices, all of them for its people and staff."""
    insider = user.sees_everything or organisation.representatives.filter(user=user).exists()
    return {
        "email": organisation.email if (insider or organisation.show_email) else "",
        "phone": organisation.phone if (insider or organisation.show_phone) else "",
        "hidden_email": insider and not organisation.show_email,
        "hidden_phone": insider and not organisation.show_phone,
    }


def organisation_memberships(organisation: Organisation):
    return (
        AssociationMembership.objects.filter(organisation=organisation, status=MembershipStatus.ACTIVE)
        .exclude(association__status=AssociationStatus.ARCHIVED)
        .select_related("association")
        .order_by("association__name")
    )


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
    joined = AssociationMembership.objects.filter(organisation=organisation, status=MembershipStatus.ACTIVE).values(
        "association_id"
    )
    associations = (
        Association.objects.exclude(status=AssociationStatus.ARCHIVED)
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
