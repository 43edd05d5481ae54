"""Managing projects: only the association's coordinators and administrators; stage history;
participation requests decided once, with notifications to both sides."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from core.transitions import Refusal, Refused
from notifications.models import Notification
from projects import services
from projects.forms import ProjectForm
from projects.models import ParticipationRequest, Project, StageChange

from .factories import (
    AssociationFactory,
    MembershipFactory,
    OrganisationFactory,
    ParticipantFactory,
    ProjectFactory,
    RepresentativeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def setup():
    association = AssociationFactory(slug="additive")
    other = AssociationFactory(slug="photonics")
    coordinator = UserFactory()
    association.coordinators.add(coordinator)
    other_coordinator = UserFactory()
    other.coordinators.add(other_coordinator)
    lead = OrganisationFactory(short_name="ООО «Лидер»")
    MembershipFactory(organisation=lead, association=association)
    lead_person = RepresentativeFactory(organisation=lead).user
    project = ProjectFactory(association=association, slug="pellet", lead_organisation=lead, stage="idea")
    applicant_org = OrganisationFactory(short_name="ООО «Гранула»")
    MembershipFactory(organisation=applicant_org, association=other)
    applicant = RepresentativeFactory(organisation=applicant_org).user
    return {
        "association": association,
        "project": project,
        "coordinator": coordinator,
        "other_coordinator": other_coordinator,
        "lead_person": lead_person,
        "applicant": applicant,
        "applicant_org": applicant_org,
        "staff": UserFactory(is_cluster_staff=True),
        "admin": User.objects.create_superuser("root@example.com", "x"),
    }


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


@pytest.mark.parametrize("who", ["coordinator", "admin"])
def test_it_lets_coordinators_and_admins_create_a_project(client, setup, who):
    client.force_login(setup[who])
    response = client.post("/projects/new/", _valid_project(setup["association"]))
    project = Project.objects.get(slug="pellet-printer")
    assert response.status_code == 302 and response["Location"] == project.get_absolute_url()
    assert project.association == setup["association"] and project.visibility == "members"
    assert list(project.stage_changes.values_list("from_stage", "to_stage", "changed_by")) == [
        ("", "idea", setup[who].pk)
    ]


@pytest.mark.parametrize("who", ["other_coordinator", "staff", "lead_person", "applicant"])
def test_it_refuses_to_create_projects_for_others(client, setup, who):
    client.force_login(setup[who])
    response = client.post("/projects/new/", _valid_project(setup["association"]))
    assert response.status_code in (200, 403)
    assert not Project.objects.filter(slug="pellet-printer").exists()
    if who == "other_coordinator":  # may create, but not in an association they do not coordinate
        assert "association" in response.context["form"].errors


def test_it_sends_anonymous_visitors_to_sign_in(client, setup):
    assert client.get("/projects/new/").status_code == 302
    assert client.post("/projects/pellet/stage/", {"stage": "development"}).status_code == 302


def test_it_names_the_field_and_the_rule_on_bad_input(client, setup):
    client.force_login(setup["coordinator"])
    data = _valid_project(
        setup["association"], slug="new", lead_organisation_inn="123", starts_on="2026-05-01", ends_on="2026-01-01"
    )
    response = client.post("/projects/new/", data)
    errors = response.context["form"].errors
    assert {"slug", "lead_organisation_inn", "__all__"} <= set(errors)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("coordinator", 302),
        ("admin", 302),
        ("other_coordinator", 403),
        ("staff", 403),
        ("lead_person", 403),
        ("applicant", 403),
    ],
)
def test_it_allows_only_managers_to_change_the_stage(client, setup, who, status):
    client.force_login(setup[who])
    response = client.post("/projects/pellet/stage/", {"stage": "development", "comment": "Прототип готов"})
    assert response.status_code == status
    project = Project.objects.get(slug="pellet")
    if status == 302:
        assert project.stage == "development"
        change = StageChange.objects.get(project=project)
        assert (change.from_stage, change.to_stage, change.changed_by, change.comment) == (
            "idea",
            "development",
            setup[who],
            "Прототип готов",
        )
    else:
        assert project.stage == "idea" and not StageChange.objects.exists()


def test_it_returns_404_for_a_project_the_user_cannot_see(client, setup):
    ProjectFactory(slug="secret", visibility="staff")
    client.force_login(setup["coordinator"])
    assert client.post("/projects/secret/stage/", {"stage": "development"}).status_code == 404
    assert client.get("/projects/secret/edit/").status_code == 404


def test_it_rejects_get_on_the_stage_change(client, setup):
    client.force_login(setup["coordinator"])
    assert client.get("/projects/pellet/stage/").status_code == 405


def test_it_records_the_stage_history_on_the_page(client, setup):
    project = setup["project"]
    project.change_stage("development", by=setup["coordinator"], comment="Старт")
    project.change_stage("promotion", by=setup["coordinator"])
    assert list(project.stage_changes.values_list("to_stage", flat=True)) == ["development", "promotion"]
    client.force_login(setup["staff"])
    page = client.get(project.get_absolute_url()).content.decode()
    assert "Старт" in page


def test_it_refuses_a_stale_stage_change(setup):
    project = setup["project"]
    stale = Project.objects.get(pk=project.pk)
    project.change_stage("development", by=setup["coordinator"])
    with pytest.raises(Refused) as refusal:
        stale.change_stage("completed", by=setup["coordinator"])
    assert refusal.value.reason == Refusal.STALE
    assert Project.objects.get(pk=project.pk).stage == "development"


def test_it_keeps_a_stage_change_made_while_the_project_was_being_edited(setup):
    stale = Project.objects.get(pk=setup["project"].pk)
    data = _valid_project(setup["association"], slug="pellet", title="Новое название")
    form = ProjectForm(data, instance=stale, user=setup["coordinator"])
    assert form.is_valid(), form.errors
    setup["project"].change_stage("development", by=setup["coordinator"])
    services.project_update(project=stale, user=setup["coordinator"], **form.project_fields())
    project = Project.objects.get(pk=stale.pk)
    assert (project.title, project.stage) == ("Новое название", "development")


def test_it_lets_a_coordinator_add_participants_and_milestones(client, setup):
    client.force_login(setup["coordinator"])
    org = setup["applicant_org"]
    response = client.post("/projects/pellet/participants/add/", {"organisation": org.inn, "role": "manufacturer"})
    assert response.status_code == 302
    assert setup["project"].participants.exclude(role="lead").get().organisation == org
    duplicate = client.post("/projects/pellet/participants/add/", {"organisation": org.inn, "role": "developer"})
    assert "organisation" in duplicate.context["form"].errors
    unknown = client.post("/projects/pellet/participants/add/", {"organisation": "7707083893", "role": "developer"})
    assert "organisation" in unknown.context["form"].errors
    response = client.post(
        "/projects/pellet/milestones/add/", {"title": "Прототип", "due_on": "2027-03-01", "state": "planned"}
    )
    assert response.status_code == 302
    assert setup["project"].milestones.get().title == "Прототип"
    done_without_date = client.post(
        "/projects/pellet/milestones/add/", {"title": "X", "due_on": "2027-03-01", "state": "done"}
    )
    assert "completed_on" in done_without_date.context["form"].errors


@pytest.mark.parametrize("who", ["staff", "lead_person", "applicant", "other_coordinator"])
def test_it_refuses_participants_and_milestones_from_others(client, setup, who):
    client.force_login(setup[who])
    org = setup["applicant_org"]
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
    assert not setup["project"].participants.exclude(role="lead").exists()
    assert not setup["project"].milestones.exists()


def test_it_uploads_and_serves_documents_to_those_who_see_the_project(client, setup):
    client.force_login(setup["coordinator"])
    upload = SimpleUploadedFile("plan.pdf", b"%PDF-1.4 plan", content_type="application/pdf")
    assert client.post("/projects/pellet/documents/add/", {"title": "План", "file": upload}).status_code == 302
    document = setup["project"].documents.get()
    exe = SimpleUploadedFile("plan.pdf", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00")  # a PE header, whatever the name
    bad = client.post("/projects/pellet/documents/add/", {"title": "Вирус", "file": exe})
    assert "file" in bad.context["form"].errors
    client.logout()
    response = client.get(f"/projects/pellet/documents/{document.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 plan"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    setup["project"].visibility = "staff"
    setup["project"].save()
    assert client.get(f"/projects/pellet/documents/{document.pk}/").status_code == 404


def test_it_runs_a_participation_request_from_ask_to_accept(client, setup, django_capture_on_commit_callbacks):
    client.force_login(setup["applicant"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/projects/pellet/participate/",
            {
                "organisation": setup["applicant_org"].pk,
                "role": "manufacturer",
                "message": "Печатаем гранулами с 2019 года",
            },
        )
    assert response.status_code == 302
    request = ParticipationRequest.objects.get()
    assert (request.status, request.organisation, request.requested_by) == (
        "pending",
        setup["applicant_org"],
        setup["applicant"],
    )
    told = set(Notification.objects.filter(kind="project_participation_requested").values_list("recipient", flat=True))
    assert told == {setup["coordinator"].pk, setup["lead_person"].pk}
    # Asking twice is refused: the organisation is no longer offered.
    assert client.get("/projects/pellet/participate/").status_code == 403

    # The applicant cannot decide; the lead organisation's person can.
    url = f"/projects/pellet/requests/{request.pk}/decide/"
    assert client.post(url, {"decision": "accept"}).status_code == 403
    client.force_login(setup["lead_person"])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"decision": "accept", "comment": "Добро пожаловать"}).status_code == 302
    request.refresh_from_db()
    assert (request.status, request.decided_by) == ("accepted", setup["lead_person"])
    participant = setup["project"].participants.exclude(role="lead").get()
    assert (participant.organisation, participant.role) == (setup["applicant_org"], "manufacturer")
    decided = set(Notification.objects.filter(kind="project_participation_decided").values_list("recipient", flat=True))
    assert decided == {setup["applicant"].pk, setup["coordinator"].pk}

    # A second decision changes nothing and notifies nobody.
    client.force_login(setup["coordinator"])
    client.post(url, {"decision": "decline"})
    request.refresh_from_db()
    assert request.status == "accepted"
    assert Notification.objects.filter(kind="project_participation_decided").count() == 2


def test_it_declines_a_request_and_tells_the_organisation(client, setup):
    request = ParticipationRequest.objects.create(
        project=setup["project"], organisation=setup["applicant_org"], message="Хотим", requested_by=setup["applicant"]
    )
    client.force_login(setup["coordinator"])
    client.post(f"/projects/pellet/requests/{request.pk}/decide/", {"decision": "decline", "comment": "Не по профилю"})
    request.refresh_from_db()
    assert request.status == "declined" and not setup["project"].participants.exclude(role="lead").exists()
    notification = Notification.objects.get(kind="project_participation_decided", recipient=setup["applicant"])
    assert notification.params["comment"] == "Не по профилю"


def test_it_renders_the_participation_notifications_in_both_languages(setup):
    from notifications.services import render_notification

    user = setup["applicant"]
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


def test_it_refuses_requests_from_organisations_that_are_not_members(client, setup):
    outsider = RepresentativeFactory().user
    client.force_login(outsider)
    assert client.get("/projects/pellet/participate/").status_code == 403
    ParticipantFactory(project=setup["project"], organisation=setup["applicant_org"])
    client.force_login(setup["applicant"])
    assert client.get("/projects/pellet/participate/").status_code == 403


def test_it_makes_the_lead_organisation_a_participant(client, setup):
    client.force_login(setup["coordinator"])
    lead = setup["applicant_org"]
    client.post("/projects/new/", _valid_project(setup["association"], lead_organisation_inn=lead.inn))
    project = Project.objects.get(slug="pellet-printer")
    assert project.lead_organisation == lead
    assert list(project.participants.values_list("organisation", "role")) == [(lead.pk, "lead")]


def test_a_participant_added_twice_at_once_is_added_once(client, setup):
    from unittest import mock

    from projects.forms import ParticipantForm

    client.force_login(setup["coordinator"])
    org = setup["applicant_org"]
    # Two requests racing past the form's duplicate check: the second must not fail.
    with mock.patch.object(ParticipantForm, "clean_organisation", lambda form: form.cleaned_data["organisation"]):
        for _ in range(2):
            response = client.post("/projects/pellet/participants/add/", {"organisation": org.inn, "role": "developer"})
            assert response.status_code == 302
    assert setup["project"].participants.filter(organisation=org).count() == 1


def test_a_new_lead_takes_over_and_the_former_lead_stays_as_a_developer(client, setup):
    client.force_login(setup["coordinator"])
    first, second = setup["applicant_org"], setup["project"].lead_organisation
    client.post("/projects/new/", _valid_project(setup["association"], lead_organisation_inn=first.inn))
    response = client.post(
        "/projects/pellet-printer/edit/", _valid_project(setup["association"], lead_organisation_inn=second.inn)
    )
    assert response.status_code == 302
    project = Project.objects.get(slug="pellet-printer")
    assert project.lead_organisation == second
    roles = dict(project.participants.values_list("organisation", "role"))
    assert roles == {second.pk: "lead", first.pk: "developer"}
