"""Forms of the project pages: they validate and normalise, nothing more."""

from django import forms
from django.utils.translation import gettext_lazy as _

from associations.models import Association
from core import permissions
from core.documents import DocumentsField
from members.models import Organisation

from .models import (
    REQUESTABLE_ROLES,
    RESERVED_SLUGS,
    Milestone,
    ParticipantRole,
    Project,
    ProjectDocument,
    ProjectParticipant,
    Stage,
)
from .services import MILESTONE_FIELDS, PROJECT_FIELDS


class OrganisationByInnField(forms.CharField):
    """A member organisation of the cluster entered by its ИНН (a select of every one would not scale).

    Only members take part in projects; an ИНН that is not registered and one of an organisation
    that is not a member get the same answer, so the form does not tell whether an ИНН is registered.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 12)
        kwargs.setdefault("help_text", _("10 digits for a legal entity, 12 for an individual entrepreneur."))
        super().__init__(**kwargs)
        self.also_allowed = None  # the project's current lead, which may stay even if no longer a member

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        value = value.strip()
        if not value.isdigit() or len(value) not in (10, 12):
            raise forms.ValidationError(_("Enter the INN: 10 or 12 digits."), code="inn_format")
        if self.also_allowed is not None and self.also_allowed.inn == value:
            return self.also_allowed
        organisation = permissions.member_organisations(Organisation.objects.filter(inn=value)).first()
        if organisation is None:
            raise forms.ValidationError(
                _("No member organisation of the cluster has INN %(inn)s."), code="not_member", params={"inn": value}
            )
        return organisation


class ProjectForm(forms.ModelForm):
    lead_organisation_inn = OrganisationByInnField(label=_("Lead organisation (INN)"), required=False)

    class Meta:
        model = Project
        fields = [*PROJECT_FIELDS, "directions"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "directions": forms.CheckboxSelectMultiple,
            "summary": forms.Textarea(attrs={"rows": 2}),
            "summary_en": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"slug": _("The address of the project page: Latin letters, digits and hyphens.")}

    # The directions and the lead come right after the description and the visibility.
    field_order = [
        *PROJECT_FIELDS[: PROJECT_FIELDS.index("visibility")],
        "directions",
        "visibility",
        "lead_organisation_inn",
    ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        associations = permissions.limit_to_coordinated(Association.objects.order_by("name"), user, field="pk")
        self.fields["association"].queryset = associations
        if self.instance.pk and self.instance.lead_organisation_id:
            self.fields["lead_organisation_inn"].initial = self.instance.lead_organisation.inn
            self.fields["lead_organisation_inn"].also_allowed = self.instance.lead_organisation

    def clean_slug(self):
        slug = self.cleaned_data["slug"]
        if slug in RESERVED_SLUGS:
            raise forms.ValidationError(_("This address is reserved; choose another one."), code="reserved")
        return slug

    def project_fields(self) -> dict:
        """The cleaned values as `projects.services.project_create` and `project_update` take them."""
        return {
            **{name: self.cleaned_data[name] for name in PROJECT_FIELDS},
            "directions": self.cleaned_data["directions"],
            "lead_organisation": self.cleaned_data.get("lead_organisation_inn"),
        }


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("New stage"), choices=Stage.choices)
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project

    def clean_stage(self):
        stage = self.cleaned_data["stage"]
        if stage == self.project.stage:
            raise forms.ValidationError(_("The project is already at this stage."), code="same_stage")
        return stage


class ParticipantForm(forms.Form):
    organisation = OrganisationByInnField(label=_("Organisation (INN)"))
    role = forms.ChoiceField(label=_("Role"), choices=ParticipantRole.choices)

    def __init__(self, *args, project, **kwargs):
        super().__init__(*args, **kwargs)
        self.project = project

    def clean_organisation(self):
        organisation = self.cleaned_data["organisation"]
        if ProjectParticipant.objects.filter(project=self.project, organisation=organisation).exists():
            raise forms.ValidationError(_("This organisation already takes part in the project."), code="duplicate")
        return organisation


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "due_on", "state", "completed_on"]
        widgets = {
            "due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "completed_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def milestone_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in MILESTONE_FIELDS}


class DocumentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=250)
    file = DocumentsField(policy=ProjectDocument.POLICY, label=_("File"), required=True)


class ParticipationRequestForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("Organisation"), queryset=Organisation.objects.none())
    role = forms.ChoiceField(label=_("Proposed role"), choices=REQUESTABLE_ROLES)
    message = forms.CharField(
        label=_("What your organisation offers"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        min_length=10,
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0].pk


class ParticipationDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=[("accept", _("Accept")), ("decline", _("Decline"))], widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )
