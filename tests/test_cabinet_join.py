"""Colleagues: requests to join a registered organisation, and invitations by e-mail.

The shared world: alice owns «Аддитив» (`applicant_org`), carol is her colleague there; charlie acts
for nobody and asks to join; dave acts for another organisation.
"""

import re

import pytest
from django.core import mail
from django.urls import reverse

from members import services
from members.models import Invitation, JoinRequest, Representative, RepresentativeRole
from notifications.models import EmailStatus, Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _eager_celery():
    """Invitation e-mails go through the outbox task: run it in-process, even when REDIS_URL is set."""
    from cluster_portal.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture
def join_request(world):
    """charlie asks to join «Аддитив»."""
    return services.join_request_create(user=world.charlie, organisation=world.applicant_org, message="Я инженер")


def decide(client, join_request, decision):
    return client.post(reverse("members:join-request-decide", args=[join_request.pk, decision]))


def test_it_makes_one_pending_request_per_person(world):
    first = services.join_request_create(user=world.charlie, organisation=world.applicant_org)
    second = services.join_request_create(user=world.charlie, organisation=world.applicant_org)
    assert first == second
    assert JoinRequest.objects.count() == 1
    received = Notification.objects.filter(kind="join_request_received")
    assert list(received.values_list("recipient", flat=True)) == [world.alice.pk]  # the owner, not carol


@pytest.mark.parametrize("who", ["alice", "carol"])
def test_it_ignores_a_request_from_a_representative(world, who):
    assert services.join_request_create(user=world[who], organisation=world.applicant_org) is None
    assert JoinRequest.objects.count() == 0


def test_it_refuses_a_request_for_an_unknown_inn(client, world):
    client.force_login(world.charlie)
    response = client.post(reverse("members:join-request-create"), {"inn": "7707083893"})
    assert response.status_code == 302
    assert JoinRequest.objects.count() == 0


def test_the_owner_accepts_a_request(client, world, join_request):
    client.force_login(world.alice)
    response = decide(client, join_request, "accept")
    assert response["Location"] == reverse("pages:organisation-detail", args=[world.applicant_org.pk])
    join_request.refresh_from_db()
    assert (join_request.status, join_request.decided_by) == ("accepted", world.alice)
    assert Representative.objects.filter(
        organisation=world.applicant_org, user=world.charlie, role=RepresentativeRole.REPRESENTATIVE
    ).exists()
    assert Notification.objects.filter(recipient=world.charlie, kind="join_request_accepted").count() == 1


def test_the_owner_declines_a_request(client, world, join_request):
    client.force_login(world.alice)
    decide(client, join_request, "decline")
    join_request.refresh_from_db()
    assert join_request.status == "declined"
    assert not Representative.objects.filter(user=world.charlie).exists()
    assert Notification.objects.filter(recipient=world.charlie, kind="join_request_declined").count() == 1


def test_a_request_is_decided_once(client, world, join_request):
    client.force_login(world.alice)
    decide(client, join_request, "accept")
    decide(client, join_request, "decline")
    join_request.refresh_from_db()
    assert join_request.status == "accepted"
    assert Notification.objects.filter(recipient=world.charlie).count() == 1


@pytest.mark.parametrize("who", ["carol", "dave", "charlie"])  # colleague, another organisation's owner, requester
def test_only_the_owner_decides(client, world, join_request, who):
    client.force_login(world[who])
    assert decide(client, join_request, "accept").status_code == 404
    join_request.refresh_from_db()
    assert join_request.status == "pending"


def test_it_shows_pending_requests_to_the_owner_only(client, world, join_request):
    url = reverse("pages:organisation-detail", args=[world.applicant_org.pk])
    client.force_login(world.alice)
    assert list(client.get(url).context["join_requests"]) == [join_request]
    client.force_login(world.carol)
    assert list(client.get(url).context["join_requests"]) == []


# Invitations


def invite(client, organisation, email):
    return client.post(reverse("members:organisation-invite", args=[organisation.pk]), {"email": email})


