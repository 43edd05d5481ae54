"""The workflow's transitions, their audit records, and the review services around them."""

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied

from applications import services
from applications.models import WORKFLOW, ApplicationEvent, ApplicationStatus
from associations.models import AssociationMembership, MembershipStatus
from core.transitions import Refused as TransitionError
from notifications.models import Notification
from tests.factories import ApplicationFactory, AssociationFactory, RepresentativeFactory, UserFactory

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


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="module")
def _flush_broker():
    """Messages enqueued here have no worker: empty this run's Redis database afterwards."""
    yield
    if settings.REDIS_URL:
        import redis

        redis.Redis.from_url(settings.REDIS_URL).flushdb()


@pytest.fixture
def coordinator():
    user = UserFactory(email="coordinator@example.com")
    return user


@pytest.fixture
def association(coordinator):
    association = AssociationFactory()
    association.coordinators.add(coordinator)
    return association


def _application(association, status, **kw):
    application = ApplicationFactory(association=association, status=status, **kw)
    RepresentativeFactory(organisation=application.organisation, user=application.applicant)
    return application


@pytest.mark.parametrize(("from_status", "step"), CASES, ids=[f"{s.value}-{n}" for s, n in CASES])
def test_it_allows_exactly_the_workflow_transitions(association, coordinator, from_status, step):
    application = _application(association, from_status)
    to_status, call = STEPS[step]
    allowed = WORKFLOW.allows(from_status, to_status)
    if allowed:
        event = call(application, coordinator)
        application.refresh_from_db()
        assert application.status == to_status
        assert (event.from_status, event.to_status, event.actor) == (from_status, to_status, coordinator)
        assert AssociationMembership.objects.filter(application=application).exists() == (to_status == S.APPROVED)
    else:
        with pytest.raises(TransitionError):
            call(application, coordinator)
        application.refresh_from_db()
        assert application.status == from_status
        assert not ApplicationEvent.objects.filter(application=application).exists()
        assert not AssociationMembership.objects.filter(application=application).exists()


def test_it_records_who_when_from_to_and_why(association, coordinator):
    application = _application(association, S.SUBMITTED)
    services.application_take_into_review(application=application, reviewer=coordinator, internal_note="беру")
    services.application_request_information(
        application=application, reviewer=coordinator, comment="Пришлите устав", internal_note="проверить ОКВЭД"
    )
    application.submit(by=application.applicant, comment="Устав приложен")
    services.application_take_into_review(application=application, reviewer=coordinator)
    services.application_reject(application=application, reviewer=coordinator, comment="Профиль не совпадает")

    history = list(
        application.events.values_list("actor__email", "from_status", "to_status", "comment", "internal_note")
    )
    assert history == [
        ("coordinator@example.com", "submitted", "in_review", "", "беру"),
        ("coordinator@example.com", "in_review", "info_requested", "Пришлите устав", "проверить ОКВЭД"),
        (application.applicant.email, "info_requested", "submitted", "Устав приложен", ""),
        ("coordinator@example.com", "submitted", "in_review", "", ""),
        ("coordinator@example.com", "in_review", "rejected", "Профиль не совпадает", ""),
    ]
    times = list(application.events.values_list("created_at", flat=True))
    assert times == sorted(times)
    application.refresh_from_db()
    assert application.decided_by == coordinator
    assert abs((application.decided_at - times[-1]).total_seconds()) < 1
    assert application.assigned_to == coordinator


