"""The cabinet: the list, one application's page and the applicant's actions on it.

The shared world: alice owns «Аддитив», whose application to «3D-печать» (`world.application`) bob
reviews; carol is alice's colleague.
"""

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
from notifications.models import Notification
from notifications.services import notify
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


def moved(application, status, **fields):
    """The application put in `status` directly, as if its history had led there."""
    submitted_at = None if status == ApplicationStatus.DRAFT else application.submitted_at
    MembershipApplication.objects.filter(pk=application.pk).update(status=status, submitted_at=submitted_at, **fields)
    application.refresh_from_db()
    return application


def draft(world, **fields):
    """«Аддитив»'s application, back to a draft."""
    return moved(world.application, ApplicationStatus.DRAFT, **fields)


def another_application(world, **kwargs):
    """One more application of alice's «Аддитив», to an association of its own."""
    return ApplicationFactory(organisation=world.applicant_org, applicant=world.alice, **kwargs)


# The list


def test_it_lists_the_users_applications_and_organisations(client, world):
    other = ApplicationFactory(organisation=world.member_org, association=world.photonics, applicant=world.dave)
    client.force_login(world.alice)
    response = client.get(reverse("pages:cabinet"))
    assert response.status_code == 200
    assert list(response.context["applications"]) == [world.application]
    assert [r.organisation for r in response.context["representations"]] == [world.applicant_org]
    assert f'data-application="{other.pk}"' not in response.content.decode()


@pytest.mark.parametrize("count", [1, 5])
def test_it_runs_a_fixed_number_of_queries(client, world, count, django_assert_num_queries):
    """1 session, 2 user, 3 representations (+organisation), 4 the nav's reviewer check,
    5 the nav's unread count, 6 applications (+organisation, association),
    7 join requests to owned organisations, 8 the user's own join requests,
    9 the five latest notifications (+recipient)."""
    applications = [world.application] + [another_application(world, status="submitted") for _ in range(count - 1)]
    for application in applications:
        params = {"organisation": world.applicant_org.short_name, "association": application.association.name}
        notify(recipient=world.alice, kind="application_received", params=params, url=application.get_absolute_url())
    client.force_login(world.alice)
    with django_assert_num_queries(9):
        assert client.get(reverse("pages:cabinet")).status_code == 200


# One application


def test_it_shows_the_timeline_with_comments_but_not_internal_notes(client, world):
    application = world.application
    application.take_into_review(by=world.bob, internal_note="секретная заметка")
    application.request_information(by=world.bob, comment="Приложите устав")
    client.force_login(world.alice)
    response = client.get(application.get_absolute_url())
    body = response.content.decode()
    assert "Приложите устав" in body
    assert "секретная заметка" not in body
    assert [e.to_status for e in response.context["events"]] == ["in_review", "info_requested"]
    assert response.context["response_form"] is not None


def test_it_shows_the_latest_question_right_above_the_answer_box(client, world):
    application = world.application
    application.take_into_review(by=world.bob)
    application.request_information(by=world.bob, comment="Приложите устав")
    application.submit(by=world.alice, comment="Устав приложен")
    application.take_into_review(by=world.bob)
    application.request_information(by=world.bob, comment="Нужна выписка из ЕГРЮЛ")
    client.force_login(world.alice)
    body = client.get(application.get_absolute_url()).content.decode()
    answer_box = body[body.index('id="respond-heading"') : body.index('name="comment"')]
    assert "Нужна выписка из ЕГРЮЛ" in answer_box
    assert "Приложите устав" not in answer_box  # the earlier question stays in the history
    assert body.count("Нужна выписка из ЕГРЮЛ") == 2  # here and in the history


def test_it_shows_no_question_once_the_answer_is_given(client, world):
    application = world.application
    application.take_into_review(by=world.bob)
    application.request_information(by=world.bob, comment="Приложите устав")
    application.submit(by=world.alice, comment="Устав приложен")
    client.force_login(world.alice)
    response = client.get(application.get_absolute_url())
    assert response.context["question"] is None
    assert 'id="info-request"' not in response.content.decode()


def test_it_submits_a_draft(client, world, django_capture_on_commit_callbacks):
    application = draft(world)
    client.force_login(world.alice)
    response = client.post(reverse("applications:application-submit", args=[application.pk]))
    assert response["Location"] == application.get_absolute_url()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    told = Notification.objects.filter(kind="application_submitted").values_list("recipient", flat=True)
    assert list(told) == [world.bob.pk]


def test_it_refuses_to_submit_an_incomplete_draft(client, world):
    application = draft(world, motivation="")
    client.force_login(world.alice)
    response = client.post(reverse("applications:application-submit", args=[application.pk]))
    assert response["Location"] == reverse("applications:application-edit", args=[application.pk])
    application.refresh_from_db()
    assert application.status == ApplicationStatus.DRAFT
    assert ApplicationEvent.objects.count() == 0


