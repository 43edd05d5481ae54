"""The workflow's transitions, their audit records, and the review services around them.

The shared world: bob reviews «3D-печать»'s applications, among them `world.application` of «Аддитив»,
whose people are alice (its applicant) and carol; erin coordinates «Фотоника»; admin decides anywhere.
"""

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied

from applications import services
from applications.models import WORKFLOW, ApplicationEvent, ApplicationStatus, MembershipApplication
from associations.models import AssociationMembership, MembershipStatus
from core.transitions import Refused as TransitionError
from notifications.models import Notification
from tests.factories import ApplicationFactory, RepresentativeFactory

pytestmark = pytest.mark.django_db

S = ApplicationStatus

# Each step of the workflow as (name, target status, call).
STEPS = {
    "submit": (S.SUBMITTED, lambda a, u: a.submit(by=u)),
    "take_into_review": (S.IN_REVIEW, lambda a, u: a.take_into_review(by=u)),
    "request_information": (S.INFO_REQUESTED, lambda a, u: a.request_information(by=u, comment="Устав?")),
    "approve": (S.APPROVED, lambda a, u: a.approve(by=u)),
    "reject": (S.REJECTED, lambda a, u: a.reject(by=u, comment="Не подходит")),
    "withdraw": (S.WITHDRAWN, lambda a, u: a.withdraw(by=u)),
}
CASES = [(status, step) for status in S for step in STEPS]


@pytest.fixture(autouse=True, scope="module")
def _flush_broker():
    """Messages enqueued here have no worker: empty this run's Redis database afterwards."""
    yield
    if settings.REDIS_URL:
        import redis

        redis.Redis.from_url(settings.REDIS_URL).flushdb()


def _moved(application, status, **fields):
    """The application put in `status` directly, as if its history had led there."""
    submitted_at = None if status == S.DRAFT else application.submitted_at
    MembershipApplication.objects.filter(pk=application.pk).update(status=status, submitted_at=submitted_at, **fields)
    application.refresh_from_db()
    return application


def _another_application(association, status):
    """One more organisation's application, its applicant acting for it."""
    application = ApplicationFactory(association=association, status=status)
    RepresentativeFactory(organisation=application.organisation, user=application.applicant)
    return application


@pytest.mark.parametrize(("from_status", "step"), CASES, ids=[f"{s.value}-{n}" for s, n in CASES])
def test_it_allows_exactly_the_workflow_transitions(world, from_status, step):
    application = _moved(world.application, from_status)
    to_status, call = STEPS[step]
    allowed = WORKFLOW.allows(from_status, to_status)
    if allowed:
        event = call(application, world.bob)
        application.refresh_from_db()
        assert application.status == to_status
        assert (event.from_status, event.to_status, event.actor) == (from_status, to_status, world.bob)
        assert AssociationMembership.objects.filter(application=application).exists() == (to_status == S.APPROVED)
    else:
        with pytest.raises(TransitionError):
            call(application, world.bob)
        application.refresh_from_db()
        assert application.status == from_status
        assert not ApplicationEvent.objects.filter(application=application).exists()
        assert not AssociationMembership.objects.filter(application=application).exists()


def test_it_records_who_when_from_to_and_why(world):
    application, bob = world.application, world.bob
    services.application_take_into_review(application=application, reviewer=bob, internal_note="беру")
    services.application_request_information(
        application=application, reviewer=bob, comment="Пришлите устав", internal_note="проверить ОКВЭД"
    )
    application.submit(by=world.alice, comment="Устав приложен")
    services.application_take_into_review(application=application, reviewer=bob)
    services.application_reject(application=application, reviewer=bob, comment="Профиль не совпадает")

    history = list(
        application.events.values_list("actor__email", "from_status", "to_status", "comment", "internal_note")
    )
    assert history == [
        ("bob@example.com", "submitted", "in_review", "", "беру"),
        ("bob@example.com", "in_review", "info_requested", "Пришлите устав", "проверить ОКВЭД"),
        ("alice@example.com", "info_requested", "submitted", "Устав приложен", ""),
        ("bob@example.com", "submitted", "in_review", "", ""),
        ("bob@example.com", "in_review", "rejected", "Профиль не совпадает", ""),
    ]
    times = list(application.events.values_list("created_at", flat=True))
    assert times == sorted(times)
    application.refresh_from_db()
    assert application.decided_by == bob
    assert abs((application.decided_at - times[-1]).total_seconds()) < 1
    assert application.assigned_to == bob


