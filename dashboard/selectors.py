"""The dashboard's figures: each one aggregate query over the associations the user may see.

Every function takes the user and the `Filters` (a period and perhaps one association) and returns
a `Figure`: the labels, the series of numbers, and how to draw them. The database counts and
groups (GROUP BY, `TruncWeek`, `Count(filter=...)`, an ordered-set aggregate for the percentiles);
Python only fills the weeks without applications and folds the regions beyond the top ten into
"other", over lists bounded by the period and the 89 regions, never by the number of rows.

Who sees what: cluster staff and administrators every association; a coordinator only the
associations they coordinate (`dashboard_associations`). Notifications belong to no association,
so their figure is for staff and administrators only.
"""

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace

from django.db import connection
from django.db.models import Aggregate, Count, DurationField, Exists, ExpressionWrapper, F, OuterRef, Q, Window
from django.db.models.functions import RowNumber, TruncWeek
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from applications.models import ApplicationStatus, MembershipApplication
from associations.models import Association, AssociationMembership, MembershipStatus
from core import permissions
from core.i18n import localized
from members.models import Organisation
from notifications.models import EmailStatus, Notification
from projects.models import Stage

TOP_REGIONS = 10
# Without PostgreSQL (development on SQLite) the percentiles are computed in Python from the
# latest this many decisions of each association: one query whose size does not grow with the data.
SQLITE_DECISIONS_PER_ASSOCIATION = 1000

OPEN_REVIEW = (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW, ApplicationStatus.INFO_REQUESTED)
OUTCOMES = [
    ("approved", _("Approved"), Q(status=ApplicationStatus.APPROVED)),
    ("rejected", _("Rejected"), Q(status=ApplicationStatus.REJECTED)),
    ("withdrawn", _("Withdrawn"), Q(status=ApplicationStatus.WITHDRAWN)),
    ("open", _("Not decided yet"), Q(status__in=OPEN_REVIEW)),
]


@dataclass(frozen=True)
class Filters:
    start: date  # first day of the period
    end: date  # last day of the period, inclusive
    association: Association | None = None

    @property
    def since(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def until(self) -> datetime:
        """The first moment after the period."""
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))


@dataclass
class Series:
    label: str
    values: list
    chart: bool = True  # False: shown in the table only (a count beside durations)
    decimals: int = 0


@dataclass
class Figure:
    key: str
    title: str
    caption: str
    labels: list[str]
    series: list[Series]
    kind: str = "bar"  # "bar", "stacked" (bars on top of each other), "horizontal"
    unit: str = ""
    label_header: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not any(any(s.values) for s in self.series)

    @property
    def rows(self) -> list[tuple[str, list]]:
        return [(label, [s.values[i] for s in self.series]) for i, label in enumerate(self.labels)]

    @property
    def chart_data_id(self) -> str:
        return f"chart-{self.key}-data"

    @property
    def table_rows(self) -> list[tuple[str, list[tuple]]]:
        """The rows of the table: each value with the decimals and the name of its column."""
        return [
            (label, [(s.values[i], s.decimals, s.label) for s in self.series]) for i, label in enumerate(self.labels)
        ]

    def chart(self) -> dict:
        """What static/js/dashboard.js draws (through `json_script`)."""
        return {
            "kind": self.kind,
            "labels": self.labels,
            "unit": self.unit,
            "datasets": [{"label": s.label, "data": s.values} for s in self.series if s.chart],
        }


class PercentileCont(Aggregate):
    """PostgreSQL's ordered-set aggregate: `percentile_cont(p) WITHIN GROUP (ORDER BY expression)`,
    the value below which the fraction p of the group lies, interpolated between neighbours."""

    function = "PERCENTILE_CONT"
    name = "PercentileCont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fraction: float, **extra):
        if not 0 <= fraction <= 1:
            raise ValueError("the fraction of a percentile is between 0 and 1")
        super().__init__(expression, fraction=float(fraction), **extra)


def percentile_cont(ordered: list[float], fraction: float) -> float:
    """The same as PostgreSQL's `percentile_cont` over an ordered, non-empty list."""
    position = fraction * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def dashboard_associations(user):
    """The associations whose figures the user sees: all for staff and administrators, a coordinator's own."""
    if permissions.sees_everything(user):
        return Association.objects.all()
    return Association.objects.filter(pk__in=permissions.coordinated_association_ids(user))


