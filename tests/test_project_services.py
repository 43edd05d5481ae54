"""projects.services: every write of a project, and the lead kept as one participant."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction

from core.documents import check_uploads
from core.transitions import Refusal, Refused
from projects import services
from projects.models import Milestone, ProjectDocument, ProjectParticipant, StageChange

from .factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def member(short_name):
    """An organisation with an active membership: only members take part in projects."""
    organisation = OrganisationFactory(short_name=short_name)
    MembershipFactory(organisation=organisation)
    return organisation


def roles(project):
    return dict(project.participants.values_list("organisation__short_name", "role"))


def project_fields(world, **extra):
    return {
        "association": world.additive,
        "title": "Сканер",
        "title_en": "Scanner",
        "slug": "scanner",
        "summary": "3D-сканер",
        "summary_en": "",
        "description": "",
        "visibility": "public",
        "starts_on": None,
        "ends_on": None,
        "budget_rub": None,
        "staff_notes": "",
        "directions": [],
        **extra,
    }


def test_it_creates_a_project_with_its_lead_as_a_participant_and_its_first_stage(world):
    project = services.project_create(user=world.bob, lead_organisation=world.member_org, **project_fields(world))
    assert project.lead_organisation == world.member_org
    assert roles(project) == {"ООО «Гранула»": "lead"}
    assert list(StageChange.objects.filter(project=project).values_list("from_stage", "to_stage", "changed_by")) == [
        ("", "idea", world.bob.pk)
    ]


def test_only_the_associations_coordinators_create_its_projects(world):
    for user in (world.erin, world.dave, world.staff):
        with pytest.raises(PermissionDenied):
            services.project_create(user=user, **project_fields(world))
    assert not world.additive.projects.filter(slug="scanner").exists()


def test_it_validates_what_the_form_validates(world):
    fields = project_fields(world, starts_on=datetime.date(2027, 5, 1), ends_on=datetime.date(2027, 1, 1))
    with pytest.raises(ValidationError):
        services.project_create(user=world.bob, **fields)
    with pytest.raises(ValidationError):
        services.project_create(user=world.bob, **project_fields(world, slug="pellet"))  # taken


def test_changing_the_lead_keeps_the_former_lead_as_a_developer(world):
    project = world.project
    newcomer = member("ООО «Новый»")
    services.project_update(
        project=project, user=world.bob, lead_organisation=newcomer, **project_fields(world, slug="pellet")
    )
    project.refresh_from_db()
    assert project.lead_organisation == newcomer
    assert roles(project) == {"ООО «Гранула»": "developer", "ООО «Новый»": "lead"}
    services.project_update(
        project=project, user=world.bob, lead_organisation=None, **project_fields(world, slug="pellet")
    )
    project.refresh_from_db()
    assert project.lead_organisation is None
    assert set(roles(project).values()) == {"developer"}


def test_adding_a_participant_as_the_lead_makes_it_the_one_lead(world):
    project = world.project
    newcomer = member("ООО «Новый»")
    services.participant_add(project=project, user=world.bob, organisation=newcomer, role="lead")
    project.refresh_from_db()
    assert project.lead_organisation == newcomer
    assert roles(project) == {"ООО «Гранула»": "developer", "ООО «Новый»": "lead"}
    assert ProjectParticipant.objects.filter(project=project, role="lead").count() == 1


def test_adding_a_participant_twice_adds_it_once(world):
    other = member("ООО «Другой»")
    first = services.participant_add(project=world.project, user=world.bob, organisation=other, role="research")
    second = services.participant_add(project=world.project, user=world.bob, organisation=other, role="developer")
    assert first.pk == second.pk and second.role == "research"
    with pytest.raises(Refused) as refusal:
        services.participant_add(project=world.project, user=world.bob, organisation=other, role="boss")
    assert refusal.value.reason == Refusal.INVALID


def test_only_member_organisations_take_part_or_lead(world):
    """Finding 5: a coordinator could add an organisation that never joined (an ИП's name then shows publicly)."""
    outsider = OrganisationFactory(short_name="ИП Иванов И. И.")
    for role in ("developer", "lead"):
        with pytest.raises(Refused) as refusal:
            services.participant_add(project=world.project, user=world.bob, organisation=outsider, role=role)
        assert refusal.value.reason == Refusal.INVALID
    with pytest.raises(Refused):
        services.project_create(user=world.bob, lead_organisation=outsider, **project_fields(world))
    with pytest.raises(Refused):
        services.project_update(
            project=world.project, user=world.bob, lead_organisation=outsider, **project_fields(world, slug="pellet")
        )
    assert roles(world.project) == {"ООО «Гранула»": "lead"}
    assert not world.additive.projects.filter(slug="scanner").exists()


def test_a_lead_whose_membership_ended_stays_while_the_project_is_edited(world):
    world.member_org.memberships.update(status="ended")
    services.project_update(
        project=world.project,
        user=world.bob,
        lead_organisation=world.member_org,
        **project_fields(world, slug="pellet"),
    )
    assert roles(world.project) == {"ООО «Гранула»": "lead"}


def test_removing_a_participant(world):
    other = member("ООО «Другой»")
    participant = services.participant_add(project=world.project, user=world.bob, organisation=other, role="research")
    with pytest.raises(PermissionDenied):
        services.participant_remove(participant=participant, user=world.dave)
    services.participant_remove(participant=participant, user=world.bob)
    assert roles(world.project) == {"ООО «Гранула»": "lead"}


def test_the_lead_is_not_removed_while_it_leads(world):
    lead = world.project.participants.get(role="lead")
    with pytest.raises(Refused) as refusal:
        services.participant_remove(participant=lead, user=world.bob)
    assert refusal.value.reason == Refusal.NOT_ALLOWED
    world.project.refresh_from_db()
    assert world.project.lead_organisation == world.member_org
    assert roles(world.project) == {"ООО «Гранула»": "lead"}


def test_the_page_says_why_the_lead_stays(client, world):
    lead = world.project.participants.get(role="lead")
    client.force_login(world.bob)
    response = client.post(f"/projects/pellet/participants/{lead.pk}/remove/", follow=True)
    assert "choose another lead" in response.content.decode() or "сначала выберите другую" in response.content.decode()
    assert world.project.participants.filter(pk=lead.pk).exists()


def test_the_database_refuses_a_second_lead(world):
    other = OrganisationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ProjectParticipant.objects.create(project=world.project, organisation=other, role="lead")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_a_lead_that_does_not_take_part(world):
    other = OrganisationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        type(world.project).objects.filter(pk=world.project.pk).update(lead_organisation=other)
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with pytest.raises(IntegrityError), transaction.atomic():
        world.project.participants.filter(role="lead").delete()
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def test_stage_changes_are_refused_with_their_reason_on_the_page(client, world):
    client.force_login(world.bob)
    stale = type(world.project).objects.get(pk=world.project.pk)
    services.project_change_stage(project=world.project, user=world.bob, stage="development")
    with pytest.raises(Refused) as refusal:
        services.project_change_stage(project=stale, user=world.bob, stage="promotion")
    assert refusal.value.reason == Refusal.STALE
    with pytest.raises(PermissionDenied):
        services.project_change_stage(project=world.project, user=world.erin, stage="promotion")


def test_milestones_are_checked_by_the_model(world):
    milestone = services.milestone_save(
        project=world.project, user=world.bob, title="Прототип", due_on=datetime.date(2027, 3, 1), state="planned"
    )
    with pytest.raises(ValidationError) as error:
        services.milestone_save(project=world.project, user=world.bob, milestone=milestone, state="done")
    assert "completed_on" in error.value.message_dict
    services.milestone_save(
        project=world.project,
        user=world.bob,
        milestone=milestone,
        state="done",
        completed_on=datetime.date(2027, 2, 20),
    )
    assert Milestone.objects.get(pk=milestone.pk).state == "done"
    other = services.project_create(user=world.bob, **project_fields(world))
    with pytest.raises(PermissionDenied):
        services.milestone_save(project=other, user=world.bob, milestone=milestone, title="Чужой")


def test_documents_are_stored_by_their_detected_type(world):
    (checked,) = check_uploads([SimpleUploadedFile("plan.txt", b"%PDF-1.4 plan")], ProjectDocument.POLICY)
    document = services.document_add(project=world.project, user=world.bob, title="План", checked=checked)
    assert (document.content_type, document.extension, document.download_name) == ("application/pdf", "pdf", "plan.pdf")
    with pytest.raises(PermissionDenied):
        services.document_add(project=world.project, user=world.dave, title="План", checked=checked)


def test_a_request_cannot_propose_the_lead(world):
    member = OrganisationFactory()
    MembershipFactory(organisation=member, association=world.additive)
    with pytest.raises(Refused) as refusal:
        services.participation_request_create(
            project=world.project, organisation=member, user=world.charlie, role="lead", message="Хотим руководить"
        )
    assert refusal.value.reason == Refusal.INVALID
    with pytest.raises(Refused) as refusal:
        services.participation_request_create(
            project=world.project, organisation=member, user=world.charlie, role="developer", message="Не наша"
        )
    assert refusal.value.reason == Refusal.NOT_ALLOWED  # charlie does not act for it