def test_it_makes_a_member_and_tells_the_applicant_on_approval(world, django_capture_on_commit_callbacks):
    application = _moved(world.application, S.IN_REVIEW, assigned_to=world.bob)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_approve(
            application=application, reviewer=world.bob, comment="Добро пожаловать", internal_note="секрет"
        )
    membership = AssociationMembership.objects.get(application=application)
    assert (membership.organisation, membership.association, membership.status) == (
        world.applicant_org,
        world.additive,
        MembershipStatus.ACTIVE,
    )
    notifications = Notification.objects.filter(kind="application_approved")
    assert {n.recipient for n in notifications} == {world.alice, world.carol}
    for notification in notifications:
        assert notification.params["comment"] == "Добро пожаловать"
        assert "секрет" not in str(notification.params)


def test_it_tells_the_decision_only_to_people_who_still_act_for_the_organisation(world):
    application = _moved(world.application, S.IN_REVIEW)
    world.applicant_org.representatives.filter(user=world.alice).delete()  # alice left the company
    services.application_reject(application=application, reviewer=world.bob, comment="Не подходит")
    assert [n.recipient for n in Notification.objects.filter(kind="application_rejected")] == [world.carol]


def test_an_answer_tells_the_applicant_it_arrived_and_the_assigned_reviewer_what_it_says(world):
    application = _moved(world.application, S.INFO_REQUESTED, assigned_to=world.bob)
    services.application_answer_information_request(
        application=application, user=world.alice, comment="Устав приложен", files=[]
    )
    told = sorted((n.kind, n.recipient.email) for n in Notification.objects.select_related("recipient"))
    # Not a second «application received»: the applicant side hears that the answer arrived.
    assert told == [
        ("application_answer_received", "alice@example.com"),
        ("application_answer_received", "carol@example.com"),
        ("application_submitted", "bob@example.com"),
    ]
    to_bob = Notification.objects.get(kind="application_submitted")
    assert (to_bob.params["from_status"], to_bob.params["comment"]) == ("info_requested", "Устав приложен")


def test_it_tells_the_current_reviewers_of_an_answer_when_the_assigned_one_stepped_down(world):
    # erin also coordinated «3D-печать» and asked the question, then stepped down there.
    world.additive.coordinators.add(world.erin)
    application = _moved(world.application, S.INFO_REQUESTED, assigned_to=world.erin)
    world.additive.coordinators.remove(world.erin)
    services.application_answer_information_request(
        application=application, user=world.alice, comment="Устав приложен", files=[]
    )
    assert [n.recipient for n in Notification.objects.filter(kind="application_submitted")] == [world.bob]


def test_it_sends_the_rejection_reason_but_never_the_internal_note(world):
    application = _moved(world.application, S.IN_REVIEW)
    services.application_reject(application=application, reviewer=world.bob, comment="Причина", internal_note="тайна")
    notifications = Notification.objects.filter(kind="application_rejected")
    assert {n.recipient for n in notifications} == {world.alice, world.carol}
    for notification in notifications:
        assert notification.params["comment"] == "Причина"
        assert "тайна" not in str(notification.params)


@pytest.mark.parametrize("step", ["request_information", "reject"])
def test_it_requires_a_comment(world, step):
    application = _moved(world.application, S.IN_REVIEW)
    call = getattr(services, f"application_{step}")
    with pytest.raises(TransitionError) as refusal:
        call(application=application, reviewer=world.bob, comment="   ")
    assert refusal.value.reason == "invalid"
    application.refresh_from_db()
    assert application.status == S.IN_REVIEW
    assert not Notification.objects.exists()


def test_it_refuses_a_coordinator_of_another_association(world):
    application = world.application
    with pytest.raises(PermissionDenied):
        services.application_take_into_review(application=application, reviewer=world.erin)
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


