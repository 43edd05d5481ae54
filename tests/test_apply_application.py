"""Applying: /cabinet/applications/new/ — one application per association, documents, drafts, refusals."""

import io
import zipfile
from datetime import timedelta
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from applications import services
from applications.models import ApplicationDocument, ApplicationEvent, ApplicationStatus, MembershipApplication
from core.documents import check_uploads
from members.forms import OrganisationForm
from members.models import Organisation, Representative
from notifications.models import Notification
from tests.factories import (
    ApplicationFactory,
    AssociationFactory,
    MembershipFactory,
    RepresentativeFactory,
    UserFactory,
    direction,
)
from tests.test_apply_organisation import sole_trader_data

pytestmark = pytest.mark.django_db

MAX_DOCUMENT_SIZE = ApplicationDocument.POLICY.max_size


def check_documents(files):
    return check_uploads(files, ApplicationDocument.POLICY)


PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 20


def pdf(name="устав.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def office(name, part):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{part}/document.xml", "<x/>")
    return SimpleUploadedFile(name, buffer.getvalue())


@pytest.fixture
def owner():
    return RepresentativeFactory()


@pytest.fixture
def associations():
    return AssociationFactory(), AssociationFactory()


def post_data(owner, associations, **overrides):
    data = {
        "form_token": overrides.pop("form_token", "token-1"),
        "organisation": owner.organisation.pk,
        "associations": [a.pk for a in associations],
        "motivation": "Хотим печатать крупные детали",
        "competences": "Гранульная 3D-печать",
        "directions": [direction().pk],
        "action": "submit",
    }
    data.update(overrides)
    return data


# Document checks


def test_it_recognises_documents_by_content():
    checked = check_documents(
        [pdf(), office("a.docx", "word"), office("b.xlsx", "xl"), SimpleUploadedFile("c.png", PNG)]
    )
    assert [c.extension for c in checked] == ["pdf", "docx", "xlsx", "png"]


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf"),
        SimpleUploadedFile("page.pdf", b"<html>hello</html>"),
        office("fake.docx", "ppt"),
        SimpleUploadedFile("broken.docx", b"PK\x03\x04 broken zip"),
        SimpleUploadedFile("empty.pdf", b""),
    ],
)
def test_it_refuses_documents_whose_content_is_not_accepted(upload):
    with pytest.raises(Exception) as exc:
        check_documents([upload])
    assert upload.name in str(exc.value.messages)


def test_it_refuses_a_document_over_10_mb():
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * MAX_DOCUMENT_SIZE)
    with pytest.raises(Exception) as exc:
        check_documents([big])
    assert exc.value.error_list[0].code == "too_large"


def test_it_refuses_a_sixth_document():
    with pytest.raises(Exception) as exc:
        check_documents([pdf() for _ in range(6)])
    assert exc.value.error_list[0].code == "too_many"


# Creating


# A first application: the organisation described on the same page


def first_application_data(associations, **overrides):
    data = sole_trader_data(directions=[direction("photonics").pk])
    data.update(
        {
            "application-form_token": "first-1",
            "application-associations": [a.pk for a in associations],
            "application-motivation": "Хотим печатать крупные детали",
            "application-competences": "Гранульная 3D-печать",
            "application-directions": [direction().pk],
            "action": "submit",
        }
    )
    data.update(overrides)
    return data


def test_it_shows_the_organisation_form_to_a_user_without_one(client):
    client.force_login(UserFactory())
    response = client.get(reverse("applications:application-create"))
    assert response.status_code == 200
    assert response.context["org_form"] is not None
    assert "organisation" not in response.context["form"].fields
    assert 'name="inn"' in response.content.decode()  # the contract names, unprefixed


def test_it_writes_profile_applications_and_documents_together(client, associations):
    user = UserFactory()
    client.force_login(user)
    data = {**first_application_data(associations), "application-documents": [pdf()]}
    response = client.post(reverse("applications:application-create"), data)
    assert response["Location"] == reverse("pages:cabinet")
    organisation = Organisation.objects.get()
    assert organisation.representatives.get().user == user
    assert list(organisation.directions.values_list("slug", flat=True)) == ["photonics"]
    applications = MembershipApplication.objects.filter(organisation=organisation)
    assert sorted(applications.values_list("status", flat=True)) == ["submitted", "submitted"]
    assert ApplicationDocument.objects.count() == 2
    assert {a.directions.get().slug for a in applications} == {"additive-manufacturing"}


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"inn": "7700000000"}, "inn"),
        ({"application-motivation": ""}, "motivation"),
        ({"application-documents": [SimpleUploadedFile("x.pdf", b"not a pdf")]}, "documents"),
    ],
)
def test_it_writes_nothing_when_any_part_is_refused(client, associations, overrides, field):
    client.force_login(UserFactory())
    data = {**first_application_data(associations), "application-documents": [pdf()], **overrides}
    response = client.post(reverse("applications:application-create"), data)
    assert response.status_code == 200
    errors = {**response.context["org_form"].errors, **response.context["form"].errors}
    assert field in errors
    assert Organisation.objects.count() == 0
    assert Representative.objects.count() == 0
    assert MembershipApplication.objects.count() == 0
    assert ApplicationDocument.objects.count() == 0
    # What the user typed is kept.
    assert response.context["org_form"]["short_name"].value() == "ИП Иванов"
    assert response.context["form"]["competences"].value() == "Гранульная 3D-печать"


