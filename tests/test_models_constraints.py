"""The database itself refuses duplicates, not only the forms."""

import pytest
from django.db import IntegrityError, transaction

from applications.models import ApplicationStatus
from associations.models import AssociationMembership, MembershipStatus
from core.transitions import Refused as TransitionError
from members.models import Organisation

from .factories import ApplicationFactory, AssociationFactory, MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_it_refuses_a_second_organisation_with_the_same_inn():
    org = OrganisationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationFactory(inn=org.inn)
    assert Organisation.objects.filter(inn=org.inn).count() == 1


def test_it_refuses_identifiers_that_do_not_fit_the_legal_form():
    sole = OrganisationFactory.build(legal_form="sole_trader")
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationFactory(legal_form="legal_entity", inn=sole.inn, ogrn=sole.ogrn, kpp="")


def test_it_refuses_a_second_open_application_for_the_same_pair():
    first = ApplicationFactory(status=ApplicationStatus.SUBMITTED)
    for status in (ApplicationStatus.DRAFT, ApplicationStatus.IN_REVIEW, ApplicationStatus.INFO_REQUESTED):
        with pytest.raises(IntegrityError), transaction.atomic():
            ApplicationFactory(organisation=first.organisation, association=first.association, status=status)


def test_it_allows_a_new_application_after_a_closed_one():
    first = ApplicationFactory(status=ApplicationStatus.REJECTED)
    ApplicationFactory(organisation=first.organisation, association=first.association, status=ApplicationStatus.DRAFT)


def test_it_refuses_a_second_active_membership():
    membership = MembershipFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        AssociationMembership.objects.create(organisation=membership.organisation, association=membership.association)
    # An ended membership does not block a new active one.
    AssociationMembership.objects.filter(pk=membership.pk).update(status=MembershipStatus.ENDED)
    AssociationMembership.objects.create(organisation=membership.organisation, association=membership.association)


def test_approval_makes_the_organisation_a_member_and_records_history():
    application = ApplicationFactory()
    user, reviewer = application.applicant, UserFactory()
    application.submit(by=user)
    application.take_into_review(by=reviewer)
    application.approve(by=reviewer, comment="Welcome")
    application.refresh_from_db()
    assert application.status == ApplicationStatus.APPROVED
    assert application.decided_by == reviewer
    assert AssociationMembership.objects.filter(
        organisation=application.organisation, association=application.association, status="active"
    ).exists()
    steps = list(application.events.values_list("from_status", "to_status", "actor"))
    assert steps == [
        ("draft", "submitted", user.pk),
        ("submitted", "in_review", reviewer.pk),
        ("in_review", "approved", reviewer.pk),
    ]


def test_a_decision_is_taken_once():
    application = ApplicationFactory(status=ApplicationStatus.IN_REVIEW)
    reviewer = UserFactory()
    stale = type(application).objects.get(pk=application.pk)
    application.reject(by=reviewer, comment="No")
    with pytest.raises(TransitionError):
        stale.approve(by=reviewer)
    assert not AssociationMembership.objects.exists()
    assert application.events.count() == 1


@pytest.mark.parametrize(
    "status,step",
    [
        ("draft", "approve"),
        ("submitted", "approve"),
        ("approved", "withdraw"),
        ("rejected", "submit"),
        ("withdrawn", "submit"),
        ("info_requested", "take_into_review"),
    ],
)
def test_it_refuses_transitions_outside_the_workflow(status, step):
    application = ApplicationFactory(status=status)
    kwargs = {"by": UserFactory()}
    with pytest.raises(TransitionError):
        getattr(application, step)(**kwargs)
    application.refresh_from_db()
    assert application.status == status


def test_rejection_and_information_request_need_a_comment():
    application = ApplicationFactory(status=ApplicationStatus.IN_REVIEW)
    with pytest.raises(TransitionError) as refusal:
        application.reject(by=UserFactory(), comment="  ")
    assert refusal.value.reason == "invalid"
    with pytest.raises(TransitionError):
        application.request_information(by=UserFactory(), comment="")


def test_association_factory_slugs_are_unique():
    assert AssociationFactory().slug != AssociationFactory().slug