def test_it_refuses_and_does_not_ask_a_coordinator_who_represents_the_applicant(world):
    application = world.application
    RepresentativeFactory(organisation=world.applicant_org, user=world.bob)
    with pytest.raises(PermissionDenied):
        services.application_take_into_review(application=application, reviewer=world.bob)
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    # With no other coordinator, the administrators are the reviewers told of it.
    assert list(services.application_reviewers(application)) == [world.admin]


def test_it_lets_an_administrator_decide_anywhere(world):
    application = _moved(world.application, S.IN_REVIEW)
    services.application_approve(application=application, reviewer=world.admin)
    application.refresh_from_db()
    assert application.status == S.APPROVED


def test_it_refuses_a_decision_on_a_stale_copy(world):
    application = _moved(world.application, S.IN_REVIEW)
    stale = type(application).objects.get(pk=application.pk)
    services.application_reject(application=application, reviewer=world.bob, comment="нет")
    with pytest.raises(TransitionError):
        services.application_approve(application=stale, reviewer=world.bob)
    assert not AssociationMembership.objects.filter(organisation=world.applicant_org).exists()
    decisions = Notification.objects.filter(kind__in=["application_approved", "application_rejected"])
    # One decision, told once to each of «Аддитив»'s people.
    assert sorted(decisions.values_list("kind", "recipient")) == sorted(
        [("application_rejected", world.alice.pk), ("application_rejected", world.carol.pk)]
    )


def test_it_refuses_to_approve_an_organisation_that_is_already_a_member(world):
    application = _moved(world.application, S.IN_REVIEW)
    AssociationMembership.objects.create(organisation=world.applicant_org, association=world.additive)
    with pytest.raises(TransitionError):
        services.application_approve(application=application, reviewer=world.bob)
    application.refresh_from_db()
    assert application.status == S.IN_REVIEW
    assert not Notification.objects.filter(kind="application_approved").exists()


def test_it_decides_in_bulk_and_lists_what_it_could_not(world):
    submitted = world.application
    in_review = _another_application(world.additive, S.IN_REVIEW)
    withdrawn = _another_application(world.additive, S.WITHDRAWN)
    # dave's «Гранула» applies to «Фотоника»: not bob's to decide.
    foreign = ApplicationFactory(
        organisation=world.member_org, association=world.photonics, applicant=world.dave, status=S.IN_REVIEW
    )

    decided, not_decided = services.applications_bulk_decide(
        reviewer=world.bob,
        application_ids=[submitted.pk, in_review.pk, withdrawn.pk, foreign.pk, 999999],
        decision="reject",
        comment="Набор закрыт",
    )

    assert {a.pk for a in decided} == {submitted.pk, in_review.pk}
    assert [pk for pk, _app, _reason in not_decided] == [withdrawn.pk, foreign.pk, 999999]
    for application in (submitted, in_review):
        application.refresh_from_db()
        assert application.status == S.REJECTED
    assert list(submitted.events.values_list("to_status", flat=True)) == ["in_review", "rejected"]
    withdrawn.refresh_from_db()
    foreign.refresh_from_db()
    assert (withdrawn.status, foreign.status) == (S.WITHDRAWN, S.IN_REVIEW)
    told = Notification.objects.filter(kind="application_rejected", params__comment="Набор закрыт")
    assert sorted(told.values_list("recipient", flat=True)) == sorted(
        [world.alice.pk, world.carol.pk, in_review.applicant.pk]
    )


def test_it_approves_in_bulk_with_memberships(world):
    applications = [_moved(world.application, S.IN_REVIEW)]
    applications += [_another_application(world.additive, S.IN_REVIEW) for _ in range(2)]
    decided, not_decided = services.applications_bulk_decide(
        reviewer=world.bob, application_ids=[a.pk for a in applications], decision="approve"
    )
    assert (len(decided), not_decided) == (3, [])
    members = AssociationMembership.objects.filter(association=world.additive).values_list("organisation", flat=True)
    assert sorted(members) == sorted([world.member_org.pk, *(a.organisation_id for a in applications)])


def test_it_requires_a_reason_to_reject_in_bulk(world):
    application = _moved(world.application, S.IN_REVIEW)
    with pytest.raises(TransitionError):
        services.applications_bulk_decide(
            reviewer=world.bob, application_ids=[application.pk], decision="reject", comment=""
        )
    application.refresh_from_db()
    assert application.status == S.IN_REVIEW
