"""Two reviewers decide the same application at the same moment, on two real database connections."""

import threading

import pytest
from django.conf import settings
from django.db import connection

from applications import services
from applications.models import ApplicationStatus, MembershipApplication
from associations.models import AssociationMembership
from core.transitions import Refused
from notifications.models import Notification
from tests.factories import ApplicationFactory, AssociationFactory, RepresentativeFactory, UserFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

DECISION_KINDS = ["application_approved", "application_rejected"]


@pytest.fixture(autouse=True, scope="module")
def _flush_broker():
    """Messages enqueued here have no worker: empty this run's Redis database afterwards."""
    yield
    if settings.REDIS_URL:
        import redis

        redis.Redis.from_url(settings.REDIS_URL).flushdb()


def _race(pk, deciders):
    """Each decider loads the application on its own connection, then all decide together."""
    barrier = threading.Barrier(len(deciders))
    outcomes = {}

    def run(name, decide):
        try:
            application = MembershipApplication.objects.select_related("organisation", "association").get(pk=pk)
            barrier.wait(timeout=10)
            decide(application)
            outcomes[name] = "won"
        except Refused:
            outcomes[name] = "refused"
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            outcomes[name] = repr(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=item) for item in deciders.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.parametrize("attempt", range(3))
def test_it_lets_exactly_one_of_two_simultaneous_decisions_win(attempt):
    association = AssociationFactory()
    first, second = UserFactory(), UserFactory()
    association.coordinators.add(first, second)
    application = ApplicationFactory(association=association, status=ApplicationStatus.IN_REVIEW)
    RepresentativeFactory(organisation=application.organisation, user=application.applicant)

    outcomes = _race(
        application.pk,
        {
            "approve": lambda a: services.application_approve(application=a, reviewer=first),
            "reject": lambda a: services.application_reject(application=a, reviewer=second, comment="нет"),
        },
    )

    assert sorted(outcomes.values()) == ["refused", "won"], outcomes
    application.refresh_from_db()
    winner = next(name for name, outcome in outcomes.items() if outcome == "won")
    assert application.status == {"approve": ApplicationStatus.APPROVED, "reject": ApplicationStatus.REJECTED}[winner]
    assert AssociationMembership.objects.filter(organisation=application.organisation).count() == (
        1 if winner == "approve" else 0
    )
    assert application.events.filter(to_status__in=["approved", "rejected"]).count() == 1
    assert Notification.objects.filter(kind__in=DECISION_KINDS).count() == 1


def test_it_creates_one_membership_when_two_reviewers_approve_at_once():
    association = AssociationFactory()
    first, second = UserFactory(), UserFactory()
    association.coordinators.add(first, second)
    application = ApplicationFactory(association=association, status=ApplicationStatus.IN_REVIEW)
    RepresentativeFactory(organisation=application.organisation, user=application.applicant)

    outcomes = _race(
        application.pk,
        {
            "first": lambda a: services.application_approve(application=a, reviewer=first),
            "second": lambda a: services.application_approve(application=a, reviewer=second),
        },
    )

    assert sorted(outcomes.values()) == ["refused", "won"], outcomes
    assert AssociationMembership.objects.filter(organisation=application.organisation).count() == 1
    assert Notification.objects.filter(kind="application_approved").count() == 1
