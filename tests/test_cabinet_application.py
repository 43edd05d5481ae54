"""The cabinet: the list, one application's page and the applicant's actions on it."""

from datetime import timedelta
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from applications import services
from applications.forms import ApplicationEditForm
from applications.models import ApplicationDocument, ApplicationEvent, ApplicationStatus, MembershipApplication
from core.documents import check_uploads
from core.transitions import Refused as TransitionError
from members.models import RepresentativeRole
from notifications.models import Notification
from notifications.services import notify
from tests.factories import ApplicationFactory, RepresentativeFactory, UserFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def owner():
    return RepresentativeFactory()


def application_of(owner, **kwargs):
    return ApplicationFactory(organisation=owner.organisation, applicant=owner.user, **kwargs)


def with_reviewer(application):
    reviewer = UserFactory()
    application.association.coordinators.add(reviewer)
    return reviewer


# The list


def test_it_lists_the_users_applications_and_organisations(client, owner):
    mine = application_of(owner, status="submitted")
    other = ApplicationFactory()
    client.force_login(owner.user)
    response = client.get(reverse("pages:cabinet"))
    assert response.status_code == 200
    assert list(response.context["applications"]) == [mine]
    assert [r.organisation for r in response.context["representations"]] == [owner.organisation]
    assert f'data-application="{other.pk}"' not in response.content.decode()


@pytest.mark.parametrize("count", [1, 5])
def test_it_runs_a_fixed_number_of_queries(client, owner, count, django_assert_num_queries):
    """1 session, 2 user, 3 representations (+organisation), 4 the nav's reviewer check,
    5 the nav's unread count, 6 applications (+organisation, association),
    7 join requests to owned organisations, 8 the user's own join requests,
    9 the five latest notifications (+recipient)."""
    for _ in range(count):
        application = application_of(owner, status="submitted")
        params = {"organisation": owner.organisation.short_name, "association": application.association.name}
        notify(recipient=owner.user, kind="application_received", params=params, url=application.get_absolute_url())
    client.force_login(owner.user)
    with django_assert_num_queries(9):
        assert client.get(reverse("pages:cabinet")).status_code == 200


# One application


def test_it_shows_the_timeline_with_comments_but_not_internal_notes(client, owner):
    application = application_of(owner, status="submitted")
    reviewer = with_reviewer(application)
    application.take_into_review(by=reviewer, internal_note="секретная заметка")
    application.request_information(by=reviewer, comment="Приложите устав")
    client.force_login(owner.user)
    response = client.get(application.get_absolute_url())
    body = response.content.decode()
    assert "Приложите устав" in body
    assert "секретная заметка" not in body
    assert [e.to_status for e in response.context["events"]] == ["in_review", "info_requested"]
    assert response.context["response_form"] is not None


def test_it_submits_a_draft(client, owner, django_capture_on_commit_callbacks):
    application = application_of(owner)
    reviewer = with_reviewer(application)
    client.force_login(owner.user)
    response = client.post(reverse("applications:application-submit", args=[application.pk]))
    assert response["Location"] == application.get_absolute_url()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert Notification.objects.filter(recipient=reviewer, kind="application_submitted").count() == 1


def test_it_refuses_to_submit_an_incomplete_draft(client, owner):
    application = application_of(owner, motivation="")
    client.force_login(owner.user)
    response = client.post(reverse("applications:application-submit", args=[application.pk]))
    assert response["Location"] == reverse("applications:application-edit", args=[application.pk])
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    assert ApplicationEvent.objects.count() == 0


def test_it_refuses_get_on_actions(client, owner):
    application = application_of(owner)
    client.force_login(owner.user)
    for name in (
        "applications:application-submit",
        "applications:application-withdraw",
        "applications:application-respond",
    ):
        assert client.get(reverse(name, args=[application.pk])).status_code == 405


