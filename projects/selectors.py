"""Reads for the project pages: search, filters and sorting, scoped to the user.

GET parameters as PRODUCT.md names them: q, association, direction, stage, region,
plus organisation (a participating organisation's id), sort and view.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef, Prefetch, Q

from members.models import Association, Direction, Organisation, Region

from .models import BOARD_STAGES, Project, ProjectParticipant, Stage
from .pagination import fuzzy_page, keyset_page
from .search import PROJECT_VECTOR, SearchResult, search

SORTS = {
    "newest": ("-created_at", "-pk"),
    "oldest": ("created_at", "pk"),
    "title": ("title", "pk"),
}
PAGE_SIZE = 20
BOARD_COLUMN_SIZE = 12


@dataclass
class ProjectFilters:
    q: str = ""
    association: str = ""
    direction: str = ""
    stage: str = ""
    region: str = ""
    organisation: int | None = None
    sort: str = ""

    def query(self) -> str:
        """The filters as a query string (no cursor), for links that keep them."""
        values = {name: value for name, value in self.__dict__.items() if value and name != "sort"}
        return urlencode(values)

    @classmethod
    def from_params(cls, params) -> "ProjectFilters":
        organisation = params.get("organisation", "")
        sort = params.get("sort", "")
        q = (params.get("q") or "").strip()[:200]
        if sort not in SORTS:
            sort = "newest"
        return cls(
            q=q,
            association=params.get("association", "")[:80],
            direction=params.get("direction", "")[:50],
            stage=params.get("stage", "") if params.get("stage") in Stage.values else "",
            region=params.get("region", "")[:2],
            organisation=int(organisation) if organisation.isdigit() else None,
            sort=sort,
        )


def filter_projects(projects, filters: ProjectFilters):
    """The filters other than the text query; EXISTS sub-queries instead of joins, so no row repeats.

    Codes and slugs are resolved to ids first (see members.selectors.reference_ids).
    """
    from members.selectors import reference_ids

    ids = reference_ids(region=filters.region, direction=filters.direction, association=filters.association)
    if ids["association"] is not None:
        projects = projects.filter(association_id=ids["association"])
    if ids["direction"] is not None:
        through = Project.directions.through.objects.filter(project_id=OuterRef("pk"), direction_id=ids["direction"])
        projects = projects.filter(Exists(through))
    if filters.stage:
        projects = projects.filter(stage=filters.stage)
    if ids["region"] is not None:
        # Participants only (the lead organisation is a participant with the role "lead", see
        # services.project_save): without an OR the database can probe project by project.
        in_region = ProjectParticipant.objects.filter(project_id=OuterRef("pk"), organisation__region_id=ids["region"])
        projects = projects.filter(Exists(in_region))
    if filters.organisation:
        takes_part = ProjectParticipant.objects.filter(project_id=OuterRef("pk"), organisation_id=filters.organisation)
        projects = projects.filter(Q(Exists(takes_part)) | Q(lead_organisation_id=filters.organisation))
    return projects


def search_projects(projects, filters: ProjectFilters) -> SearchResult:
    return search(
        projects,
        query=filters.q,
        vectors=PROJECT_VECTOR,
        name_column="projects_project.title",
        substring_fields=("title", "title_en", "summary", "summary_en", "description"),
    )


def _for_cards(projects):
    return projects.select_related("association", "lead_organisation")


def project_page(user, params):
    """One page of the projects the user may see.

    Queries: the user's membership (1, only for signed-in users who are not staff),
    the capped count (1, or 2 when a text query falls back to similar titles), the page (1).
    """
    filters = ProjectFilters.from_params(params)
    result = search_projects(filter_projects(Project.objects.visible_to(user), filters), filters)
    projects = _for_cards(result.queryset)
    if result.fuzzy:
        page = fuzzy_page(projects, params=params, size=PAGE_SIZE)
    else:
        page = keyset_page(projects, ordering=SORTS[filters.sort], params=params, size=PAGE_SIZE)
    if result.fuzzy:
        page.extra["fuzzy"] = True
    else:
        page.extra = {"count": result.count, "more": result.more, "fuzzy": False}
    return filters, page


def project_board(user, params):
    """Projects by stage (idea → completed), the newest few of each column.

    Queries: membership (1), one per column (5) — a fixed number whatever the data.
    """
    filters = ProjectFilters.from_params(params)
    projects = search_projects(filter_projects(Project.objects.visible_to(user), filters), filters).queryset
    columns = []
    for stage in BOARD_STAGES:
        in_stage = projects.filter(stage=stage)
        rows = list(_for_cards(in_stage).order_by("-created_at", "-pk")[: BOARD_COLUMN_SIZE + 1])
        columns.append(
            {
                "stage": stage,
                "label": Stage(stage).label,
                "items": rows[:BOARD_COLUMN_SIZE],
                "more": len(rows) > BOARD_COLUMN_SIZE,
            }
        )
    return filters, columns


def filter_choices():
    """The choices of the filter form (3 queries)."""
    return {
        "associations": Association.objects.order_by("name"),
        "directions": Direction.objects.all(),
        "regions": Region.objects.all(),
        "stages": Stage.choices,
    }


def project_detail_queryset(user):
    return Project.objects.visible_to(user).select_related("association", "lead_organisation__region")


def project_participants(project):
    return project.participants.select_related("organisation__region").order_by("role", "organisation__short_name")


def projects_of_organisation(organisation: Organisation, user):
    takes_part = ProjectParticipant.objects.filter(project_id=OuterRef("pk"), organisation_id=organisation.pk)
    return (
        Project.objects.visible_to(user)
        .filter(Q(Exists(takes_part)) | Q(lead_organisation=organisation))
        .select_related("association")
        .order_by("-created_at", "-pk")
    )


def projects_by_stage_for_association(association, user):
    projects = (
        Project.objects.visible_to(user)
        .filter(association=association)
        .prefetch_related(Prefetch("directions", queryset=Direction.objects.all()))
        .order_by("title")
    )
    groups = {stage: [] for stage in (*BOARD_STAGES, Stage.SUSPENDED)}
    for project in projects:
        groups[project.stage].append(project)
    return [(stage, Stage(stage).label, items) for stage, items in groups.items() if items]
