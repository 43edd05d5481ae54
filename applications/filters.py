"""The review queue's filters (django-filter)."""

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from associations.choices import OverseenAssociationSelect, ReferenceSelect
from associations.selectors import overseen_associations
from core.exports import Column, in_language
from core.filters import SearchTextFilter
from core.forms import QuickSelect
from core.i18n import page_language
from members.models import Direction, Region

from .models import PENDING_REVIEW_STATUSES, ApplicationStatus, MembershipApplication

WAITING = "waiting"
ALL = "all"
STATUS_CHOICES = [
    (WAITING, _("Waiting for a decision")),
    *[(s.value, s.label) for s in ApplicationStatus if s != ApplicationStatus.DRAFT],
    (ALL, _("All statuses")),
]
AGE_CHOICES = [
    ("1", _("More than 1 day")),
    ("3", _("More than 3 days")),
    ("7", _("More than a week")),
    ("14", _("More than 2 weeks")),
    ("30", _("More than 30 days")),
]


def _seen_associations(request):
    """The associations whose applications the user sees (`viewable_by`): theirs, every one for staff."""
    return overseen_associations(getattr(request, "user", None))


def _select():
    return QuickSelect(attrs={"class": "form-select"})


class ReviewFilterSet(django_filters.FilterSet):
    """Filters of the applications under `/review/` (those the user reviews, every one for cluster
    staff); the longest waiting first.

    An invalid value is named on the page and left out; the valid ones apply.
    """

    q = SearchTextFilter(
        label=_("Organisation or INN"),
        method="search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name or INN"), "class": "form-control"}),
    )
    association = django_filters.ModelChoiceFilter(
        label=_("Association"),
        queryset=_seen_associations,
        empty_label=_("All"),
        widget=OverseenAssociationSelect(attrs={"class": "form-select"}),
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=STATUS_CHOICES, method="with_status", empty_label=None, widget=_select()
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Region"),
        queryset=Region.objects.all(),
        to_field_name="code",
        field_name="organisation__region",
        empty_label=_("All"),
        widget=ReferenceSelect("regions", empty_label=_("All"), attrs={"class": "form-select"}),
    )
    direction = django_filters.ModelChoiceFilter(
        label=_("Direction"),
        queryset=Direction.objects.all(),
        to_field_name="slug",
        method="with_direction",
        empty_label=_("All"),
        widget=ReferenceSelect("directions", empty_label=_("All"), attrs={"class": "form-select"}),
    )
    age = django_filters.ChoiceFilter(
        label=_("Waiting"), choices=AGE_CHOICES, method="waiting_longer", empty_label=_("Any time"), widget=_select()
    )

    class Meta:
        model = MembershipApplication
        fields = []

    @property
    def form(self):
        if not hasattr(self, "_form"):
            field = super().form.fields["association"]
            field.widget.reader = getattr(self.request, "user", None)
            field.widget.empty_label = field.empty_label
        return self._form

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("status"):
            queryset = self.with_status(queryset, "status", WAITING)
        return queryset.order_by("status_changed_at", "pk")

    def search(self, applications, name, q):
        if q.isdigit():
            return applications.filter(organisation__inn__startswith=q)
        return applications.filter(Q(organisation__short_name__icontains=q) | Q(organisation__full_name__icontains=q))

    def with_status(self, applications, name, status):
        if status == WAITING:
            return applications.filter(status__in=PENDING_REVIEW_STATUSES)
        if status == ALL:
            return applications
        return applications.filter(status=status)

    def with_direction(self, applications, name, direction):
        """Applications naming the direction, or from organisations working in it."""
        chosen = MembershipApplication.directions.through.objects.filter(direction=direction)
        return applications.filter(
            Q(pk__in=chosen.values("membershipapplication_id"))
            | Q(organisation__in=direction.organisations.values("pk"))
        )

    def waiting_longer(self, applications, name, days):
        return applications.filter(status_changed_at__lt=timezone.now() - timedelta(days=int(days)))


def _person(row) -> str:
    """The reviewer's full name («Соколова Наталья Игоревна»), the e-mail when no name is known."""
    parts = (row["assigned_to__last_name"], row["assigned_to__first_name"], row["assigned_to__patronymic"])
    return " ".join(p for p in parts if p) or row["assigned_to__email"] or ""


def queue_columns() -> list[Column]:
    """The columns of the queue's table (the INN is under the organisation's name there), in the page's language."""
    language = page_language()
    statuses = {value: str(label) for value, label in ApplicationStatus.choices}
    return [
        Column(_("Organisation"), lambda row: row["organisation__short_name"]),
        Column(_("INN"), lambda row: row["organisation__inn"]),
        Column(_("Association"), lambda row: in_language(row, "association__name", language)),
        Column(_("Region"), lambda row: in_language(row, "organisation__region__name", language)),
        Column(_("Status"), lambda row: statuses.get(row["status"], row["status"])),
        Column(_("Waiting since"), lambda row: row["status_changed_at"]),
        Column(_("Reviewer"), _person),
    ]


def queue_export_rows(applications):
    """The filtered queue (`ReviewFilterSet.qs`) as `values()` rows with their joins: one query."""
    return applications.values(
        "organisation__short_name",
        "organisation__inn",
        "association__name",
        "association__name_en",
        "organisation__region__name",
        "organisation__region__name_en",
        "status",
        "status_changed_at",
        "assigned_to__last_name",
        "assigned_to__first_name",
        "assigned_to__patronymic",
        "assigned_to__email",
    )
