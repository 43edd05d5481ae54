"""Forms of applications: applying, editing, answering, withdrawing, and the reviewers' decisions.

They validate and normalise; the services in `applications/services/` decide and write.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from associations.choices import open_associations_by_name, reference_choices
from associations.models import Association
from core.documents import DocumentsField
from core.forms import RequiredToSubmitCharField, form_helper
from members.models import Direction, Organisation

from .models import ApplicationDocument, MembershipApplication
from .services import BulkDecision, application_blockers, shown_application_blockers


def documents_field(label):
    return DocumentsField(policy=ApplicationDocument.POLICY, label=label)


def motivation_field():
    """The same question on the application form and on its edit page."""
    return RequiredToSubmitCharField(
        label=_("Motivation"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why your organisation wants to join."),
    )


def competences_field():
    return RequiredToSubmitCharField(
        label=_("Competences offered"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What your organisation brings: products, equipment, expertise."),
    )


class AssociationCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes whose `unavailable` values are shown disabled (the server checks them anyway)."""

    unavailable: frozenset = frozenset()

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if getattr(value, "value", value) in self.unavailable:
            option["attrs"]["disabled"] = True
        return option


class ApplicationForm(forms.Form):
    """One form, one application per chosen association."""

    SUBMIT = "submit"
    DRAFT = "draft"

    form_token = forms.CharField(widget=forms.HiddenInput)
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=_("Organisation"))
    associations = forms.ModelMultipleChoiceField(
        queryset=Association.objects.none(),
        label=_("Associations"),
        widget=AssociationCheckboxes,
        help_text=_("Choose one or more; a separate application is made for each."),
        error_messages={"required": _("Choose at least one association.")},
    )
    motivation = motivation_field()
    competences = competences_field()
    directions = forms.ModelMultipleChoiceField(
        queryset=Direction.objects.none(),
        label=_("Directions of interest"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    documents = documents_field(_("Documents"))

    def __init__(self, *args, user, new_organisation: bool = False, organisations=None, **kwargs):
        """`new_organisation`: the organisation is described on the same page (OrganisationForm);
        `organisations`: the user's, when the caller has read them already."""
        super().__init__(*args, **kwargs)
        if new_organisation:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].queryset = Organisation.objects.of_user(user).order_by("sort_name", "pk")
        # The querysets check what is sent; the options are drawn from the cached lists (and the
        # organisations read once), not from one query per field at every drawing.
        open_associations = open_associations_by_name()
        self.fields["associations"].queryset = Association.objects.open().order_by("name")
        self.fields["associations"].widget.choices = [(a.pk, a.title) for a in open_associations]
        self.fields["directions"].queryset = Direction.objects.order_by("name")
        self.fields["directions"].widget.choices = reference_choices()["direction_ids"]
        self.unavailable = {}
        if "organisation" not in self.fields:
            organisations = []
        else:
            field = self.fields["organisation"]
            organisations = list(field.queryset) if organisations is None else list(organisations)
            field.widget.choices = [("", field.empty_label), *((o.pk, str(o)) for o in organisations)]
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0]
            # Associations this organisation cannot apply to now, with the reason shown above the form.
            self.unavailable = shown_application_blockers(organisation=organisations[0], associations=open_associations)
            self.fields["associations"].widget.unavailable = frozenset(self.unavailable)
        self.helper = form_helper()

    @property
    def action(self) -> str:
        return self.SUBMIT if self.data.get("action") == self.SUBMIT else self.DRAFT

    def clean(self):
        cleaned = super().clean()
        organisation = cleaned.get("organisation")
        associations = cleaned.get("associations")
        if organisation and associations:
            blockers = application_blockers(organisation=organisation, associations=associations)
            if blockers:
                self.add_error("associations", [ValidationError(message) for message in blockers.values()])
        if self.action == self.SUBMIT:
            require_for_submission(self, cleaned)
        return cleaned


def require_for_submission(form, cleaned) -> None:
    if not cleaned.get("motivation", "").strip():
        form.add_error(
            "motivation",
            ValidationError(
                _("Required to submit the application; a draft may be saved without it."),
                code="required",
            ),
        )
    if not cleaned.get("competences", "").strip():
        form.add_error(
            "competences",
            ValidationError(
                _("Required to submit the application; a draft may be saved without it."),
                code="required",
            ),
        )


class ApplicationEditForm(forms.ModelForm):
    """Edit a draft, or complete an application on which information was requested."""

    motivation = motivation_field()
    competences = competences_field()
    documents = documents_field(_("Add documents"))

    class Meta:
        model = MembershipApplication
        fields = ["motivation", "competences", "directions"]
        widgets = {"directions": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["directions"].queryset = Direction.objects.order_by("name")
        self.fields["directions"].widget.choices = reference_choices()["direction_ids"]
        self.fields["documents"].already_attached = self.instance.documents.count()
        self.helper = form_helper()


class ApplicationResponseForm(forms.Form):
    """The applicant's answer to an information request; resubmits the application."""

    comment = forms.CharField(
        label=_("Your answer"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write what you changed, or the information requested.")},
    )
    documents = documents_field(_("Add documents"))

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        self.application = application
        self.fields["documents"].already_attached = application.documents.count()
        self.helper = form_helper()


class WithdrawForm(forms.Form):
    comment = forms.CharField(
        label=_("Reason (optional)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = form_helper()


class ReviewDecisionForm(forms.Form):
    """A reviewer's step on one application: the comment the applicant reads, and a note for reviewers."""

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