def _association_ids(user, filters: Filters):
    if filters.association is not None:
        return [filters.association.pk]
    return dashboard_associations(user).values("pk")


def _title(row, prefix: str = "") -> str:
    return localized(SimpleNamespace(name=row[f"{prefix}name"], name_en=row[f"{prefix}name_en"]), "name")


def _days(value: timedelta | None) -> float:
    return round(value.total_seconds() / 86400, 1) if value is not None else 0


def _weeks(filters: Filters) -> list[date]:
    first = filters.start - timedelta(days=filters.start.weekday())
    return [first + timedelta(weeks=i) for i in range((filters.end - first).days // 7 + 1)]


def applications_per_week(user, filters: Filters) -> Figure:
    """Applications submitted each week of the period, by what became of them (1 query)."""
    rows = (
        MembershipApplication.objects.filter(
            association_id__in=_association_ids(user, filters),
            submitted_at__gte=filters.since,
            submitted_at__lt=filters.until,
        )
        .annotate(week=TruncWeek("submitted_at"))
        .values("week")
        .annotate(**{key: Count("pk", filter=condition) for key, _label, condition in OUTCOMES})
        .order_by("week")
    )
    by_week = {
        timezone.localtime(row["week"]).date() if isinstance(row["week"], datetime) else row["week"]: row
        for row in rows
    }
    weeks = _weeks(filters)
    return Figure(
        key="applications",
        title=_("Applications per week by outcome"),
        caption=_("Applications submitted each week of the period, by their outcome so far"),
        labels=[formats.date_format(week, "SHORT_DATE_FORMAT") for week in weeks],
        series=[
            Series(str(label), [by_week.get(week, {}).get(key, 0) for week in weeks]) for key, label, _c in OUTCOMES
        ],
        kind="stacked",
        label_header=_("Week from"),
    )


def decision_times(user, filters: Filters) -> Figure:
    """Median and 90th percentile of the days from submission to decision, per association, for the
    decisions taken in the period (1 query)."""
    decided = MembershipApplication.objects.filter(
        association_id__in=_association_ids(user, filters),
        status__in=(ApplicationStatus.APPROVED, ApplicationStatus.REJECTED),
        submitted_at__isnull=False,
        decided_at__gte=filters.since,
        decided_at__lt=filters.until,
    )
    duration = ExpressionWrapper(F("decided_at") - F("submitted_at"), output_field=DurationField())
    if connection.vendor == "postgresql":
        rows = (
            decided.values("association_id", "association__name", "association__name_en")
            .annotate(n=Count("pk"), median=PercentileCont(duration, 0.5), p90=PercentileCont(duration, 0.9))
            .order_by("association__name")
        )
        table = [(_title(r, "association__"), r["n"], _days(r["median"]), _days(r["p90"])) for r in rows]
        notes = []
    else:
        table = _decision_times_in_python(decided, duration)
        notes = [
            _("Computed from the latest %(n)s decisions of each association.") % {"n": SQLITE_DECISIONS_PER_ASSOCIATION}
        ]
    return Figure(
        key="decision-times",
        title=_("Time from submission to decision"),
        caption=_("Days from submission to decision per association, for decisions taken in the period"),
        labels=[row[0] for row in table],
        series=[
            Series(str(_("Median, days")), [row[2] for row in table], decimals=1),
            Series(str(_("90th percentile, days")), [row[3] for row in table], decimals=1),
            Series(str(_("Decisions")), [row[1] for row in table], chart=False),
        ],
        unit=str(_("days")),
        label_header=_("Association"),
        notes=notes,
    )


def _decision_times_in_python(decided, duration) -> list[tuple]:
    """The SQLite fallback: the latest decisions of each association (a window function bounds them)
    in one query, the percentiles interpolated as PostgreSQL's `percentile_cont` does."""
    latest = decided.annotate(
        rank=Window(RowNumber(), partition_by=F("association_id"), order_by=F("decided_at").desc()),
        duration=duration,
    ).filter(rank__lte=SQLITE_DECISIONS_PER_ASSOCIATION)
    groups: dict[int, tuple[dict, list[float]]] = {}
    for row in latest.values("association_id", "association__name", "association__name_en", "duration"):
        groups.setdefault(row["association_id"], (row, []))[1].append(row["duration"].total_seconds())
    table = []
    for row, seconds in groups.values():
        seconds.sort()
        median, p90 = (timedelta(seconds=percentile_cont(seconds, p)) for p in (0.5, 0.9))
        table.append((_title(row, "association__"), len(seconds), _days(median), _days(p90)))
    return sorted(table, key=lambda r: r[0])


def members_per_association(user, filters: Filters) -> Figure:
    """Active members of each association now (1 query)."""
    rows = (
        Association.objects.filter(pk__in=_association_ids(user, filters))
        .annotate(n=Count("memberships", filter=Q(memberships__status=MembershipStatus.ACTIVE)))
        .values("name", "name_en", "n")
        .order_by("name")
    )
    rows = list(rows)
    return Figure(
        key="members",
        title=_("Members per association"),
        caption=_("Organisations with an active membership, per association, today"),
        labels=[_title(r) for r in rows],
        series=[Series(str(_("Members")), [r["n"] for r in rows])],
        label_header=_("Association"),
    )


def members_by_region(user, filters: Filters) -> Figure:
    """Member organisations by region: the ten regions with most, the rest as "other" (1 query)."""
    member = AssociationMembership.objects.active().filter(
        organisation_id=OuterRef("pk"), association_id__in=_association_ids(user, filters)
    )
    rows = list(
        Organisation.objects.filter(Exists(member))
        .values("region__code", "region__name", "region__name_en")
        .annotate(n=Count("pk"))
        .order_by("-n", "region__code")
    )
    top, rest = rows[:TOP_REGIONS], rows[TOP_REGIONS:]
    labels = [_title(r, "region__") for r in top]
    values = [r["n"] for r in top]
    if rest:
        labels.append(str(_("Other regions")))
        values.append(sum(r["n"] for r in rest))
    return Figure(
        key="regions",
        title=_("Members by region"),
        caption=_("Member organisations by region, the ten regions with most and the others together"),
        labels=labels,
        series=[Series(str(_("Organisations")), values)],
        kind="horizontal",
        label_header=_("Region"),
    )


def projects_by_stage(user, filters: Filters) -> Figure:
    """Projects of each association by stage, now (1 query)."""
    stages = Stage.choices
    rows = list(
        Association.objects.filter(pk__in=_association_ids(user, filters))
        .annotate(**{f"stage_{value}": Count("projects", filter=Q(projects__stage=value)) for value, _l in stages})
        .values("name", "name_en", *(f"stage_{value}" for value, _l in stages))
        .order_by("name")
    )
    return Figure(
        key="projects",
        title=_("Projects by stage"),
        caption=_("Joint projects of each association by stage, today"),
        labels=[_title(r) for r in rows],
        series=[Series(str(label), [r[f"stage_{value}"] for r in rows]) for value, label in stages],
        kind="stacked",
        label_header=_("Association"),
    )


def notifications_state(user, filters: Filters) -> Figure | None:
    """E-mails still waiting to go out (any time) and those that failed in the period (1 query);
    for staff and administrators only."""
    if not permissions.sees_everything(user):
        return None
    counts = Notification.objects.aggregate(
        pending=Count("pk", filter=Q(email_status__in=(EmailStatus.PENDING, EmailStatus.SENDING))),
        failed=Count(
            "pk",
            filter=Q(email_status=EmailStatus.FAILED, created_at__gte=filters.since, created_at__lt=filters.until),
        ),
    )
    return Figure(
        key="notifications",
        title=_("Notifications pending and failed"),
        caption=_("E-mail notifications waiting to be sent now, and those that failed in the period"),
        labels=[str(_("Pending")), str(_("Failed"))],
        series=[Series(str(_("Notifications")), [counts["pending"], counts["failed"]])],
        label_header=_("E-mail"),
    )


FIGURES = (
    applications_per_week,
    decision_times,
    members_per_association,
    members_by_region,
    projects_by_stage,
    notifications_state,
)


def dashboard_figures(user, filters: Filters) -> list[Figure]:
    """Every figure the user may see: one query each."""
    return [figure for make in FIGURES if (figure := make(user, filters)) is not None]