def test_it_refuses_get_on_actions(client, world):
    application = draft(world)
    client.force_login(world.alice)
    for name in (
        "applications:application-submit",
        "applications:application-withdraw",
        "applications:application-respond",
    ):
        assert client.get(reverse(name, args=[application.pk])).status_code == 405


def test_it_withdraws_before_a_decision(client, world):
    application = world.application  # submitted
    client.force_login(world.carol)
    response = client.post(
        reverse("applications:application-withdraw", args=[application.pk]), {"comment": "Передумали"}
    )
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ApplicationStatus.WITHDRAWN
    event = application.events.get()
    assert (event.actor, event.from_status, event.to_status, event.comment) == (
        world.carol,
        "submitted",
        "withdrawn",
        "Передумали",
    )
    told = Notification.objects.filter(kind="application_withdrawn").values_list("recipient", flat=True)
    assert list(told) == [world.bob.pk]


def test_it_refuses_to_withdraw_after_a_decision(client, world):
    application = moved(world.application, ApplicationStatus.REJECTED, decided_at=timezone.now())
    client.force_login(world.alice)
    response = client.post(reverse("applications:application-withdraw", args=[application.pk]), follow=True)
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.status == ApplicationStatus.REJECTED
    assert ApplicationEvent.objects.count() == 0


def test_it_resubmits_with_the_answer_to_an_information_request(client, world):
    application = moved(world.application, ApplicationStatus.INFO_REQUESTED)
    client.force_login(world.alice)
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


def test_it_requires_an_answer_and_keeps_the_status(client, world):
    application = moved(world.application, ApplicationStatus.INFO_REQUESTED)
    client.force_login(world.alice)
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


def test_it_refuses_an_answer_when_nothing_was_asked(client, world):
    application = world.application  # submitted
    client.force_login(world.alice)
    client.post(reverse("applications:application-respond", args=[application.pk]), {"comment": "Вот"})
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert ApplicationEvent.objects.count() == 0


def test_it_edits_a_draft_and_adds_documents_up_to_five(client, world):
    application = draft(world)
    client.force_login(world.alice)
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


def test_it_keeps_a_submission_made_while_an_edit_was_being_saved(world):
    """The edit form holds a copy loaded before a colleague submitted: saving it must not undo the submission."""
    application = draft(world, motivation="m", competences="c")
    stale = MembershipApplication.objects.get(pk=application.pk)
    form = ApplicationEditForm({"motivation": "Новая", "competences": "Литьё"}, instance=stale)
    assert form.is_valid()
    services.application_submit(application=application, user=world.carol)
    with pytest.raises(TransitionError):
        services.application_update(
            application=stale,
            user=world.alice,
            motivation=form.cleaned_data["motivation"],
            competences=form.cleaned_data["competences"],
            directions=form.cleaned_data["directions"],
            files=[],
        )
    application.refresh_from_db()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.motivation == "m"


def test_it_removes_a_document_from_a_draft_only(client, world):
    application = draft(world)
    client.force_login(world.alice)
    client.post(
        reverse("applications:application-edit", args=[application.pk]),
        {"motivation": "m", "competences": "c", "documents": [SimpleUploadedFile("a.pdf", PDF)]},
    )
    document = application.documents.get()
    MembershipApplication.objects.filter(pk=application.pk).update(status="submitted")
    client.post(reverse("applications:document-delete", args=[document.pk]))
    assert ApplicationDocument.objects.count() == 1
    MembershipApplication.objects.filter(pk=application.pk).update(status="draft")
    client.post(reverse("applications:document-delete", args=[document.pk]))
    assert ApplicationDocument.objects.count() == 0


def test_it_keeps_the_documents_of_an_application_submitted_while_one_was_being_removed(client, world):
    application = draft(world, motivation="m", competences="c")
    services.attach_documents(
        application=application, user=world.alice, files=check_uploads([_pdf()], ApplicationDocument.POLICY)
    )
    # The view loaded the document with its application still a draft; a colleague submits just then.
    stale = ApplicationDocument.objects.select_related("application").get()
    services.application_submit(application=application, user=world.carol)
    client.force_login(world.alice)
    with mock.patch("applications.views.cabinet.get_object_or_404", return_value=stale):
        client.post(reverse("applications:document-delete", args=[stale.pk]))
    assert ApplicationDocument.objects.filter(application=application).count() == 1
    assert stale.file.storage.exists(stale.file.name)


def _pdf():
    return SimpleUploadedFile("a.pdf", PDF)


def test_it_offers_reapplying_only_after_the_cooling_off(client, world, settings):
    settings.APPLICATION_COOLING_OFF = timedelta(days=30)
    recent = another_application(world, status="rejected", decided_at=timezone.now() - timedelta(days=3))
    old = another_application(world, status="rejected", decided_at=timezone.now() - timedelta(days=40))
    client.force_login(world.alice)
    assert client.get(recent.get_absolute_url()).context["can_reapply"] is False
    assert client.get(old.get_absolute_url()).context["can_reapply"] is True
