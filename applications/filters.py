"""The review queue's filters (django-filter)."""

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from associations.selectors import coordinated_associations
from core.filters import SearchTextFilter
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


def _reviewed_associations(request):
    return coordinated_associations(getattr(request, "user", None))


def _select():
    return forms.Select(attrs={"class": "form-select"})


class ReviewFilterSet(django_filters.FilterSet):
    """Filters of the applications a reviewer may decide on; the longest waiting first.

    An invalid value is named on the page and left out; the valid ones apply.
    """

    q = SearchTextFilter(
        label=_("Organisation or INN"),
        method="search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name or INN"), "class": "form-control"}),
    )
    association = django_filters.ModelChoiceFilter(
        label=_("Association"), queryset=_reviewed_associations, empty_label=_("All"), widget=_select()
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
        widget=_select(),
    )
    direction = django_filters.ModelChoiceFilter(
        label=_("Direction"),
        queryset=Direction.objects.all(),
        to_field_name="slug",
        method="with_direction",
        empty_label=_("All"),
        widget=_select(),
    )
    age = django_filters.ChoiceFilter(
        label=_("Waiting"), choices=AGE_CHOICES, method="waiting_longer", empty_label=_("Any time"), widget=_select()
    )

    class Meta:
        model = MembershipApplication
        fields = []

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