def test_it_rolls_back_the_profile_when_the_applications_fail(associations):
    user = UserFactory()
    org_form = OrganisationForm(sole_trader_data())
    assert org_form.is_valid()
    with pytest.raises(services.ApplicationIncomplete):
        services.organisation_create_and_apply(
            user=user,
            organisation=org_form.profile(),
            organisation_directions=[],
            associations=list(associations),
            motivation="",  # incomplete: submitting raises
            competences="",
            directions=[],
            files=[],
            submit=True,
        )
    assert Organisation.objects.count() == 0
    assert Representative.objects.count() == 0
    assert MembershipApplication.objects.count() == 0


def test_it_offers_a_join_request_when_the_inn_is_registered(client, associations):
    existing = RepresentativeFactory(organisation__legal_form="sole_trader").organisation
    client.force_login(UserFactory())
    response = client.post(
        reverse("applications:application-create"), first_application_data(associations, inn=existing.inn)
    )
    assert response.context["existing"] == existing
    assert b'id="existing-organisation"' in response.content
    assert Organisation.objects.count() == 1


def test_it_preselects_the_association_from_the_query(client, owner, associations):
    client.force_login(owner.user)
    response = client.get(reverse("applications:application-create") + f"?association={associations[1].slug}")
    assert response.status_code == 200
    assert response.context["form"].initial["associations"] == [associations[1].pk]


def test_it_submits_one_application_per_association_with_the_documents(
    client, owner, associations, django_capture_on_commit_callbacks
):
    client.force_login(owner.user)
    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            reverse("applications:application-create"), {**post_data(owner, associations), "documents": [pdf()]}
        )
    assert response.status_code == 302
    applications = MembershipApplication.objects.order_by("association_id")
    assert [a.association for a in applications] == list(associations)
    for application in applications:
        assert application.status == ApplicationStatus.SUBMITTED
        assert application.submitted_at is not None
        assert application.applicant == owner.user
        assert list(application.directions.values_list("slug", flat=True)) == ["additive-manufacturing"]
        document = application.documents.get()
        assert (document.original_name, document.content_type, document.size) == (
            "устав.pdf",
            "application/pdf",
            len(PDF),
        )
        assert document.file.name.endswith(".pdf")
        assert list(application.events.values_list("from_status", "to_status")) == [("draft", "submitted")]
    assert Notification.objects.filter(recipient=owner.user, kind="application_received").count() == 2


def test_it_saves_drafts_without_motivation(client, owner, associations):
    client.force_login(owner.user)
    data = post_data(owner, associations[:1], motivation="", competences="", action="draft")
    response = client.post(reverse("applications:application-create"), data)
    application = MembershipApplication.objects.get()
    assert response["Location"] == application.get_absolute_url()
    assert application.status == ApplicationStatus.DRAFT
    assert ApplicationEvent.objects.count() == 0
    assert Notification.objects.count() == 0


def test_it_requires_motivation_and_competences_to_submit(client, owner, associations):
    client.force_login(owner.user)
    data = post_data(owner, associations, motivation=" ", competences="")
    client.cookies["django_language"] = "en"
    response = client.post(reverse("applications:application-create"), data)
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"motivation", "competences"}
    assert b"Required to submit the application" in response.content
    assert MembershipApplication.objects.count() == 0


def test_it_writes_nothing_when_a_document_is_refused(client, owner, associations):
    client.force_login(owner.user)
    data = {**post_data(owner, associations), "documents": [pdf(), SimpleUploadedFile("x.pdf", b"GIF89a")]}
    client.cookies["django_language"] = "en"
    response = client.post(reverse("applications:application-create"), data)
    assert response.status_code == 200
    assert "x.pdf" in str(response.context["form"].errors["documents"])
    assert MembershipApplication.objects.count() == 0
    assert ApplicationDocument.objects.count() == 0


def test_it_requires_an_association(client, owner):
    client.force_login(owner.user)
    response = client.post(reverse("applications:application-create"), post_data(owner, []))
    assert "associations" in response.context["form"].errors
    assert MembershipApplication.objects.count() == 0


def test_it_refuses_another_users_organisation(client, owner, associations):
    stranger = RepresentativeFactory()  # represents an organisation, but not this one
    client.force_login(stranger.user)
    response = client.post(reverse("applications:application-create"), post_data(owner, associations))
    assert "organisation" in response.context["form"].errors
    assert MembershipApplication.objects.count() == 0


def test_it_creates_one_application_when_the_form_is_sent_twice(client, owner, associations):
    client.force_login(owner.user)
    data = post_data(owner, associations[:1])
    first = client.post(reverse("applications:application-create"), data)
    second = client.post(reverse("applications:application-create"), data)
    assert MembershipApplication.objects.count() == 1
    assert first.status_code == second.status_code == 302
    assert second["Location"] == reverse("pages:cabinet")


