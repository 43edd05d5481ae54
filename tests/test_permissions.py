"""core.permissions: one predicate per question, asked the same way by views, querysets and notifications."""

import pytest
from django.contrib.auth.models import AnonymousUser

from applications.models import MembershipApplication
from associations.models import MembershipStatus
from core import permissions
from members.models import RepresentativeRole
from projects.models import Project

pytestmark = pytest.mark.django_db

PEOPLE = ["alice", "carol", "bob", "erin", "dave", "charlie", "staff", "admin"]


def person(world, name):
    return AnonymousUser() if name == "anonymous" else world[name]


def test_the_foundation_names_the_domain_values_it_relies_on():
    assert permissions.OWNER == RepresentativeRole.OWNER
    assert permissions.ACTIVE_MEMBERSHIP == MembershipStatus.ACTIVE


@pytest.mark.parametrize(
    "name,directory,review,create_projects",
    [
        ("anonymous", False, False, False),
        ("charlie", False, False, False),
        ("alice", False, False, False),  # her organisation is not a member yet
        ("dave", True, False, False),
        ("bob", True, True, True),
        ("staff", True, False, False),
        ("admin", True, True, True),
    ],
)
def test_it_answers_the_page_questions_by_role(world, name, directory, review, create_projects):
    user = person(world, name)
    assert permissions.may_use_directory(user) is directory
    assert permissions.may_review(user) is review
    assert permissions.may_create_projects(user) is create_projects


def test_an_inactive_user_may_do_nothing(world):
    for name in ("bob", "admin", "staff", "dave"):
        user = world[name]
        user.is_active = False
        assert not permissions.may_review(user)
        assert not permissions.may_use_directory(user)
        assert not permissions.may_manage_project(user, world.project)
        assert not permissions.sees_everything(user)


def test_coordinators_manage_their_own_associations_projects_only(world):
    assert permissions.may_manage_project(world.bob, world.project)
    assert not permissions.may_manage_project(world.erin, world.project)
    assert permissions.may_manage_project(world.admin, world.project)
    assert not permissions.may_manage_project(world.staff, world.project)
    assert list(Project.objects.manageable_by(world.bob)) == [world.project]
    assert list(Project.objects.manageable_by(world.erin)) == []
    assert list(Project.objects.manageable_by(AnonymousUser())) == []


def test_the_lead_organisations_people_decide_on_participation(world):
    assert permissions.may_decide_participation(world.dave, world.project)
    assert permissions.may_decide_participation(world.bob, world.project)
    assert not permissions.may_decide_participation(world.alice, world.project)
    assert not permissions.may_decide_participation(world.staff, world.project)


def test_nobody_reviews_an_application_of_an_organisation_they_act_for(world):
    application = world.application
    ids = {"association_id": application.association_id, "organisation_id": application.organisation_id}
    assert permissions.may_review_application(world.bob, **ids)
    assert permissions.may_review_application(world.admin, **ids)
    assert not permissions.may_review_application(world.erin, **ids)
    world.additive.coordinators.add(world.alice)
    assert not permissions.may_review_application(world.alice, **ids)
    assert list(MembershipApplication.objects.reviewable_by(world.alice)) == []
    assert list(MembershipApplication.objects.reviewable_by(world.bob)) == [application]


def test_whom_to_tell_follows_who_may_review(world):
    application = world.application
    reviewers = permissions.reviewers_of(
        association_id=application.association_id, organisation_id=application.organisation_id
    )
    assert list(reviewers) == [world.bob]
    world.additive.coordinators.remove(world.bob)
    reviewers = permissions.reviewers_of(
        association_id=application.association_id, organisation_id=application.organisation_id
    )
    assert list(reviewers) == [world.admin]  # no coordinator: the administrators


def test_participation_deciders_are_the_coordinators_and_the_lead(world):
    deciders = set(permissions.participation_deciders(world.project))
    assert deciders == {world.bob, world.dave}
    world.project.lead_organisation = None
    world.additive.coordinators.clear()
    assert list(permissions.participation_deciders(world.project)) == [world.admin]


def test_owners_and_representatives(world):
    org = world.applicant_org.pk
    assert permissions.owns(world.alice, org) and not permissions.owns(world.carol, org)
    assert permissions.represents(world.carol, org) and not permissions.represents(world.dave, org)
    assert set(permissions.representatives_of(org)) == {world.alice, world.carol}
    assert list(permissions.owners_of(org)) == [world.alice]
    assert list(permissions.representatives_of(None)) == []


def test_contacts_and_staff_fields(world):
    assert permissions.sees_all_contacts(world.alice, world.applicant_org.pk)
    assert permissions.sees_all_contacts(world.staff, world.applicant_org.pk)
    assert not permissions.sees_all_contacts(world.dave, world.applicant_org.pk)
    assert permissions.sees_staff_fields(world.bob, world.project)
    assert permissions.sees_staff_fields(world.staff, world.project)
    assert not permissions.sees_staff_fields(world.dave, world.project)


def test_the_navigation_shows_the_review_queue_to_reviewers_only(client, world):
    client.force_login(world.bob)
    page = client.get("/projects/").content.decode()
    assert 'href="/review/"' in page
    client.force_login(world.dave)
    assert 'href="/review/"' not in client.get("/projects/").content.decode()