def test_it_withdraws_before_a_decision(client, owner):
    application = application_of(owner, status="submitted")
    reviewer = with_reviewer(application)
    colleague = RepresentativeFactory(organisation=owner.organisation, role=RepresentativeRole.REPRESENTATIVE).user
    client.force_login(colleague)
    response = client.post(
        reverse("applications:application-withdraw", args=[application.pk]), {"comment": "Передумали"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    event = application.events.get()
    assert (event.actor, event.from_status, event.to_status, event.comment) == (
        colleague,
        "submitted",
        "withdrawn",
        "Передумали",
    )
    assert Notification.objects.filter(recipient=reviewer, kind="application_withdrawn").count() == 1


def test_it_refuses_to_withdraw_after_a_decision(client, owner):
    application = application_of(owner, status="rejected", decided_at=timezone.now())
    client.force_login(owner.user)
    response = client.post(reverse("applications:application-withdraw", args=[application.pk]), follow=True)
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    assert ApplicationEvent.objects.count() == 0


def test_it_resubmits_with_the_answer_to_an_information_request(client, owner):
    application = application_of(owner, status="info_requested")
    client.force_login(owner.user)
    upload = SimpleUploadedFile("выписка.pdf", PDF)
    response = client.post(
        reverse("applications:application-respond", args=[application.pk]),
        {"comment": "Устав приложен", "documents": upload},
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.events.get().comment == "Устав приложен"
    assert application.documents.get().original_name == "выписка.pdf"


def test_it_requires_an_answer_and_keeps_the_status(client, owner):
    application = application_of(owner, status="info_requested")
    client.force_login(owner.user)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("applications:application-respond", args=[application.pk]),
        {"comment": "", "documents": SimpleUploadedFile("x.pdf", PDF)},
    )
    assert response.status_code == 400
    assert "Your answer" in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.INFO_REQUESTED
    assert ApplicationDocument.objects.count() == 0


def test_it_refuses_an_answer_when_nothing_was_asked(client, owner):
    application = application_of(owner, status="submitted")
    client.force_login(owner.user)
    client.post(reverse("applications:application-respond", args=[application.pk]), {"comment": "Вот"})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert ApplicationEvent.objects.count() == 0


def test_it_edits_a_draft_and_adds_documents_up_to_five(client, owner):
    application = application_of(owner)
    client.force_login(owner.user)
    url = reverse("applications:application-edit", args=[application.pk])
    files = [SimpleUploadedFile(f"{i}.pdf", PDF) for i in range(5)]
    response = client.post(url, {"motivation": "Новая", "competences": "Литьё", "documents": files})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.motivation == "Новая"
    assert application.documents.count() == 5
    response = client.post(
        url, {"motivation": "Ещё", "competences": "Литьё", "documents": SimpleUploadedFile("6.pdf", PDF)}
    )
    assert response.status_code == 200
    assert "documents" in response.context["form"].errors
    application.refresh_from_db()
    assert application.motivation == "Новая"
    assert application.documents.count() == 5


def test_it_keeps_a_submission_made_while_an_edit_was_being_saved(owner):
    """The edit form holds a copy loaded before a colleague submitted: saving it must not undo the submission."""
    application = application_of(owner, motivation="m", competences="c")
    stale = MembershipApplication.objects.get(pk=application.pk)
    form = ApplicationEditForm({"motivation": "Новая", "competences": "Литьё"}, instance=stale)
    assert form.is_valid()
    services.application_submit(application=application, user=owner.user)
    with pytest.raises(TransitionError):
        services.application_update(
            application=stale,
            user=owner.user,
            motivation=form.cleaned_data["motivation"],
            competences=form.cleaned_data["competences"],
            directions=form.cleaned_data["directions"],
            files=[],
        )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.motivation == "m"


def test_it_removes_a_document_from_a_draft_only(client, owner):
    application = application_of(owner)
    client.force_login(owner.user)
    client.post(
        reverse("applications:application-edit", args=[application.pk]),
        {"motivation": "m", "competences": "c", "documents": [SimpleUploadedFile("a.pdf", PDF)]},
    )
    document = application.documents.get()
    ApplicationFactory._meta.model.objects.filter(pk=application.pk).update(status="submitted")
    client.post(reverse("applications:document-delete", args=[document.pk]))
    assert ApplicationDocument.objects.count() == 1
    ApplicationFactory._meta.model.objects.filter(pk=application.pk).update(status="draft")
    client.post(reverse("applications:document-delete", args=[document.pk]))
    assert ApplicationDocument.objects.count() == 0


def test_it_keeps_the_documents_of_an_application_submitted_while_one_was_being_removed(client, owner):
    application = application_of(owner, motivation="m", competences="c")
    services.attach_documents(
        application=application, user=owner.user, files=check_uploads([_pdf()], ApplicationDocument.POLICY)
    )
    # The view loaded the document with its application still a draft; a colleague submits just then.
    stale = ApplicationDocument.objects.select_related("application").get()
    services.application_submit(application=application, user=owner.user)
    client.force_login(owner.user)
    with mock.patch("applications.views.cabinet.get_object_or_404", return_value=stale):
        client.post(reverse("applications:document-delete", args=[stale.pk]))
    assert ApplicationDocument.objects.filter(application=application).count() == 1
    assert stale.file.storage.exists(stale.file.name)


def _pdf():
    return SimpleUploadedFile("a.pdf", PDF)


def test_it_offers_reapplying_only_after_the_cooling_off(client, owner, settings):
    settings.APPLICATION_COOLING_OFF = timedelta(days=30)
    recent = application_of(owner, status="rejected", decided_at=timezone.now() - timedelta(days=3))
    old = application_of(owner, status="rejected", decided_at=timezone.now() - timedelta(days=40))
    client.force_login(owner.user)
    assert client.get(recent.get_absolute_url()).context["can_reapply"] is False
    assert client.get(old.get_absolute_url()).context["can_reapply"] is True
