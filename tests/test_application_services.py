"""applications.services: the rules of applying hold whoever calls the service, not only the form."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from applications import services
from applications.models import ApplicationDocument, ApplicationStatus, MembershipApplication
from associations.models import AssociationMembership
from core.documents import check_uploads
from core.transitions import Refusal, Refused

from .factories import AssociationFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def apply(world, user, organisation, associations, **extra):
    values = {
        "motivation": "Хотим участвовать",
        "competences": "Печать",
        "directions": [],
        "files": [],
        "submit": True,
        **extra,
    }
    return services.application_create(user=user, organisation=organisation, associations=associations, **values)


def test_a_member_cannot_apply_again(world):
    with pytest.raises(services.ApplicationBlocked) as blocked:
        apply(world, world.dave, world.member_org, [world.additive])
    assert list(blocked.value.reasons) == [world.additive.pk]
    assert "уже является участником" in blocked.value.reasons[world.additive.pk]
    assert not MembershipApplication.objects.filter(organisation=world.member_org).exists()


def test_a_rejected_organisation_waits_out_the_cooling_off(world, settings):
    application = world.application
    application.take_into_review(by=world.bob)
    application.reject(by=world.bob, comment="Не по профилю")
    with pytest.raises(services.ApplicationBlocked) as blocked:
        apply(world, world.alice, world.applicant_org, [world.additive])
    assert blocked.value.reason == Refusal.NOT_ALLOWED
    MembershipApplication.objects.filter(pk=application.pk).update(
        decided_at=timezone.now() - settings.APPLICATION_COOLING_OFF - timedelta(minutes=1)
    )
    (again,) = apply(world, world.alice, world.applicant_org, [world.additive])
    assert again.status == ApplicationStatus.SUBMITTED


def test_an_archived_association_takes_no_applications(world):
    archived = AssociationFactory(status="archived")
    with pytest.raises(services.ApplicationBlocked):
        apply(world, world.alice, world.applicant_org, [archived])


def test_an_open_application_is_returned_not_duplicated(world):
    with pytest.raises(services.DuplicateApplication) as duplicate:
        apply(world, world.alice, world.applicant_org, [world.additive, world.photonics])
    assert duplicate.value.existing == world.application
    assert MembershipApplication.objects.filter(organisation=world.applicant_org).count() == 1


def test_an_application_committed_between_the_two_reads_is_still_a_duplicate(world, monkeypatch):
    """The other click commits after the first look but before the blockers are read."""
    from applications.services import applicant

    real = applicant._open_application
    looks = iter([None])
    monkeypatch.setattr(applicant, "_open_application", lambda *args: next(looks, None) or real(*args))
    with pytest.raises(services.DuplicateApplication) as duplicate:
        apply(world, world.alice, world.applicant_org, [world.additive])
    assert duplicate.value.existing == world.application


def test_only_the_organisations_people_apply_for_it(world):
    for user in (world.charlie, world.dave, world.bob):
        with pytest.raises(PermissionDenied):
            apply(world, user, world.applicant_org, [world.photonics])
    (application,) = apply(world, world.carol, world.applicant_org, [world.photonics])
    assert application.applicant == world.carol


def test_an_incomplete_application_is_not_submitted_and_nothing_is_written(world):
    with pytest.raises(services.ApplicationIncomplete) as incomplete:
        apply(world, world.alice, world.applicant_org, [world.photonics], motivation=" ")
    assert incomplete.value.reason == Refusal.INVALID
    assert not MembershipApplication.objects.filter(association=world.photonics).exists()
    (draft,) = apply(world, world.alice, world.applicant_org, [world.photonics], motivation="", submit=False)
    assert draft.status == ApplicationStatus.DRAFT


def test_a_first_application_registers_the_organisation_too(world):
    organisation = OrganisationFactory.build()
    profile = {
        name: getattr(organisation, name)
        for name in ("legal_form", "kind", "inn", "ogrn", "kpp", "full_name", "short_name", "region", "city")
    }
    profile.update(address="", website="", email="info@new.example", phone="", size="small", okved="")
    profile.update(description="", show_email=True, show_phone=False)
    (application,) = services.organisation_create_and_apply(
        user=world.charlie,
        organisation=profile,
        organisation_directions=[],
        associations=[world.photonics],
        motivation="m",
        competences="c",
        directions=[],
        files=[],
        submit=True,
    )
    assert application.organisation.representatives.get().user == world.charlie
    assert application.status == ApplicationStatus.SUBMITTED


def test_an_edit_writes_its_fields_only_while_editable(world):
    application = world.application
    with pytest.raises(Refused) as refusal:
        services.application_update(
            application=application, user=world.alice, motivation="Новая", competences="c", directions=[], files=[]
        )
    assert refusal.value.reason == Refusal.NOT_ALLOWED
    with pytest.raises(PermissionDenied):
        services.application_update(
            application=application, user=world.dave, motivation="Чужая", competences="c", directions=[], files=[]
        )


def test_a_document_is_removed_from_a_draft_only(world, django_capture_on_commit_callbacks):
    (draft,) = apply(world, world.alice, world.applicant_org, [world.photonics], submit=False)
    files = check_uploads([SimpleUploadedFile("a.pdf", b"%PDF-1.4")], ApplicationDocument.POLICY)
    services.attach_documents(application=draft, user=world.alice, files=files)
    document = draft.documents.get()
    with pytest.raises(PermissionDenied):
        services.document_remove(document=document, user=world.dave)
    services.application_submit(application=draft, user=world.alice)
    with pytest.raises(Refused) as refusal:
        services.document_remove(document=document, user=world.alice)
    assert refusal.value.reason == Refusal.NOT_ALLOWED
    assert ApplicationDocument.objects.filter(pk=document.pk).exists()


def test_approval_records_the_membership_it_made(world):
    application = world.application
    services.application_take_into_review(application=application, reviewer=world.bob)
    services.application_approve(application=application, reviewer=world.bob, comment="Добро пожаловать")
    membership = AssociationMembership.objects.get(organisation=world.applicant_org, association=world.additive)
    application.refresh_from_db()
    assert application.membership == membership and membership.application == application


def test_a_draft_is_nobodys_to_review(world):
    (draft,) = apply(world, world.alice, world.applicant_org, [world.photonics], submit=False)
    with pytest.raises(PermissionDenied):
        services.application_take_into_review(application=draft, reviewer=world.erin)


def test_the_daily_task_sends_the_reminder_digest(world, settings):
    from applications.tasks import send_review_reminders

    MembershipApplication.objects.filter(pk=world.application.pk).update(
        status_changed_at=timezone.now() - settings.APPLICATION_REMINDER_AFTER - timedelta(hours=1)
    )
    assert send_review_reminders.apply().get() == 1
    assert send_review_reminders.apply().get() == 0  # once a day
    digest = world.bob.notifications.get(kind="application_reminder_digest")
    assert [item["id"] for item in digest.params["applications"]] == [world.application.pk]