def test_it_makes_a_member_and_tells_the_applicant_on_approval(
    association, coordinator, django_capture_on_commit_callbacks
):
    application = _application(association, S.IN_REVIEW, assigned_to=coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_approve(
            application=application, reviewer=coordinator, comment="Добро пожаловать", internal_note="секрет"
        )
    membership = AssociationMembership.objects.get(application=application)
    assert (membership.organisation, membership.association, membership.status) == (
        application.organisation,
        association,
        MembershipStatus.ACTIVE,
    )
    notification = Notification.objects.get(kind="application_approved")
    assert notification.recipient == application.applicant
    assert notification.params["comment"] == "Добро пожаловать"
    assert "секрет" not in str(notification.params)


def test_it_tells_the_decision_only_to_people_who_still_act_for_the_organisation(association, coordinator):
    application = _application(association, S.IN_REVIEW)
    colleague = RepresentativeFactory(organisation=application.organisation).user
    application.organisation.representatives.filter(user=application.applicant).delete()  # left the company
    services.application_reject(application=application, reviewer=coordinator, comment="Не подходит")
    assert [n.recipient for n in Notification.objects.filter(kind="application_rejected")] == [colleague]


def test_it_tells_the_current_reviewers_of_an_answer_when_the_assigned_one_stepped_down(association, coordinator):
    former = UserFactory()
    application = _application(association, S.INFO_REQUESTED, assigned_to=former, motivation="m", competences="c")
    services.application_answer_information_request(
        application=application, user=application.applicant, comment="Устав приложен", files=[]
    )
    assert [n.recipient for n in Notification.objects.filter(kind="application_submitted")] == [coordinator]


def test_it_sends_the_rejection_reason_but_never_the_internal_note(association, coordinator):
    application = _application(association, S.IN_REVIEW)
    services.application_reject(application=application, reviewer=coordinator, comment="Причина", internal_note="тайна")
    notification = Notification.objects.get(kind="application_rejected")
    assert notification.recipient == application.applicant
    assert notification.params["comment"] == "Причина"
    assert "тайна" not in str(notification.params)


@pytest.mark.parametrize("step", ["request_information", "reject"])
def test_it_requires_a_comment(association, coordinator, step):
    application = _application(association, S.IN_REVIEW)
    call = getattr(services, f"application_{step}")
    with pytest.raises(TransitionError) as refusal:
        call(application=application, reviewer=coordinator, comment="   ")
    assert refusal.value.reason == "invalid"
    application.refresh_from_db()
    assert application.status == S.IN_REVIEW
    assert not Notification.objects.exists()


def test_it_refuses_a_coordinator_of_another_association(association):
    other = UserFactory()
    AssociationFactory().coordinators.add(other)
    application = _application(association, S.SUBMITTED)
    with pytest.raises(PermissionDenied):
        services.application_take_into_review(application=application, reviewer=other)
    application.refresh_from_db()
    assert application.status == S.SUBMITTED


def test_it_refuses_and_does_not_ask_a_coordinator_who_represents_the_applicant(association, coordinator):
    application = _application(association, S.SUBMITTED)
    RepresentativeFactory(organisation=application.organisation, user=coordinator)
    admin = UserFactory(is_superuser=True, is_staff=True)
    with pytest.raises(PermissionDenied):
        services.application_take_into_review(application=application, reviewer=coordinator)
    application.refresh_from_db()
    assert application.status == S.SUBMITTED
    # With no other coordinator, the administrators are the reviewers told of it.
    assert list(services.application_reviewers(application)) == [admin]


def test_it_lets_an_administrator_decide_anywhere(association):
    admin = UserFactory(is_superuser=True, is_staff=True)
    application = _application(association, S.IN_REVIEW)
    services.application_approve(application=application, reviewer=admin)
    application.refresh_from_db()
    assert application.status == S.APPROVED


def test_it_refuses_a_decision_on_a_stale_copy(association, coordinator):
    application = _application(association, S.IN_REVIEW)
    stale = type(application).objects.get(pk=application.pk)
    services.application_reject(application=application, reviewer=coordinator, comment="нет")
    with pytest.raises(TransitionError):
        services.application_approve(application=stale, reviewer=coordinator)
    assert not AssociationMembership.objects.exists()
    assert Notification.objects.filter(kind__in=["application_approved", "application_rejected"]).count() == 1


def test_it_refuses_to_approve_an_organisation_that_is_already_a_member(association, coordinator):
    application = _application(association, S.IN_REVIEW)
    AssociationMembership.objects.create(organisation=application.organisation, association=association)
    with pytest.raises(TransitionError):
        services.application_approve(application=application, reviewer=coordinator)
    application.refresh_from_db()
    assert application.status == S.IN_REVIEW
    assert not Notification.objects.filter(kind="application_approved").exists()


def test_it_decides_in_bulk_and_lists_what_it_could_not(association, coordinator):
    submitted = _application(association, S.SUBMITTED)
    in_review = _application(association, S.IN_REVIEW)
    withdrawn = _application(association, S.WITHDRAWN)
    foreign = _application(AssociationFactory(), S.IN_REVIEW)

    decided, not_decided = services.applications_bulk_decide(
        reviewer=coordinator,
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
    assert Notification.objects.filter(kind="application_rejected", params__comment="Набор закрыт").count() == 2


def test_it_approves_in_bulk_with_memberships(association, coordinator):
    applications = [_application(association, S.IN_REVIEW) for _ in range(3)]
    decided, not_decided = services.applications_bulk_decide(
        reviewer=coordinator, application_ids=[a.pk for a in applications], decision="approve"
    )
    assert (len(decided), not_decided) == (3, [])
    assert AssociationMembership.objects.filter(association=association).count() == 3


def test_it_requires_a_reason_to_reject_in_bulk(association, coordinator):
    application = _application(association, S.IN_REVIEW)
    with pytest.raises(TransitionError):
        services.applications_bulk_decide(
            reviewer=coordinator, application_ids=[application.pk], decision="reject", comment=""
        )
    application.refresh_from_db()
    assert application.status == S.IN_REVIEW
