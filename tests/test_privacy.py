"""Personal data (152-FZ): the person's own copy, deletion of the account, consent withdrawal."""

import json
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from auditlog.models import LogEntry
from django.contrib.sessions.models import Session
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from api.models import AccessToken
from applications.models import ApplicationDocument, ApplicationStatus
from core.documents import PDF, CheckedUpload
from members.models import Invitation, JoinRequest, Representative
from notifications.models import Notification
from notifications.services import notify
from privacy.models import ConsentEvent, ConsentKind, EventKind, PersonalDataEvent
from privacy.services import (
    DeletionBlocked,
    _replace,
    account_delete,
    consent_give,
    consent_withdraw,
    deletions_due_process,
    personal_data_export,
)
from projects.models import ParticipationRequest

from .factories import ApplicationFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "password-for-tests-1"
REMOVED = "удалённый пользователь"


def add_application_history(world, *, applicant, organisation, note="Внутренняя заметка о компании"):
    """A submitted application taken into review with an internal note and asked for information."""
    application = ApplicationFactory(
        organisation=organisation, association=world.photonics, applicant=applicant, status=ApplicationStatus.DRAFT
    )
    application.submit(by=applicant)
    application.take_into_review(by=world.erin, internal_note=note)
    application.request_information(by=world.erin, comment="Пришлите устав", internal_note=note)
    upload = SimpleUploadedFile("устав.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    ApplicationDocument(application=application).store(CheckedUpload(upload, PDF), user=applicant)
    return application


def export_of(client, user) -> dict:
    client.force_login(user)
    response = client.post(reverse("privacy:export"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"].startswith('attachment; filename="personal-data-')
    return json.loads(b"".join(response.streaming_content))


# Export


def test_it_exports_each_kind_of_data_and_nothing_of_anyone_else(client, world):
    alice, dave = world.alice, world.dave
    EmailAddress.objects.create(user=alice, email=alice.email, verified=True, primary=True)
    add_application_history(world, applicant=alice, organisation=world.applicant_org)
    # Someone else's application, in another organisation, with its own note.
    add_application_history(world, applicant=dave, organisation=world.member_org, note="Заметка о Грануле")
    JoinRequest.objects.create(organisation=world.member_org, user=alice, message="Возьмите меня")
    Invitation.objects.create(organisation=world.applicant_org, email="new@example.com", invited_by=alice)
    Invitation.objects.create(organisation=world.member_org, email=alice.email, invited_by=dave)
    ParticipationRequest.objects.create(
        project=world.project, organisation=world.applicant_org, message="Напечатаем корпуса", requested_by=alice
    )
    notify(recipient=alice, kind="join_request_accepted", params={"organisation": "ООО «Гранула»", "inn": "1"})
    notify(recipient=world.carol, kind="join_request_declined", params={"organisation": "Секрет", "inn": "2"})
    ConsentEvent.objects.create(user=alice, kind=ConsentKind.WITHDRAWN, policy_version="2026-11-01")
    alice.pd_consent_at, alice.pd_policy_version = timezone.now() - timedelta(days=3), "2026-11-01"
    alice.save()

    data = export_of(client, alice)

    account = data["account"]
    assert (account["email"], account["last_name"], account["language"]) == (alice.email, alice.last_name, "ru")
    assert [c["kind"] for c in account["consent"]] == ["given", "withdrawn"] and account["consent"][0]["at_signup"]
    assert account["email_addresses"] == [{"email": alice.email, "verified": True, "primary": True}]
    assert account["personal_data_requests"][-1]["kind"] == "exported"
    assert [r["organisation"] for r in data["representations"]] == ["ООО «Аддитив»"]
    assert data["organisations_owned"][0]["inn"] == world.applicant_org.inn
    assert data["organisations_owned"][0]["directions"] == []
    (application,) = [a for a in data["applications"] if a["association"] == "photonics"]
    assert [step["to"] for step in application["history"]] == ["submitted", "in_review", "info_requested"]
    assert application["history"][2]["comment"] == "Пришлите устав"
    assert application["documents"][0]["name"] == "устав.pdf"
    assert data["documents_uploaded"]["applications"][0]["size"] > 0
    assert data["join_requests"][0]["message"] == "Возьмите меня"
    assert [i["email"] for i in data["invitations_sent"]] == ["new@example.com"]
    assert [i["organisation"] for i in data["invitations_received"]] == ["ООО «Гранула»"]
    assert data["participation_requests"][0]["message"] == "Напечатаем корпуса"
    assert [n["kind"] for n in data["notifications"]] == ["join_request_accepted"]
    assert data["notifications"][0]["title"]
    assert isinstance(data["audit_log"], list)
    text = json.dumps(data, ensure_ascii=False)
    assert {a["organisation"] for a in data["applications"]} == {"ООО «Аддитив»"}
    for foreign in ("Внутренняя заметка", "Заметка о Грануле", "Секрет", dave.email, dave.last_name):
        assert foreign not in text
    assert PersonalDataEvent.objects.filter(user=alice, kind=EventKind.EXPORTED).count() == 1


def test_it_lists_a_reviewers_own_steps_and_stage_changes(client, world):
    add_application_history(world, applicant=world.alice, organisation=world.applicant_org)
    world.project.change_stage("development", by=world.erin, comment="Начали")
    data = export_of(client, world.erin)
    assert [s["to"] for s in data["actions"]["application_steps"]] == ["in_review", "info_requested"]
    assert data["actions"]["project_stage_changes"][0]["to"] == "development"
    assert data["account"]["roles"]["coordinator_of"] == ["photonics"]
    assert "Внутренняя заметка" not in json.dumps(data, ensure_ascii=False)


def _export_queries(user) -> int:
    with CaptureQueriesContext(connection) as queries:
        personal_data_export(user)
    return len(queries)


def test_the_export_runs_the_same_few_queries_for_little_and_much_data(world):
    # 1 the record of the download; 2 e-mail addresses; 3 consent events; 4 privacy events;
    # 5 representations with organisations and regions; 6 their directions; 7 coordinated associations;
    # 8 applications with organisation and association; 9 their directions; 10 their history;
    # 11 their documents; 12 join requests; 13 invitations; 14 participation requests; 15 notifications;
    # 16 application documents; 17 project documents; 18 application steps; 19 stage changes;
    # 20 audit log entries; and the savepoint of the service's transaction with its release (the test's
    # transaction is outside). Fewer when a prefetch has no rows to follow (no application at all).
    few = _export_queries(world.alice)
    for _ in range(3):
        organisation = OrganisationFactory()
        Representative.objects.create(organisation=organisation, user=world.alice, role="owner")
        add_application_history(world, applicant=world.alice, organisation=organisation)
        notify(recipient=world.alice, kind="join_request_accepted", params={"organisation": "Х", "inn": "1"})
        JoinRequest.objects.create(organisation=world.member_org, user=world.alice, status="declined")
        ConsentEvent.objects.create(user=world.alice, kind=ConsentKind.GIVEN, policy_version="x")
    assert _export_queries(world.alice) == few == 22


def test_the_export_is_for_signed_in_people_by_post_only(client, world):
    assert client.post(reverse("privacy:export")).status_code == 302
    client.force_login(world.alice)
    assert client.get(reverse("privacy:export")).status_code == 405


# Deletion


def test_it_anonymises_the_account_and_keeps_the_history(client, world):
    alice = world.alice
    application = add_application_history(world, applicant=alice, organisation=world.applicant_org)
    alice_events = list(application.events.filter(actor=alice).values_list("pk", flat=True))
    notify(recipient=alice, kind="join_request_accepted", params={"organisation": "Х", "inn": "1"})
    JoinRequest.objects.create(organisation=world.member_org, user=alice)
    Invitation.objects.create(organisation=world.member_org, email=alice.email, invited_by=world.dave)
    EmailAddress.objects.create(user=alice, email=alice.email, verified=True, primary=True)
    token = AccessToken.objects.create(
        user=alice, name="t", prefix="x", token_hash="h" * 64, scopes="read", expires_at=timezone.now() + timedelta(1)
    )
    other_device = client.__class__()
    other_device.force_login(alice)
    client.force_login(alice)

    assert client.get(reverse("privacy:delete")).status_code == 200
    response = client.post(reverse("privacy:delete"), {"password": "wrong"})
    assert response.status_code == 200 and User.objects.get(pk=alice.pk).is_active
    response = client.post(reverse("privacy:delete"), {"password": PASSWORD})
    assert response["Location"] == reverse("privacy:deleted")

    alice.refresh_from_db()
    assert alice.is_removed and not alice.is_active and not alice.has_usable_password()
    assert (alice.last_name, alice.first_name, alice.patronymic) == ("", "", "")
    assert alice.email.startswith("removed-") and alice.email.endswith("@removed.invalid")
    assert alice.full_display_name == alice.short_display_name == REMOVED
    assert not Representative.objects.filter(user=alice).exists()
    assert not Notification.objects.filter(recipient=alice).exists()
    assert not JoinRequest.objects.filter(user=alice).exists()
    assert not Invitation.objects.filter(organisation=world.member_org).exists()
    assert not EmailAddress.objects.filter(user=alice).exists()
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert [e.kind for e in PersonalDataEvent.objects.filter(user=alice)] == [
        EventKind.DELETION_REQUESTED,
        EventKind.DELETION_COMPLETED,
    ]
    # The organisation stays, without its former owner; the application and its history stay too.
    assert world.applicant_org.representatives.filter(user=world.carol).exists()
    application.refresh_from_db()
    assert application.applicant_id == alice.pk
    assert list(application.events.filter(actor=alice).values_list("pk", flat=True)) == alice_events
    # Every session of hers has ended.
    assert not any(s.get_decoded().get("_auth_user_id") == str(alice.pk) for s in Session.objects.all())
    assert other_device.get(reverse("pages:cabinet")).status_code == 302
    assert client.get(reverse("privacy:deleted")).status_code == 200


def test_the_review_and_application_pages_show_a_removed_user(client, world):
    application = add_application_history(world, applicant=world.alice, organisation=world.applicant_org)
    email = world.alice.email
    account_delete(user=world.alice)

    client.force_login(world.erin)
    for url in (reverse("applications:review-queue"), reverse("applications:review-detail", args=[application.pk])):
        response = client.get(url)
        assert response.status_code == 200
        assert email not in response.content.decode()
    assert REMOVED in client.get(reverse("applications:review-detail", args=[application.pk])).content.decode()

    client.force_login(world.carol)
    page = client.get(reverse("applications:application-detail", args=[application.pk]))
    assert page.status_code == 200
    assert REMOVED in page.content.decode()


def test_a_removed_reviewer_is_named_removed_user_on_the_applicants_page(client, world):
    application = add_application_history(world, applicant=world.alice, organisation=world.applicant_org)
    world.photonics.coordinators.add(world.admin)
    account_delete(user=world.erin)
    application.refresh_from_db()
    client.force_login(world.alice)
    page = client.get(reverse("applications:application-detail", args=[application.pk])).content.decode()
    assert "Фотонова" not in page and REMOVED in page
    assert not world.photonics.coordinators.filter(pk=world.erin.pk).exists()
    assert application.assigned_to_id is None


def test_a_deleted_user_cannot_sign_in(client, world):
    alice = world.alice
    EmailAddress.objects.create(user=alice, email=alice.email, verified=True, primary=True)
    email = alice.email
    account_delete(user=alice)
    response = client.post(reverse("account_login"), {"login": email, "password": PASSWORD})
    assert response.status_code == 200
    assert client.get(reverse("pages:cabinet")).status_code == 302


def test_it_replaces_the_name_in_other_peoples_notifications_and_the_audit_log(world):
    bob = world.bob
    notify(
        recipient=world.dave,
        kind="join_request_received",
        params={"user": bob.full_display_name, "email": bob.email, "organisation": "О", "inn": "1"},
    )
    world.additive.coordinators.remove(bob)
    world.additive.coordinators.add(bob)
    account_delete(user=bob)
    params = Notification.objects.get(recipient=world.dave).params
    assert (params["user"], params["user_en"], params["email"]) == (REMOVED, "removed user", "")
    assert not world.additive.coordinators.exists()
    for entry in LogEntry.objects.all():
        assert "Борисов" not in json.dumps(entry.changes, ensure_ascii=False)


def test_the_only_administrator_cannot_delete_the_account(client, world):
    client.force_login(world.admin)
    page = client.get(reverse("privacy:delete"))
    assert "deletion-blocked" in page.content.decode()
    client.post(reverse("privacy:delete"), {"password": PASSWORD})
    assert User.objects.get(pk=world.admin.pk).is_active
    with pytest.raises(DeletionBlocked):
        account_delete(user=world.admin)
    UserFactory(is_superuser=True)
    account_delete(user=world.admin)
    assert User.objects.get(pk=world.admin.pk).is_removed


def test_deleting_twice_changes_nothing(world):
    account_delete(user=world.charlie)
    email = User.objects.get(pk=world.charlie.pk).email
    account_delete(user=world.charlie)
    assert User.objects.get(pk=world.charlie.pk).email == email
    assert PersonalDataEvent.objects.filter(user=world.charlie).count() == 2


def test_sign_up_refuses_the_removed_accounts_domain(client, settings):
    settings.ACCOUNT_RATE_LIMITS = False
    response = client.post(
        reverse("account_signup"),
        {
            "email": "x@removed.invalid",
            "last_name": "Петрова",
            "first_name": "Анна",
            "password1": "Печать-2026-гранулы",
            "password2": "Печать-2026-гранулы",
            "pd_consent": "on",
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="x@removed.invalid").exists()


# Consent


def test_a_withdrawal_is_recorded_told_to_administrators_and_blocks_the_portal(client, world, settings):
    alice = world.alice
    other_device = client.__class__()
    other_device.force_login(alice)
    client.force_login(alice)
    assert client.get(reverse("privacy:consent")).status_code == 200
    response = client.post(reverse("privacy:consent"), {})
    assert response.status_code == 200 and not ConsentEvent.objects.exists()

    response = client.post(reverse("privacy:consent"), {"confirm": "on"})
    assert response["Location"] == reverse("privacy:consent")
    event = ConsentEvent.objects.get(user=alice)
    assert (event.kind, event.policy_version) == (ConsentKind.WITHDRAWN, settings.PRIVACY_POLICY_VERSION)
    told = Notification.objects.get(kind="privacy_consent_withdrawn")
    assert told.recipient == world.admin and told.params["user_id"] == alice.pk
    # Only the personal-data pages open now; the other device was signed out.
    assert client.get(reverse("pages:cabinet"))["Location"] == reverse("privacy:consent")
    assert client.get(reverse("privacy:overview")).status_code == 200
    assert "withdrawn-notice" in client.get(reverse("privacy:consent")).content.decode()
    assert other_device.get(reverse("pages:cabinet"))["Location"].startswith(reverse("account_login"))
    # Signing in again keeps the portal closed.
    other_device.force_login(alice)
    assert other_device.get(reverse("pages:cabinet"))["Location"] == reverse("privacy:consent")

    response = client.post(reverse("privacy:consent"))
    assert response["Location"] == reverse("privacy:overview")
    assert [e.kind for e in ConsentEvent.objects.filter(user=alice)] == [ConsentKind.WITHDRAWN, ConsentKind.GIVEN]
    assert client.get(reverse("pages:cabinet")).status_code == 200
    page = client.get(reverse("privacy:overview")).content.decode()
    assert "consent-history" in page


def test_withdrawing_twice_keeps_the_first_withdrawal(world):
    first = consent_withdraw(user=world.alice)
    assert consent_withdraw(user=world.alice) == first
    assert ConsentEvent.objects.count() == 1


def test_accounts_are_deleted_thirty_days_after_a_withdrawal(world):
    consent_withdraw(user=world.alice)
    consent_withdraw(user=world.carol)
    consent_withdraw(user=world.admin)
    ConsentEvent.objects.filter(user__in=[world.alice, world.admin]).update(
        created_at=timezone.now() - timedelta(days=31)
    )
    assert deletions_due_process() == 1
    assert User.objects.get(pk=world.alice.pk).is_removed
    assert not User.objects.get(pk=world.carol.pk).is_removed
    assert not User.objects.get(pk=world.admin.pk).is_removed  # the only administrator


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_personal_data_pages_render_in_both_languages(client, world, language):
    client.cookies["django_language"] = language
    client.force_login(world.alice)
    for name in ("privacy:overview", "privacy:consent", "privacy:delete"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert response["Cache-Control"] == "private, no-store"
    cabinet = client.get(reverse("pages:cabinet")).content.decode()
    assert reverse("privacy:overview") in cabinet
    assert reverse("privacy:overview") in client.get(reverse("accounts:privacy")).content.decode()
    assert client.get(reverse("privacy:overview")).status_code == 200


def test_the_pages_are_for_signed_in_people(client):
    for name in ("privacy:overview", "privacy:consent", "privacy:delete"):
        assert client.get(reverse(name))["Location"].startswith(reverse("account_login"))
    assert client.get(reverse("privacy:deleted")).status_code == 200


def test_the_daily_task_runs_the_service(world):
    from privacy.tasks import delete_after_withdrawal

    assert delete_after_withdrawal() == 0


def test_giving_consent_without_a_withdrawal_records_nothing(world):
    assert consent_give(user=world.alice) is None
    assert not ConsentEvent.objects.exists()


def test_the_delete_page_says_why_when_the_last_administrator_left_meanwhile(client, world, monkeypatch):
    monkeypatch.setattr("privacy.views.may_delete", lambda user: None)
    client.force_login(world.admin)
    page = client.post(reverse("privacy:delete"), {"password": PASSWORD}).content.decode()
    assert "deletion-blocked" in page and User.objects.get(pk=world.admin.pk).is_active


def test_deletion_with_sessions_outside_the_database(world, settings):
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    account_delete(user=world.charlie)
    assert User.objects.get(pk=world.charlie.pk).is_removed


def test_the_name_is_replaced_wherever_it_sits_in_an_entry():
    assert _replace({"a": [1, "Х Y"], "b": None}, {"Х Y"}, "L") == {"a": [1, "L"], "b": None}


def test_the_records_are_listed_read_only_in_the_admin(client, world):
    consent_withdraw(user=world.alice)
    account_delete(user=world.charlie)
    client.force_login(world.admin)
    for model in ("consentevent", "personaldataevent"):
        url = reverse(f"admin:privacy_{model}_changelist")
        assert client.get(url).status_code == 200
        assert client.get(url + "add/").status_code == 403
    event = ConsentEvent.objects.get()
    assert str(event).startswith(f"{world.alice.pk}: ")
    assert str(PersonalDataEvent.objects.first()).startswith(f"{world.charlie.pk}: ")
