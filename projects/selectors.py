"""Reads for the project pages: search, filters and sorting, scoped to the user.

GET parameters as PRODUCT.md names them: q, association, direction, stage, region,
plus organisation (a participating organisation's id), sort and view.
"""

import django_filters
from django.db.models import Count, Exists, F, OuterRef, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext_lazy as _

from associations.choices import reference_choices
from associations.models import Association
from core import versioned_cache
from core.exports import Column, in_language
from core.filters import ChoiceOnlyFilter, IdFilter, PortalFilterSet, ReferenceFilter, TextQueryFilter
from core.i18n import page_language
from core.pagination import FUZZY_MAX_PAGES, Capped, fuzzy_page, keyset_page
from core.search import SearchResult, search
from members.models import Direction, Organisation, Region

from .models import (
    BOARD_STAGES,
    PROJECT_SEARCH,
    Milestone,
    ParticipationRequest,
    Project,
    ProjectDocument,
    ProjectParticipant,
    Stage,
    StageChange,
)

SORTS = {
    "newest": ("-created_at", "-pk"),
    "oldest": ("created_at", "pk"),
    "title": ("title", "pk"),
}
PAGE_SIZE = 20
BOARD_COLUMN_SIZE = 12


class ProjectFilterSet(PortalFilterSet):
    q = TextQueryFilter(label=_("Search"))
    association = ReferenceFilter(
        reference=Association.objects, to_field="slug", max_length=80, method="in_association", label=_("Association")
    )
    direction = ReferenceFilter(
        reference=Direction.objects, to_field="slug", max_length=50, method="with_direction", label=_("Direction")
    )
    stage = django_filters.ChoiceFilter(choices=Stage.choices, label=_("Stage"))
    region = ReferenceFilter(
        reference=Region.objects, to_field="code", max_length=2, method="in_region", label=_("Region")
    )
    organisation = IdFilter(method="with_organisation", label=_("Organisation"))
    sort = ChoiceOnlyFilter(
        choices=[("newest", _("Newest first")), ("oldest", _("Oldest first")), ("title", _("Title"))],
        label=_("Sort by"),
    )

    class Meta:
        model = Project
        fields = []

    # EXISTS sub-queries instead of joins, so no row repeats.

    def in_association(self, projects, name, association_id):
        return projects.filter(association_id=association_id)

    def with_direction(self, projects, name, direction_id):
        through = Project.directions.through.objects.filter(project_id=OuterRef("pk"), direction_id=direction_id)
        return projects.filter(Exists(through))

    def in_region(self, projects, name, region_id):
        # Participants only (the lead organisation is a participant with the role "lead", see
        # services._set_lead): without an OR the database can probe project by project.
        in_region = ProjectParticipant.objects.filter(project_id=OuterRef("pk"), organisation__region_id=region_id)
        return projects.filter(Exists(in_region))

    def with_organisation(self, projects, name, organisation_id):
        takes_part = ProjectParticipant.objects.filter(project_id=OuterRef("pk"), organisation_id=organisation_id)
        return projects.filter(Exists(takes_part))

    @property
    def ordering(self) -> tuple[str, str]:
        return SORTS.get(self.values.sort, SORTS["newest"])

    def search(self):
        return search(self.qs, query=self.text, spec=PROJECT_SEARCH)


# What a card shows and a list orders by: the long texts (descriptions, staff notes) are left unread.
CARD_FIELDS = (
    "slug",
    "title",
    "title_en",
    "summary",
    "summary_en",
    "stage",
    "visibility",
    "created_at",
    "association__slug",
    "association__name",
    "association__name_en",
    "association__status",
)


def _for_cards(projects):
    return projects.select_related("association").only(*CARD_FIELDS)


def project_results(user, params) -> tuple[ProjectFilterSet, SearchResult]:
    """The projects the user may see that the filters and the search leave, for the list and its export."""
    filters = ProjectFilterSet(params, queryset=Project.objects.visible_to(user))
    return filters, filters.search()


def project_page(user, params):
    """One page of the projects the user may see.

    Queries: the user's membership (1, only for signed-in users who are not staff), the codes and
    slugs of the filters in use (1, only if any), the capped count (1, or 2 when a text query falls
    back to similar titles), the page (1).
    """
    filters, result = project_results(user, params)
    projects = _for_cards(result.queryset)
    if result.fuzzy:
        page = fuzzy_page(projects, params=params, size=PAGE_SIZE)
        page.extra["fuzzy"] = True
    else:
        page = keyset_page(projects, ordering=filters.ordering, params=params, size=PAGE_SIZE)
        page.extra = {"count": result.count, "more": result.more, "fuzzy": False}
    return filters, page


def project_board(user, params):
    """Projects by stage (idea → completed), the newest few of each column.

    Queries: membership (1), one per column (5) — a fixed number whatever the data.
    """
    filters = ProjectFilterSet(params, queryset=Project.objects.visible_to(user))
    projects = filters.search().queryset
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


def filter_choices() -> dict:
    """The options of the filter form as (value, text) pairs (cached: `associations.choices`)."""
    choices = reference_choices()
    return {
        "associations": choices["associations"],
        "directions": choices["directions"],
        "regions": choices["regions"],
        "stages": Stage.choices,
    }


def visible_project_counts(user, association_ids=None) -> dict:
    """{association id: the number of its projects the user may see} (1 query)."""
    projects = Project.objects.visible_to(user)
    if association_ids is not None:
        projects = projects.filter(association_id__in=association_ids)
    return dict(projects.order_by().values_list("association_id").annotate(n=Count("pk")))


def project_detail_queryset(user):
    return Project.objects.visible_to(user).select_related("association", "lead_organisation__region")


def project_participants(project):
    return project.participants.select_related("organisation__region").order_by(
        "role", "organisation__sort_name", "organisation_id"
    )


def projects_of_organisation(organisation: Organisation, user):
    """The projects the organisation takes part in (its led ones too: the lead is a participant)."""
    takes_part = ProjectParticipant.objects.filter(project_id=OuterRef("pk"), organisation_id=organisation.pk)
    return (
        Project.objects.visible_to(user)
        .filter(Exists(takes_part))
        .select_related("association")
        .order_by("-created_at", "-pk")
    )


PROJECTS_PER_STAGE = 10  # an association page lists this many projects per stage, then links to the list


def projects_by_stage_for_association(association, user, *, per_stage: int = PROJECTS_PER_STAGE):
    """The association's projects the user may see, by stage: the first `per_stage` of each by title,
    with the stage's total (`Capped`), in one query (window functions number and count each stage)."""
    by_stage = Window(RowNumber(), partition_by=F("stage"), order_by=(F("title").asc(), F("pk").asc()))
    projects = (
        Project.objects.visible_to(user)
        .filter(association=association)
        .annotate(position=by_stage, stage_total=Window(Count("pk"), partition_by=F("stage")))
        .filter(position__lte=per_stage)
        .order_by("title", "pk")
    )
    groups, totals = {stage: [] for stage in (*BOARD_STAGES, Stage.SUSPENDED)}, {}
    for project in projects:
        groups[project.stage].append(project)
        totals[project.stage] = project.stage_total
    return [(stage, Stage(stage).label, Capped(items, totals[stage])) for stage, items in groups.items() if items]


def project_columns() -> list[Column]:
    """The columns of the list's cards (title, stage, association, summary) in the page's language."""
    language = page_language()
    stages = {value: str(label) for value, label in Stage.choices}
    return [
        Column(_("Title"), lambda row: in_language(row, "title", language)),
        Column(_("Stage"), lambda row: stages.get(row["stage"], row["stage"])),
        Column(_("Association"), lambda row: in_language(row, "association__name", language)),
        Column(_("Short summary"), lambda row: in_language(row, "summary", language)),
    ]


def project_export_rows(user, params):
    """Every project of the list (all pages, in its order) as `values()` in one query (plus the filters'
    codes and the capped count, as on the page); a search by similar titles exports its best pages."""
    filters, result = project_results(user, params)
    projects = result.queryset if result.fuzzy else result.queryset.order_by(*filters.ordering)
    rows = projects.values(
        "title", "title_en", "stage", "association__name", "association__name_en", "summary", "summary_en"
    )
    return rows[: FUZZY_MAX_PAGES * PAGE_SIZE] if result.fuzzy else rows


# What an anonymous visitor's project pages are made of: a change to any of these rows shows at once
# (core/versioned_cache.py); the decide-once steps bump "projects" themselves (core/transitions.py).
PAGE_GROUPS = ("projects", "associations", "organisations", "references")
# A bump lost while this process saw Redis as down (core/cache.py: writes are skipped then) leaves
# the previous version readable; pages that decide who sees a project are kept 5 minutes at most.
PAGE_TIMEOUT = 300


def watch_project_sources() -> None:
    """Connect the rows a project's page shows to the "projects" group (`ProjectsConfig.ready`)."""
    for model in (
        Project,
        Project.directions.through,
        ProjectParticipant,
        Milestone,
        StageChange,
        ProjectDocument,
        ParticipationRequest,
    ):
        versioned_cache.watch(model, "projects")
