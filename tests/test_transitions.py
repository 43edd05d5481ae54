"""core.transitions: a step is taken once, its history written with it, and a refusal says why."""

import pytest

from applications.models import ApplicationEvent, ApplicationStatus, MembershipApplication
from core.transitions import Refusal, Refused, RequestStatus, Workflow, change_once, require
from members.models import Invitation, JoinRequest, Representative
from projects.models import Project, StageChange

from .factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_step_the_workflow_does_not_allow_is_not_allowed(world):
    application = world.application  # submitted
    with pytest.raises(Refused) as refusal:
        application.approve(by=world.bob)
    assert refusal.value.reason == Refusal.NOT_ALLOWED
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert not application.events.exists()


def test_a_step_taken_meanwhile_by_someone_else_is_stale(world):
    mine = world.application
    theirs = MembershipApplication.objects.get(pk=mine.pk)
    theirs.take_into_review(by=world.admin)
    with pytest.raises(Refused) as refusal:
        mine.take_into_review(by=world.bob)
    assert refusal.value.reason == Refusal.STALE
    assert list(ApplicationEvent.objects.values_list("actor", flat=True)) == [world.admin.pk]
    mine.refresh_from_db()
    assert mine.assigned_to == world.admin


def test_a_malformed_step_is_invalid(world):
    application = world.application
    application.take_into_review(by=world.bob)
    with pytest.raises(Refused) as refusal:
        application.reject(by=world.bob, comment=" ")
    assert refusal.value.reason == Refusal.INVALID
    with pytest.raises(Refused) as refusal:
        world.project.change_stage("finished", by=world.bob)
    assert refusal.value.reason == Refusal.INVALID


def test_the_history_row_is_written_with_the_step(world):
    event = world.application.take_into_review(by=world.bob, internal_note="беру")
    assert (event.from_status, event.to_status, event.actor, event.internal_note) == (
        "submitted",
        "in_review",
        world.bob,
        "беру",
    )
    change = world.project.change_stage("development", by=world.bob, comment="начали")
    assert (change.from_stage, change.to_stage, change.changed_by) == ("idea", "development", world.bob)
    assert Project.objects.get(pk=world.project.pk).stage == "development"


def test_a_project_stays_where_it_is_only_by_refusal(world):
    with pytest.raises(Refused) as refusal:
        world.project.change_stage("idea", by=world.bob)
    assert refusal.value.reason == Refusal.NOT_ALLOWED
    assert not StageChange.objects.filter(project=world.project).exists()


def test_a_join_request_is_decided_once(world):
    request = JoinRequest.objects.create(organisation=world.applicant_org, user=world.charlie)
    stale = JoinRequest.objects.get(pk=request.pk)
    request.accept(by=world.alice)
    assert Representative.objects.filter(organisation=world.applicant_org, user=world.charlie).exists()
    with pytest.raises(Refused) as refusal:
        stale.decline(by=world.alice)
    assert refusal.value.reason == Refusal.STALE
    with pytest.raises(Refused) as refusal:
        request.decline(by=world.alice)
    assert refusal.value.reason == Refusal.NOT_ALLOWED
    assert JoinRequest.objects.get(pk=request.pk).status == RequestStatus.ACCEPTED


def test_an_invitation_is_used_once(world):
    invitation = Invitation.objects.create(organisation=world.member_org, email="charlie@example.com")
    stale = Invitation.objects.get(pk=invitation.pk)
    invitation.accept(user=world.charlie)
    with pytest.raises(Refused) as refusal:
        stale.accept(user=UserFactory())
    assert refusal.value.reason == Refusal.STALE
    assert list(world.member_org.representatives.values_list("user", flat=True).order_by("pk")) == [
        world.dave.pk,
        world.charlie.pk,
    ]


def test_the_primitive_itself():
    workflow = Workflow("status", {"a": {"b"}, "b": set()})
    assert workflow.allows("a", "b") and not workflow.allows("b", "a")
    with pytest.raises(Refused) as refusal:
        require(False, "needs a comment")
    assert (refusal.value.reason, refusal.value.detail) == (Refusal.INVALID, "needs a comment")
    assert str(refusal.value) == "invalid: needs a comment"


def test_change_once_writes_nothing_when_the_row_moved(world):
    request = JoinRequest.objects.create(organisation=world.applicant_org, user=world.charlie)
    JoinRequest.objects.filter(pk=request.pk).update(status=RequestStatus.DECLINED)
    recorded = []
    with pytest.raises(Refused):
        change_once(request, expected={"status": "pending"}, values={"status": "accepted"}, record=recorded.append)
    assert recorded == [] and request.status == "pending"