def test_it_mails_an_invitation_to_a_person_without_an_account(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = invite(client, world.applicant_org, "Colleague@Example.com")
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
    assert message.extra_headers["Message-ID"] == f"<notification-{notification.pk}@127.0.0.1>"  # SITE_URL's host


def test_it_writes_the_invitation_in_the_senders_language(client, world, django_capture_on_commit_callbacks):
    client.force_login(world.alice)
    client.cookies["django_language"] = "en"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        invite(client, world.applicant_org, "colleague@example.com")
    assert len(callbacks) == 1
    assert Notification.objects.get().language == "en"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject.startswith("Invitation to represent")
    assert "invites you to represent" in message.body
    assert '<html lang="en">' in message.alternatives[0].content


def test_an_invitation_to_an_unknown_address_is_in_no_inbox(client, world):
    client.force_login(world.alice)
    invite(client, world.applicant_org, "colleague@example.com")
    assert Notification.objects.filter(recipient=None).count() == 1
    # Whoever registers with that address later does not find it in their inbox.
    colleague = UserFactory(email="colleague@example.com")
    client.force_login(colleague)
    response = client.get(reverse("notifications:inbox"))
    assert list(response.context["page"].object_list) == []
    assert Notification.objects.for_user(colleague).unread().count() == 0


def test_it_notifies_a_person_who_has_an_account(client, world):
    client.force_login(world.alice)
    invite(client, world.applicant_org, "charlie@example.com")
    assert Notification.objects.filter(recipient=world.charlie, kind="organisation_invitation").count() == 1


def test_it_refuses_inviting_a_representative_or_twice(client, world):
    client.force_login(world.alice)
    for representative in (world.alice, world.carol):
        response = invite(client, world.applicant_org, representative.email)
        assert "email" in response.context["form"].errors
    invite(client, world.applicant_org, "new@example.com")
    response = invite(client, world.applicant_org, "new@example.com")
    assert "email" in response.context["form"].errors
    assert Invitation.objects.count() == 1


def test_an_invited_person_accepts_after_signing_in(client, world):
    invitation = services.invitation_send(
        organisation=world.applicant_org, email="charlie@example.com", invited_by=world.alice
    )
    url = reverse("members:invitation-accept", args=[services.invitation_token(invitation)])
    response = client.get(url)
    assert response["Location"].startswith(reverse("account_login"))
    client.force_login(world.charlie)
    assert client.get(url).status_code == 200
    response = client.post(url)
    assert response["Location"] == reverse("pages:organisation-detail", args=[world.applicant_org.pk])
    assert Representative.objects.get(user=world.charlie).role == RepresentativeRole.REPRESENTATIVE
    invitation.refresh_from_db()
    assert invitation.accepted_by == world.charlie
    assert client.get(url).status_code == 404  # used


def test_an_invitation_is_for_its_address_only(client, world):
    invitation = services.invitation_send(
        organisation=world.applicant_org, email="new@example.com", invited_by=world.alice
    )
    client.force_login(world.charlie)
    client.post(reverse("members:invitation-accept", args=[services.invitation_token(invitation)]))
    people = Representative.objects.filter(organisation=world.applicant_org).values_list("user", flat=True)
    assert set(people) == {world.alice.pk, world.carol.pk}
    invitation.refresh_from_db()
    assert invitation.accepted_by is None


def test_it_refuses_a_forged_token(client, world):
    client.force_login(world.charlie)
    assert client.get(reverse("members:invitation-accept", args=["1:forged:token"])).status_code == 404


def test_a_new_colleague_registers_from_the_invitation_and_lands_on_it(client, world, settings):
    """Invitation link → sign-in page → registration → confirmation e-mail → back to the invitation."""
    settings.ACCOUNT_RATE_LIMITS = False
    invitation = services.invitation_send(
        organisation=world.applicant_org, email="new@example.com", invited_by=world.alice
    )
    url = reverse("members:invitation-accept", args=[services.invitation_token(invitation)])
    login_page = client.get(client.get(url)["Location"]).content.decode()
    signup_url = re.search(r'href="(/accounts/signup/[^"]*)"', login_page).group(1).replace("&amp;", "&")
    password = "Печать-2026-гранулы"
    client.post(
        signup_url,
        {
            "email": "new@example.com",
            "last_name": "Новикова",
            "first_name": "Ольга",
            "password1": password,
            "password2": password,
            "pd_consent": "on",
        },
    )
    confirm = re.search(r"https?://\S+?(/accounts/confirm-email/\S+?/)", mail.outbox[-1].body).group(1)
    response = client.post(confirm)
    assert response["Location"] == url
    client.post(url)
    assert Representative.objects.get(user__email="new@example.com").organisation == world.applicant_org


def test_an_invitation_sent_twice_at_once_is_one_invitation(world, django_capture_on_commit_callbacks):
    # The form refuses a second invitation; two requests racing past it meet the unique index.
    with django_capture_on_commit_callbacks(execute=True):
        first = services.invitation_send(
            organisation=world.applicant_org, email="new@example.ru", invited_by=world.alice
        )
    with django_capture_on_commit_callbacks(execute=True):
        second = services.invitation_send(
            organisation=world.applicant_org, email="new@example.ru", invited_by=world.alice
        )
    assert second == first
    assert Invitation.objects.filter(organisation=world.applicant_org, email="new@example.ru").count() == 1
    assert len(mail.outbox) == 1
