"""Colleagues: requests to join a registered organisation, and invitations by e-mail."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from members import services
from members.models import Invitation, JoinRequest, Representative, RepresentativeRole
from notifications.models import EmailStatus, Notification
from tests.factories import RepresentativeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _eager_celery():
    """Invitation e-mails go through the outbox task: run it in-process, even when REDIS_URL is set."""
    from cluster_portal.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture
def owner():
    return RepresentativeFactory()


@pytest.fixture
def join_request(owner):
    return services.join_request_create(user=UserFactory(), organisation=owner.organisation, message="Я инженер")


def decide(client, join_request, decision):
    return client.post(reverse("members:join-request-decide", args=[join_request.pk, decision]))


def test_it_makes_one_pending_request_per_person(owner):
    user = UserFactory()
    first = services.join_request_create(user=user, organisation=owner.organisation)
    second = services.join_request_create(user=user, organisation=owner.organisation)
    assert first == second
    assert JoinRequest.objects.count() == 1
    assert Notification.objects.filter(recipient=owner.user, kind="join_request_received").count() == 1


def test_it_ignores_a_request_from_a_representative(owner):
    assert services.join_request_create(user=owner.user, organisation=owner.organisation) is None
    assert JoinRequest.objects.count() == 0


def test_it_refuses_a_request_for_an_unknown_inn(client):
    client.force_login(UserFactory())
    response = client.post(reverse("members:join-request-create"), {"inn": "7707083893"})
    assert response.status_code == 302
    assert JoinRequest.objects.count() == 0


def test_the_owner_accepts_a_request(client, owner, join_request):
    client.force_login(owner.user)
    response = decide(client, join_request, "accept")
    assert response["Location"] == reverse("pages:organisation-detail", args=[owner.organisation.pk])
    join_request.refresh_from_db()
    assert (join_request.status, join_request.decided_by) == ("accepted", owner.user)
    assert Representative.objects.filter(
        organisation=owner.organisation, user=join_request.user, role=RepresentativeRole.REPRESENTATIVE
    ).exists()
    assert Notification.objects.filter(recipient=join_request.user, kind="join_request_accepted").count() == 1


def test_the_owner_declines_a_request(client, owner, join_request):
    client.force_login(owner.user)
    decide(client, join_request, "decline")
    join_request.refresh_from_db()
    assert join_request.status == "declined"
    assert not Representative.objects.filter(user=join_request.user).exists()
    assert Notification.objects.filter(recipient=join_request.user, kind="join_request_declined").count() == 1


def test_a_request_is_decided_once(client, owner, join_request):
    client.force_login(owner.user)
    decide(client, join_request, "accept")
    decide(client, join_request, "decline")
    join_request.refresh_from_db()
    assert join_request.status == "accepted"
    assert Notification.objects.filter(recipient=join_request.user).count() == 1


@pytest.mark.parametrize("who", ["colleague", "outsider", "requester"])
def test_only_the_owner_decides(client, owner, join_request, who):
    user = {
        "colleague": RepresentativeFactory(
            organisation=owner.organisation, role=RepresentativeRole.REPRESENTATIVE
        ).user,
        "outsider": RepresentativeFactory().user,
        "requester": join_request.user,
    }[who]
    client.force_login(user)
    assert decide(client, join_request, "accept").status_code == 404
    join_request.refresh_from_db()
    assert join_request.status == "pending"


def test_it_shows_pending_requests_to_the_owner_only(client, owner, join_request):
    client.force_login(owner.user)
    response = client.get(reverse("pages:organisation-detail", args=[owner.organisation.pk]))
    assert list(response.context["join_requests"]) == [join_request]
    colleague = RepresentativeFactory(organisation=owner.organisation, role=RepresentativeRole.REPRESENTATIVE).user
    client.force_login(colleague)
    response = client.get(reverse("pages:organisation-detail", args=[owner.organisation.pk]))
    assert list(response.context["join_requests"]) == []


# Invitations


def invite(client, owner, email):
    return client.post(reverse("members:organisation-invite", args=[owner.organisation.pk]), {"email": email})


def test_it_mails_an_invitation_to_a_person_without_an_account(client, owner, django_capture_on_commit_callbacks):
    client.force_login(owner.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, owner, "Colleague@Example.com")
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "colleague@example.com"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["colleague@example.com"]
    # The signed token carries a timestamp: compare what it opens, not its text.
    prefix = reverse("members:invitation-accept", args=["TOKEN"]).partition("TOKEN")[0]
    token = re.search(re.escape(prefix) + r"([^/\s]+)/", message.body).group(1)
    assert services.invitation_from_token(token) == invitation
    # Through the outbox: one e-mail-only row, sent, in nobody's inbox.
    notification = Notification.objects.get()
    assert (notification.kind, notification.recipient, notification.email, notification.language) == (
        "organisation_invitation_email",
        None,
        "colleague@example.com",
        "ru",
    )
    assert notification.email_status == EmailStatus.SENT
    assert message.extra_headers["Message-ID"] == f"<notification-{notification.pk}@cluster.local>"


def test_it_writes_the_invitation_in_the_senders_language(client, owner, django_capture_on_commit_callbacks):
    client.force_login(owner.user)
    client.cookies["django_language"] = "en"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        invite(client, owner, "colleague@example.com")
    assert len(callbacks) == 1
    assert Notification.objects.get().language == "en"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject.startswith("Invitation to represent")
    assert "invites you to represent" in message.body
    assert '<html lang="en">' in message.alternatives[0].content


def test_an_invitation_to_an_unknown_address_is_in_no_inbox(client, owner):
    client.force_login(owner.user)
    invite(client, owner, "colleague@example.com")
    assert Notification.objects.filter(recipient=None).count() == 1
    # Whoever registers with that address later does not find it in their inbox.
    colleague = UserFactory(email="colleague@example.com")
    client.force_login(colleague)
    response = client.get(reverse("notifications:inbox"))
    assert list(response.context["page"].object_list) == []
    assert Notification.objects.for_user(colleague).unread().count() == 0


def test_it_notifies_a_person_who_has_an_account(client, owner):
    colleague = UserFactory(email="known@example.com")
    client.force_login(owner.user)
    invite(client, owner, "known@example.com")
    assert Notification.objects.filter(recipient=colleague, kind="organisation_invitation").count() == 1


def test_it_refuses_inviting_a_representative_or_twice(client, owner):
    client.force_login(owner.user)
    response = invite(client, owner, owner.user.email)
    assert "email" in response.context["form"].errors
    invite(client, owner, "new@example.com")
    response = invite(client, owner, "new@example.com")
    assert "email" in response.context["form"].errors
    assert Invitation.objects.count() == 1


def test_an_invited_person_accepts_after_signing_in(client, owner):
    invitation = services.invitation_send(
        organisation=owner.organisation, email="new@example.com", invited_by=owner.user
    )
    url = reverse("members:invitation-accept", args=[services.invitation_token(invitation)])
    response = client.get(url)
    assert response["Location"].startswith(reverse("account_login"))
    user = UserFactory(email="new@example.com")
    client.force_login(user)
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response["Location"] == reverse("pages:organisation-detail", args=[owner.organisation.pk])
    assert Representative.objects.get(user=user).role == RepresentativeRole.REPRESENTATIVE
    invitation.refresh_from_db()
    assert invitation.accepted_by == user
    assert client.get(url).status_code == 404  # used


def test_an_invitation_is_for_its_address_only(client, owner):
    invitation = services.invitation_send(
        organisation=owner.organisation, email="new@example.com", invited_by=owner.user
    )
    client.force_login(UserFactory(email="other@example.com"))
    client.post(reverse("members:invitation-accept", args=[services.invitation_token(invitation)]))
    assert Representative.objects.filter(organisation=owner.organisation).count() == 1


def test_it_refuses_a_forged_token(client):
    client.force_login(UserFactory())
    assert client.get(reverse("members:invitation-accept", args=["1:forged:token"])).status_code == 404


def test_a_new_colleague_registers_from_the_invitation_and_lands_on_it(client, owner, settings):
    """Invitation link → sign-in page → registration → confirmation e-mail → back to the invitation."""
    settings.ACCOUNT_RATE_LIMITS = False
    invitation = services.invitation_send(
        organisation=owner.organisation, email="new@example.com", invited_by=owner.user
    )
    url = reverse("members:invitation-accept", args=[services.invitation_token(invitation)])
    login_page = client.get(client.get(url)["Location"]).content.decode()
    signup_url = re.search(r'href="(/accounts/signup/[^"]*)"', login_page).group(1).replace("&amp;", "&")
    password = "Печать-2026-гранулы"
    client.post(
        signup_url, {"email": "new@example.com", "password1": password, "password2": password, "pd_consent": "on"}
    )
    confirm = re.search(r"https?://\S+?(/accounts/confirm-email/\S+?/)", mail.outbox[-1].body).group(1)
    response = client.post(confirm)
    assert response["Location"] == url
    client.post(url)
    assert Representative.objects.get(user__email="new@example.com").organisation == owner.organisation


def test_an_invitation_sent_twice_at_once_is_one_invitation(owner, django_capture_on_commit_callbacks):
    # The form refuses a second invitation; two requests racing past it meet the unique index.
    with django_capture_on_commit_callbacks(execute=True):
        first = services.invitation_send(organisation=owner.organisation, email="new@example.ru", invited_by=owner.user)
    with django_capture_on_commit_callbacks(execute=True):
        second = services.invitation_send(
            organisation=owner.organisation, email="new@example.ru", invited_by=owner.user
        )
    assert second == first
    assert Invitation.objects.filter(organisation=owner.organisation, email="new@example.ru").count() == 1
    assert len(mail.outbox) == 1
