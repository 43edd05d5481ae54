"""Required fields are marked the same way in every form: the asterisk at the label and
`required` on the input; optional fields carry neither.

Motivation and competences are needed to submit an application though a draft may leave them
empty: they are marked required too, and a draft still saves without them.
"""

import re

import pytest
from django.template import Context, Template
from django.urls import reverse

from applications.forms import ApplicationEditForm, ApplicationForm, ApplicationResponseForm, WithdrawForm
from members.forms import InvitationForm, OrganisationForm
from members.models import Organisation
from projects.forms import (
    DocumentForm,
    MilestoneForm,
    ParticipantForm,
    ParticipationRequestForm,
    ProjectForm,
)

pytestmark = pytest.mark.django_db


def crispy(form) -> str:
    return Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(Context({"form": form}))


def field_html(html: str, form, name: str) -> str:
    start = html.index(f'id="div_{form[name].auto_id}"')
    following = html.find('id="div_id_', start + 1)
    return html[start : following if following != -1 else len(html)]


def forms(world):
    yield ApplicationForm(user=world.alice)
    yield ApplicationEditForm(instance=world.application)
    yield ApplicationResponseForm(application=world.application)
    yield WithdrawForm()
    yield OrganisationForm()
    yield InvitationForm(organisation=world.applicant_org)
    yield ProjectForm(user=world.bob)
    yield ParticipantForm(project=world.project)
    yield MilestoneForm()
    yield DocumentForm()
    yield ParticipationRequestForm(organisations=Organisation.objects.filter(pk=world.member_org.pk))


def test_every_form_marks_exactly_its_required_fields(world):
    checked = 0
    for form in forms(world):
        html = crispy(form)
        for name, field in form.fields.items():
            if field.widget.is_hidden:
                continue
            part = field_html(html, form, name)
            label = re.search(r"<(label|legend)[^>]*>(.*?)</(label|legend)>", part, re.S).group(2)
            marked = 'class="asteriskField"' in label
            assert marked == field.required, (
                f"{type(form).__name__}.{name}: asterisk {marked}, required {field.required}"
            )
            # HTML has no `required` for a group of checkboxes, nor for a select that always has a
            # value (no empty option): Django leaves it out there, and the asterisk alone says it.
            if field.required and field.widget.use_required_attribute(form[name].initial):
                assert re.search(r"<(input|select|textarea)[^>]* required", part), f"{type(form).__name__}.{name}"
            checked += 1
    assert checked > 30


@pytest.mark.parametrize("form_class", [ApplicationForm, ApplicationEditForm])
def test_motivation_and_competences_are_marked_required(world, form_class):
    form = (
        ApplicationForm(user=world.alice) if form_class is ApplicationForm else form_class(instance=world.application)
    )
    html = crispy(form)
    for name in ("motivation", "competences"):
        part = field_html(html, form, name)
        assert '<span class="asteriskField">*</span>' in part
        assert re.search(r"<textarea[^>]* required", part)


def test_a_draft_still_saves_without_motivation_and_competences(world):
    data = {
        "form_token": "t",
        "organisation": world.applicant_org.pk,
        "associations": [world.photonics.pk],
        "motivation": "",
        "competences": " ",
        "action": ApplicationForm.DRAFT,
    }
    assert ApplicationForm(data, user=world.alice).is_valid()
    submitted = ApplicationForm({**data, "action": ApplicationForm.SUBMIT}, user=world.alice)
    assert not submitted.is_valid()
    assert {e.code for e in submitted.errors.as_data()["motivation"]} == {"required"}
    assert {e.code for e in submitted.errors.as_data()["competences"]} == {"required"}
    edit = ApplicationEditForm({"motivation": "", "competences": ""}, instance=world.application)
    assert edit.is_valid(), edit.errors


def test_the_reviewers_forms_mark_required_fields_like_crispy_does(client, world):
    type(world.application).objects.filter(pk=world.application.pk).update(status="in_review", assigned_to=world.bob)
    client.force_login(world.bob)
    html = client.get(reverse("applications:review-detail", args=[world.application.pk])).content.decode()
    reject = html[html.index('id="action-reject"') :]
    reject = reject[: reject.index("</form>")]
    assert '<span class="asteriskField">*</span>' in reject
    assert re.search(r"<textarea[^>]* required", reject)
