"""Managing projects: only the association's coordinators and administrators; stage history;
participation requests decided once, with notifications to both sides.

The shared world: bob coordinates «3D-печать», whose project pellet is led by dave's «Гранула»;
erin coordinates «Фотоника»; alice owns «Аддитив», an organisation outside the project.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core.transitions import Refusal, Refused
from notifications.models import Notification
from projects import services
from projects.forms import ProjectForm
from projects.models import ParticipationRequest, Project, StageChange

from .factories import MembershipFactory, ParticipantFactory, ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def photonics_member(world):
    """«Аддитив» (alice's) is also an active member of «Фотоника»: a cluster member that may ask to
    take part in «3D-печать»'s project pellet, led by dave's «Гранула»."""
    MembershipFactory(organisation=world.applicant_org, association=world.photonics)
    return world.applicant_org


def _valid_project(association, **extra):
    return {
        "association": association.pk,
        "title": "Гранульный принтер",
        "title_en": "Pellet printer",
        "slug": "pellet-printer",
        "summary": "Печать крупногабаритных деталей",
        "visibility": "members",
        "directions": [],
        **extra,
    }


@pytest.mark.parametrize("who", ["bob", "admin"])
def test_it_lets_coordinators_and_admins_create_a_project(client, world, who):
    client.force_login(world[who])
    response = client.post("/projects/new/", _valid_project(world.additive))
    project = Project.objects.get(slug="pellet-printer")
    assert response.status_code == 302 and response["Location"] == project.get_absolute_url()
    assert project.association == world.additive and project.visibility == "members"
    assert list(project.stage_changes.values_list("from_stage", "to_stage", "changed_by")) == [
        ("", "idea", world[who].pk)
    ]


@pytest.mark.parametrize("who", ["erin", "staff", "dave", "alice"])
def test_it_refuses_to_create_projects_for_others(client, world, who):
    client.force_login(world[who])
    response = client.post("/projects/new/", _valid_project(world.additive))
    assert response.status_code in (200, 403)
    assert not Project.objects.filter(slug="pellet-printer").exists()
    if who == "erin":  # may create, but not in an association they do not coordinate
        assert "association" in response.context["form"].errors


def test_it_sends_anonymous_visitors_to_sign_in(client, world):
    assert client.get("/projects/new/").status_code == 302
    assert client.post("/projects/pellet/stage/", {"stage": "development"}).status_code == 302


def test_it_names_the_field_and_the_rule_on_bad_input(client, world):
    client.force_login(world.bob)
    data = _valid_project(
        world.additive, slug="new", lead_organisation_inn="123", starts_on="2026-05-01", ends_on="2026-01-01"
    )
    response = client.post("/projects/new/", data)
    errors = response.context["form"].errors
    assert {"slug", "lead_organisation_inn", "__all__"} <= set(errors)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("bob", 302),
        ("admin", 302),
        ("erin", 403),
        ("staff", 403),
        ("dave", 403),
        ("alice", 403),
    ],
)
def test_it_allows_only_managers_to_change_the_stage(client, world, who, status):
    client.force_login(world[who])
    response = client.post("/projects/pellet/stage/", {"stage": "development", "comment": "Прототип готов"})
    assert response.status_code == status
    project = Project.objects.get(slug="pellet")
    if status == 302:
        assert project.stage == "development"
        change = StageChange.objects.get(project=project)
        assert (change.from_stage, change.to_stage, change.changed_by, change.comment) == (
            "idea",
            "development",
            world[who],
            "Прототип готов",
        )
    else:
        assert project.stage == "idea" and not StageChange.objects.exists()


def test_it_returns_404_for_a_project_the_user_cannot_see(client, world):
    ProjectFactory(association=world.photonics, slug="secret", visibility="staff")
    client.force_login(world.bob)
    assert client.post("/projects/secret/stage/", {"stage": "development"}).status_code == 404
    assert client.get("/projects/secret/edit/").status_code == 404


def test_it_rejects_get_on_the_stage_change(client, world):
    client.force_login(world.bob)
    assert client.get("/projects/pellet/stage/").status_code == 405


def test_it_records_the_stage_history_on_the_page(client, world):
    project = world.project
    project.change_stage("development", by=world.bob, comment="Старт")
    project.change_stage("promotion", by=world.bob)
    assert list(project.stage_changes.values_list("to_stage", flat=True)) == ["development", "promotion"]
    client.force_login(world.staff)
    page = client.get(project.get_absolute_url()).content.decode()
    assert "Старт" in page


def test_it_refuses_a_stale_stage_change(world):
    project = world.project
    stale = Project.objects.get(pk=project.pk)
    project.change_stage("development", by=world.bob)
    with pytest.raises(Refused) as refusal:
        stale.change_stage("completed", by=world.bob)
    assert refusal.value.reason == Refusal.STALE
    assert Project.objects.get(pk=project.pk).stage == "development"


def test_it_keeps_a_stage_change_made_while_the_project_was_being_edited(world):
    stale = Project.objects.get(pk=world.project.pk)
    data = _valid_project(world.additive, slug="pellet", title="Новое название")
    form = ProjectForm(data, instance=stale, user=world.bob)
    assert form.is_valid(), form.errors
    world.project.change_stage("development", by=world.bob)
    services.project_update(project=stale, user=world.bob, **form.project_fields())
    project = Project.objects.get(pk=stale.pk)
    assert (project.title, project.stage) == ("Новое название", "development")


def test_it_lets_a_coordinator_add_participants_and_milestones(client, world):
    client.force_login(world.bob)
    org = world.applicant_org
    MembershipFactory(organisation=org, association=world.photonics)  # a member of the cluster, not of «3D-печать»
    response = client.post("/projects/pellet/participants/add/", {"organisation": org.inn, "role": "manufacturer"})
    assert response.status_code == 302
    assert world.project.participants.exclude(role="lead").get().organisation == org
    duplicate = client.post("/projects/pellet/participants/add/", {"organisation": org.inn, "role": "developer"})
    assert "organisation" in duplicate.context["form"].errors
    unknown = client.post("/projects/pellet/participants/add/", {"organisation": "7707083893", "role": "developer"})
    assert "organisation" in unknown.context["form"].errors
    response = client.post(
        "/projects/pellet/milestones/add/", {"title": "Прототип", "due_on": "2027-03-01", "state": "planned"}
    )
    assert response.status_code == 302
    assert world.project.milestones.get().title == "Прототип"
    done_without_date = client.post(
        "/projects/pellet/milestones/add/", {"title": "X", "due_on": "2027-03-01", "state": "done"}
    )
    assert "completed_on" in done_without_date.context["form"].errors


@pytest.mark.parametrize("who", ["staff", "dave", "alice", "erin"])
def test_it_refuses_participants_and_milestones_from_others(client, world, who):
    client.force_login(world[who])
    org = world.applicant_org
    assert (
        client.post("/projects/pellet/participants/add/", {"organisation": org.inn, "role": "developer"}).status_code
        == 403
    )
    assert (
        client.post(
            "/projects/pellet/milestones/add/", {"title": "X", "due_on": "2027-01-01", "state": "planned"}
        ).status_code
        == 403
    )
    assert not world.project.participants.exclude(role="lead").exists()
    assert not world.project.milestones.exists()


def test_it_uploads_and_serves_documents_to_those_who_see_the_project(client, world):
    client.force_login(world.bob)
    upload = SimpleUploadedFile("plan.pdf", b"%PDF-1.4 plan", content_type="application/pdf")
    assert client.post("/projects/pellet/documents/add/", {"title": "План", "file": upload}).status_code == 302
    document = world.project.documents.get()
    exe = SimpleUploadedFile("plan.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00")  # a PE header, whatever the name
    bad = client.post("/projects/pellet/documents/add/", {"title": "Вирус", "file": exe})
    assert "file" in bad.context["form"].errors
    client.logout()
    response = client.get(f"/projects/pellet/documents/{document.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 plan"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    world.project.visibility = "staff"
    world.project.save()
    assert client.get(f"/projects/pellet/documents/{document.pk}/").status_code == 404


def test_it_runs_a_participation_request_from_ask_to_accept(
    client, world, photonics_member, django_capture_on_commit_callbacks
):
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/projects/pellet/participate/",
            {
                "organisation": world.applicant_org.pk,
                "role": "manufacturer",
                "message": "Печатаем гранулами с 2019 года",
            },
        )
    assert response.status_code == 302
    request = ParticipationRequest.objects.get()
    assert (request.status, request.organisation, request.requested_by) == (
        "pending",
        world.applicant_org,
        world.alice,
    )
    told = set(Notification.objects.filter(kind="project_participation_requested").values_list("recipient", flat=True))
    assert told == {world.bob.pk, world.dave.pk}
    # Asking twice is refused: the organisation is no longer offered.
    assert client.get("/projects/pellet/participate/").status_code == 403

    # alice cannot decide; dave, whose «Гранула» leads the project, can.
    url = f"/projects/pellet/requests/{request.pk}/decide/"
    assert client.post(url, {"decision": "accept"}).status_code == 403
    client.force_login(world.dave)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"decision": "accept", "comment": "Добро пожаловать"}).status_code == 302
    request.refresh_from_db()
    assert (request.status, request.decided_by) == ("accepted", world.dave)
    participant = world.project.participants.exclude(role="lead").get()
    assert (participant.organisation, participant.role) == (world.applicant_org, "manufacturer")
    decided = set(Notification.objects.filter(kind="project_participation_decided").values_list("recipient", flat=True))
    assert decided == {world.alice.pk, world.carol.pk, world.bob.pk}  # «Аддитив»'s people and the coordinator

    # A second decision changes nothing and notifies nobody.
    client.force_login(world.bob)
    client.post(url, {"decision": "decline"})
    request.refresh_from_db()
    assert request.status == "accepted"
    assert Notification.objects.filter(kind="project_participation_decided").count() == 3


def test_it_declines_a_request_and_tells_the_organisation(client, world):
    request = ParticipationRequest.objects.create(
        project=world.project, organisation=world.applicant_org, message="Хотим", requested_by=world.alice
    )
    client.force_login(world.bob)
    client.post(f"/projects/pellet/requests/{request.pk}/decide/", {"decision": "decline", "comment": "Не по профилю"})
    request.refresh_from_db()
    assert request.status == "declined" and not world.project.participants.exclude(role="lead").exists()
    notification = Notification.objects.get(kind="project_participation_decided", recipient=world.alice)
    assert notification.params["comment"] == "Не по профилю"
    told = set(Notification.objects.filter(kind="project_participation_decided").values_list("recipient", flat=True))
    assert told == {world.alice.pk, world.carol.pk, world.dave.pk}


def test_it_renders_the_participation_notifications_in_both_languages(world):
    from notifications.services import render_notification

    user = world.alice
    for language in ("ru", "en"):
        user.language = language
        user.save()
        for kind in ("project_participation_requested", "project_participation_decided"):
            notification = Notification.objects.create(
                recipient=user,
                kind=kind,
                params={
                    "project": "Принтер",
                    "organisation": "ООО «Гранула»",
                    "inn": "7707083893",
                    "status": "accepted",
                    "message": "m",
                    "comment": "",
                },
                url="/projects/pellet/",
            )
            rendered = render_notification(notification)
            assert "ООО «Гранула»" in rendered.subject and "/projects/pellet/" in rendered.text


def test_it_refuses_requests_from_organisations_that_are_not_members(client, world):
    client.force_login(world.alice)  # «Аддитив» has applied, it is no member yet
    assert client.get("/projects/pellet/participate/").status_code == 403
    MembershipFactory(organisation=world.applicant_org, association=world.photonics)
    assert client.get("/projects/pellet/participate/").status_code == 200
    ParticipantFactory(project=world.project, organisation=world.applicant_org)
    assert client.get("/projects/pellet/participate/").status_code == 403


def test_the_participant_form_does_not_tell_whether_an_inn_is_registered(client, world):
    """Finding 5: an unknown ИНН and a registered non-member's ИНН get the same answer, and neither is added."""
    client.force_login(world.bob)
    answers = []
    for inn in ("7707083893", world.applicant_org.inn):  # nobody's; «Аддитив», which applied but is no member
        response = client.post("/projects/pellet/participants/add/", {"organisation": inn, "role": "developer"})
        assert response.status_code == 200
        answers.append(response.context["form"].errors["organisation"][0].replace(inn, "<inn>"))
    assert answers[0] == answers[1]
    assert not world.project.participants.exclude(role="lead").exists()
    response = client.post(
        "/projects/new/", _valid_project(world.additive, lead_organisation_inn=world.applicant_org.inn)
    )
    assert "lead_organisation_inn" in response.context["form"].errors
    assert not Project.objects.filter(slug="pellet-printer").exists()


def test_it_makes_the_lead_organisation_a_participant(client, world):
    client.force_login(world.bob)
    lead = world.applicant_org
    MembershipFactory(organisation=lead, association=world.additive)
    client.post("/projects/new/", _valid_project(world.additive, lead_organisation_inn=lead.inn))
    project = Project.objects.get(slug="pellet-printer")
    assert project.lead_organisation == lead
    assert list(project.participants.values_list("organisation", "role")) == [(lead.pk, "lead")]


def test_a_participant_added_twice_at_once_is_added_once(client, world):
    from unittest import mock

    from projects.forms import ParticipantForm

    client.force_login(world.bob)
    org = world.applicant_org
    MembershipFactory(organisation=org, association=world.additive)
    # Two requests racing past the form's duplicate check: the second must not fail.
    with mock.patch.object(ParticipantForm, "clean_organisation", lambda form: form.cleaned_data["organisation"]):
        for _ in range(2):
            response = client.post("/projects/pellet/participants/add/", {"organisation": org.inn, "role": "developer"})
            assert response.status_code == 302
    assert world.project.participants.filter(organisation=org).count() == 1


def test_a_new_lead_takes_over_and_the_former_lead_stays_as_a_developer(client, world):
    client.force_login(world.bob)
    first, second = world.applicant_org, world.project.lead_organisation
    MembershipFactory(organisation=first, association=world.additive)
    client.post("/projects/new/", _valid_project(world.additive, lead_organisation_inn=first.inn))
    response = client.post(
        "/projects/pellet-printer/edit/", _valid_project(world.additive, lead_organisation_inn=second.inn)
    )
    assert response.status_code == 302
    project = Project.objects.get(slug="pellet-printer")
    assert project.lead_organisation == second
    roles = dict(project.participants.values_list("organisation", "role"))
    assert roles == {second.pk: "lead", first.pk: "developer"}
