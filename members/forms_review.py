"""Forms of the review pages: the queue's filters, a decision, a bulk decision.

They validate and normalise; the decisions themselves are members/services.py.
"""

from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import (
    PENDING_REVIEW_STATUSES,
    ApplicationStatus,
    Association,
    AssociationStatus,
    Direction,
    MembershipApplication,
    Region,
)
from .services import BulkDecision

WAITING = "waiting"
ALL = "all"
STATUS_CHOICES = [
    (WAITING, _("Waiting for a decision")),
    *[(s.value, s.label) for s in ApplicationStatus if s != ApplicationStatus.DRAFT],
    (ALL, _("All statuses")),
]
AGE_CHOICES = [
    ("", _("Any time")),
    ("1", _("More than 1 day")),
    ("3", _("More than 3 days")),
    ("7", _("More than a week")),
    ("14", _("More than 2 weeks")),
    ("30", _("More than 30 days")),
]


def reviewed_associations(user):
    """The associations whose applications the user decides on."""
    associations = Association.objects.exclude(status=AssociationStatus.ARCHIVED)
    if user.is_superuser:
        return associations
    return associations.filter(coordinators=user)


class ReviewFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Organisation or ИНН"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name or ИНН")}),
    )
    association = forms.ModelChoiceField(
        label=_("Association"), queryset=Association.objects.none(), required=False, empty_label=_("All")
    )
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    region = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.all(), to_field_name="code", required=False, empty_label=_("All")
    )
    direction = forms.ModelChoiceField(
        label=_("Direction"),
        queryset=Direction.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("All"),
    )
    age = forms.ChoiceField(label=_("Waiting"), choices=AGE_CHOICES, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["association"].queryset = reviewed_associations(user)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def filter(self, applications):
        """Apply the valid filters to `applications`, oldest waiting first."""
        data = {}
        if self.is_bound:
            self.is_valid()  # invalid filters are named on the page and left out; the valid ones apply
            data = self.cleaned_data
        status = data.get("status") or WAITING
        if status == WAITING:
            applications = applications.filter(status__in=PENDING_REVIEW_STATUSES)
        elif status != ALL:
            applications = applications.filter(status=status)
        if q := (data.get("q") or "").strip():
            if q.isdigit():
                applications = applications.filter(organisation__inn__startswith=q)
            else:
                applications = applications.filter(
                    Q(organisation__short_name__icontains=q) | Q(organisation__full_name__icontains=q)
                )
        if data.get("association"):
            applications = applications.filter(association=data["association"])
        if data.get("region"):
            applications = applications.filter(organisation__region=data["region"])
        if direction := data.get("direction"):
            applications = applications.filter(
                Q(
                    pk__in=MembershipApplication.directions.through.objects.filter(direction=direction).values(
                        "membershipapplication_id"
                    )
                )
                | Q(organisation__in=direction.organisations.values("pk"))
            )
        if data.get("age"):
            applications = applications.filter(status_changed_at__lt=timezone.now() - timedelta(days=int(data["age"])))
        return applications.order_by("status_changed_at", "pk")


class DecisionForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment for the applicant"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    internal_note = forms.CharField(
        label=_("Internal note"),
        required=False,
        max_length=5000,
        help_text=_("Seen by reviewers only, never by the applicant."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, comment_required: bool = False, comment_label=None, with_comment: bool = True, **kw):
        super().__init__(*args, **kw)
        self.comment_required = comment_required
        if not with_comment:
            del self.fields["comment"]
            return
        if comment_label:
            self.fields["comment"].label = comment_label
        self.fields["comment"].required = comment_required
        if comment_required:
            self.fields["comment"].error_messages["required"] = _("%(field)s: this field is required.") % {
                "field": self.fields["comment"].label
            }

    def clean_comment(self):
        comment = self.cleaned_data["comment"].strip()
        if self.comment_required and not comment:
            raise ValidationError(
                _("%(field)s: this field is required.") % {"field": self.fields["comment"].label}, code="required"
            )
        return comment


class IdListField(forms.Field):
    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return []
        try:
            return [int(item) for item in value]
        except (TypeError, ValueError):
            raise ValidationError(_("Choose applications from the list."), code="invalid") from None


class BulkDecisionForm(forms.Form):
    applications = IdListField(
        label=_("Applications"), error_messages={"required": _("Applications: choose at least one.")}
    )
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[(BulkDecision.APPROVE, _("Approve")), (BulkDecision.REJECT, _("Reject"))],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": _("Decision: choose approve or reject.")},
    )
    comment = forms.CharField(
        label=_("Reason or comment for the applicants"),
        required=False,
        max_length=5000,
        help_text=_("Required to reject; every applicant receives it."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    internal_note = forms.CharField(
        label=_("Internal note"),
        required=False,
        max_length=5000,
        help_text=_("Seen by reviewers only, never by the applicant."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean(self):
        data = super().clean()
        data["comment"] = (data.get("comment") or "").strip()
        if data.get("decision") == BulkDecision.REJECT and not data["comment"]:
            self.add_error("comment", _("Reason: required to reject applications."))
        return data