def test_it_refuses_a_second_open_application_to_the_same_association(client, owner, associations):
    ApplicationFactory(organisation=owner.organisation, association=associations[0], status="submitted")
    client.force_login(owner.user)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("applications:application-create"),
        post_data(owner, associations, form_token="t2"),
    )
    assert response.status_code == 200
    assert "already has an open application" in str(response.context["form"].errors["associations"])
    assert MembershipApplication.objects.count() == 1


def test_it_turns_a_race_on_the_unique_constraint_into_the_existing_application(owner, associations):
    existing = ApplicationFactory(organisation=owner.organisation, association=associations[1], status="draft")
    with pytest.raises(services.DuplicateApplication) as exc:
        services.application_create(
            user=owner.user,
            organisation=owner.organisation,
            associations=list(associations),
            motivation="m",
            competences="c",
            directions=[],
            files=[],
            submit=False,
        )
    assert exc.value.existing == existing
    assert MembershipApplication.objects.count() == 1  # the first association's row was rolled back


def test_it_refuses_a_member_association(client, owner, associations):
    MembershipFactory(organisation=owner.organisation, association=associations[0])
    client.force_login(owner.user)
    response = client.post(reverse("applications:application-create"), post_data(owner, associations[:1]))
    assert "associations" in response.context["form"].errors
    assert MembershipApplication.objects.count() == 0


def test_it_refuses_reapplying_within_the_cooling_off_period(client, owner, associations, settings):
    settings.APPLICATION_COOLING_OFF = timedelta(days=30)
    ApplicationFactory(
        organisation=owner.organisation,
        association=associations[0],
        status="rejected",
        decided_at=timezone.now() - timedelta(days=10),
    )
    client.force_login(owner.user)
    client.cookies["django_language"] = "en"
    response = client.post(reverse("applications:application-create"), post_data(owner, associations[:1]))
    assert "you may apply again from" in str(response.context["form"].errors["associations"])
    assert MembershipApplication.objects.count() == 1


def test_it_accepts_reapplying_after_the_cooling_off_period(client, owner, associations, settings):
    settings.APPLICATION_COOLING_OFF = timedelta(days=30)
    ApplicationFactory(
        organisation=owner.organisation,
        association=associations[0],
        status="rejected",
        decided_at=timezone.now() - timedelta(days=31),
    )
    client.force_login(owner.user)
    response = client.post(reverse("applications:application-create"), post_data(owner, associations[:1]))
    assert response.status_code == 302
    assert MembershipApplication.objects.filter(status="submitted").count() == 1


def test_it_shows_unavailable_associations_disabled_with_the_reason(client, owner, associations):
    ApplicationFactory(organisation=owner.organisation, association=associations[0], status="submitted")
    client.force_login(owner.user)
    client.cookies["django_language"] = "en"
    response = client.get(reverse("applications:application-create"))
    assert set(response.context["form"].unavailable) == {associations[0].pk}
    body = response.content.decode()
    assert f'value="{associations[0].pk}"' in body and "disabled" in body
    assert 'id="unavailable-associations"' in body


def _unavailable(client):
    return set(client.get(reverse("applications:application-create")).context["form"].unavailable)


def test_the_forms_unavailable_associations_are_kept_and_follow_a_change_at_once(client, owner, associations):
    """The reasons above the form are kept per organisation (asked on every visit), but an
    application, a membership or an archived association shows on the next visit."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(owner.user)
    assert _unavailable(client) == set()
    with CaptureQueriesContext(connection) as queries:
        assert _unavailable(client) == set()
    read = [q["sql"] for q in queries.captured_queries]
    assert not any(MembershipApplication._meta.db_table in sql for sql in read), read
    ApplicationFactory(organisation=owner.organisation, association=associations[0], status="submitted")
    assert _unavailable(client) == {associations[0].pk}
    MembershipFactory(organisation=owner.organisation, association=associations[1])
    assert _unavailable(client) == {associations[0].pk, associations[1].pk}
    MembershipApplication.objects.get().withdraw(by=owner.user)
    assert _unavailable(client) == {associations[1].pk}


def test_a_kept_rejection_stops_blocking_when_its_cooling_off_ends(client, owner, associations, settings):
    settings.APPLICATION_COOLING_OFF = timedelta(days=30)
    decided = timezone.now() - timedelta(days=30) + timedelta(minutes=5)
    ApplicationFactory(
        organisation=owner.organisation, association=associations[0], status="rejected", decided_at=decided
    )
    client.force_login(owner.user)
    assert _unavailable(client) == {associations[0].pk}
    assert _unavailable(client) == {associations[0].pk}  # kept
    later = timezone.now() + timedelta(minutes=6)
    with (
        mock.patch("django.utils.timezone.now", return_value=later),
        mock.patch("applications.services.applicant.time.time", return_value=later.timestamp()),
    ):
        assert _unavailable(client) == set()
