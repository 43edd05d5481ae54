"""Issue 12, staff sign-in and limits: one sign-in for the whole site, one password hash per attempt,
two-factor for staff roles, staff session timeouts, lockout per (address, account) pair, the
portal's own rate limits (accounts/security.py, core/ratelimit.py, docs/security.md).

Tests marked `real_mfa` keep the two-factor rule: force_login leaves their session unverified.
"""

import base64
import hashlib
import hmac
import json
import re
import struct
import time

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.auth.hashers import MD5PasswordHasher
from django.urls import reverse

from accounts.security import LAST_SEEN, MFA_VERIFIED, SIGNED_IN_AT
from core import ratelimit
from members import services as member_services
from members.models import Invitation

from .factories import OrganisationFactory, RepresentativeFactory, UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "password-for-tests-1"


def totp_code(secret: str, at: float | None = None) -> str:
    """RFC 6238 (SHA-1, 30 s, 6 digits), computed here rather than by the library under test."""
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(base64.b32decode(secret, casefold=True), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def verified(user):
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def with_totp(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def sign_in(client, email, password=PASSWORD, address="10.0.0.1", **extra):
    return client.post(reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=address, **extra)


TOO_MANY = "Слишком много"  # allauth's Russian «too many failed sign-in attempts»


# Finding 1: one sign-in for the whole site


def test_it_sends_the_admin_sign_in_to_the_portals(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login") + "?next=%2Fadmin%2F"


def test_it_does_not_check_a_password_posted_to_the_admin_form(client):
    admin = verified(UserFactory(is_staff=True, is_superuser=True))
    response = client.post("/admin/login/", {"username": admin.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


def test_it_refuses_the_admin_to_a_signed_in_user_without_staff_rights(client):
    client.force_login(UserFactory())
    assert client.get("/admin/login/").status_code == 403
    assert client.get("/admin/").status_code == 302  # to /admin/login/, which refuses: no loop


class CountingHasher(MD5PasswordHasher):
    calls = 0

    def encode(self, password, salt):
        CountingHasher.calls += 1
        return super().encode(password, salt)


@pytest.mark.parametrize(
    ("login", "password"),
    [("owner@example.com", PASSWORD), ("owner@example.com", "wrong-password"), ("nobody@example.com", "whatever")],
    ids=["right password", "wrong password", "unknown address"],
)
def test_it_hashes_a_password_once_per_attempt(client, settings, login, password):
    settings.PASSWORD_HASHERS = ["tests.test_security_auth.CountingHasher"]
    verified(UserFactory(email="owner@example.com"))
    CountingHasher.calls = 0
    sign_in(client, login, password)
    assert CountingHasher.calls == 1


# Finding 2: lockout per (address, account) pair; the client's address behind a proxy


def test_it_cools_off_one_address_and_lets_the_owner_in_from_another(client):
    verified(UserFactory(email="owner@example.com"))
    for _ in range(5):
        sign_in(client, "owner@example.com", "wrong-password", address="198.51.100.7")
    blocked = sign_in(client, "owner@example.com", PASSWORD, address="198.51.100.7")
    assert blocked.status_code == 200 and TOO_MANY in blocked.content.decode()
    owner = sign_in(client, "owner@example.com", PASSWORD, address="203.0.113.20")
    assert owner.status_code == 302 and owner["Location"] == "/cabinet/"


def test_it_counts_clients_behind_a_trusted_proxy_apart(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    verified(UserFactory(email="owner@example.com"))
    proxy = "127.0.0.1"
    for _ in range(5):
        sign_in(client, "owner@example.com", "wrong", address=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7")
    blocked = sign_in(client, "owner@example.com", PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert TOO_MANY in blocked.content.decode()
    owner = sign_in(client, "owner@example.com", PASSWORD, address=proxy, HTTP_X_FORWARDED_FOR="203.0.113.20")
    assert owner.status_code == 302


def test_it_ignores_a_forwarded_address_without_a_trusted_proxy(client):
    verified(UserFactory(email="owner@example.com"))
    for n in range(5):
        sign_in(client, "owner@example.com", "wrong", address="198.51.100.7", HTTP_X_FORWARDED_FOR=f"10.9.9.{n}")
    spoofed = sign_in(client, "owner@example.com", PASSWORD, address="198.51.100.7", HTTP_X_FORWARDED_FOR="10.9.9.99")
    assert TOO_MANY in spoofed.content.decode()


def test_it_takes_the_first_entry_when_fewer_addresses_than_proxies_arrive(client, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 2
    verified(UserFactory(email="owner@example.com"))
    response = sign_in(client, "owner@example.com", PASSWORD, address="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert response.status_code == 302


# Two-factor for staff roles


def staff_users(world):
    return {"admin": world.admin, "staff": world.staff, "coordinator": world.bob}


@pytest.mark.real_mfa
@pytest.mark.parametrize("who", ["admin", "staff", "coordinator"])
@pytest.mark.parametrize("path", ["/review/", "/dashboard/", "/admin/", "/cabinet/", "/projects/"])
def test_it_sends_staff_without_an_authenticator_to_set_one_up(client, world, who, path):
    client.force_login(staff_users(world)[who])
    response = client.get(path)
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    page = client.get(response["Location"])
    assert "двухфакторн" in page.content.decode()


@pytest.mark.real_mfa
def test_it_sends_staff_with_an_authenticator_to_the_second_factor(client, world):
    with_totp(world.bob)
    client.force_login(world.bob)
    response = client.get("/review/?status=submitted")
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_reauthenticate") + "?next=%2Freview%2F%3Fstatus%3Dsubmitted"
    step = client.get(response["Location"]).content.decode()
    assert "Подтвердите, что это вы" in step and 'name="next" value="/review/?status=submitted"' in step


@pytest.mark.real_mfa
def test_it_answers_the_api_in_json_for_a_session_without_the_second_factor(client, world):
    client.force_login(world.admin)
    response = client.get("/api/v1/applications/")
    assert response.status_code == 403
    assert "detail" in json.loads(response.content)


@pytest.mark.real_mfa
def test_it_leaves_the_account_pages_open_and_people_without_a_staff_role_alone(client, world):
    client.force_login(world.bob)
    assert client.get(reverse("mfa_index")).status_code == 200
    assert client.get("/static/missing.css").status_code == 404
    client.force_login(world.alice)
    assert client.get("/cabinet/").status_code == 200
    assert client.get("/review/").status_code == 403


@pytest.mark.real_mfa
def test_it_covers_a_role_granted_during_the_session(client, world):
    client.force_login(world.charlie)
    assert client.get("/cabinet/").status_code == 200
    world.photonics.coordinators.add(world.charlie)
    assert client.get("/review/")["Location"] == reverse("mfa_activate_totp")


@pytest.mark.real_mfa
@pytest.mark.django_db(transaction=True)  # allauth announces the new authenticator on commit, in the request
def test_a_coordinator_sets_up_totp_and_reaches_the_review_queue(client, world):
    client.force_login(world.bob)
    client.get("/review/")
    page = client.get(reverse("mfa_activate_totp"))
    secret = page.context["form"].secret
    assert f'data-secret="{secret}"' in page.content.decode()
    assert '<div class="mfa-qr mb-3" role="img"' in page.content.decode() and "<?xml" not in page.content.decode()
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302 and response["Location"] == reverse("mfa_view_recovery_codes")
    codes = client.get(response["Location"])
    assert len(re.findall(r"<li>\d{8}</li>", codes.content.decode())) == 10
    assert client.get(reverse("mfa-continue"))["Location"] == "/review/"
    assert client.get("/review/").status_code == 200


@pytest.mark.real_mfa
def test_staff_sign_in_asks_for_the_code_and_then_opens_staff_pages(client, world):
    verified(world.bob)
    secret = with_totp(world.bob)
    response = sign_in(client, world.bob.email, next="/review/")
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    assert "Двухфакторная аутентификация" in client.get(reverse("mfa_authenticate")).content.decode()
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert client.session[MFA_VERIFIED] == str(world.bob.pk)
    assert client.get("/review/").status_code == 200


@pytest.mark.real_mfa
def test_the_second_factor_step_accepts_a_recovery_code(client, world):
    with_totp(world.admin)
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    code = RecoveryCodes.activate(world.admin).get_unused_codes()[0]
    client.force_login(world.admin)
    response = client.post(reverse("mfa_reauthenticate") + "?next=/admin/", {"code": code, "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_staff_cannot_remove_their_authenticator(client, world):
    with_totp(world.staff)
    client.force_login(world.staff)
    client.post(reverse("mfa_deactivate_totp"))
    assert Authenticator.objects.filter(user=world.staff, type="totp").exists()


def test_people_without_a_staff_role_may_remove_theirs(client, world):
    with_totp(world.alice)
    client.force_login(world.alice)
    client.post(reverse("mfa_deactivate_totp"))
    assert not Authenticator.objects.filter(user=world.alice, type="totp").exists()


def test_the_two_factor_pages_speak_russian_and_english(client, world):
    client.force_login(world.alice)
    assert "Приложение-аутентификатор" in client.get(reverse("mfa_index")).content.decode()
    client.cookies.load({"django_language": "en"})
    assert "Authenticator app" in client.get(reverse("mfa_index")).content.decode()


# Staff sessions end


def age_session(client, **seconds_ago):
    session = client.session
    now = time.time()
    for key, ago in seconds_ago.items():
        session[key] = now - ago
    session.save()


@pytest.mark.parametrize(
    ("key", "ago"), [(LAST_SEEN, 31 * 60), (SIGNED_IN_AT, 12 * 3600 + 1)], ids=["idle", "absolute"]
)
def test_a_staff_session_ends_after_its_timeout(client, world, key, ago):
    client.force_login(world.bob)
    age_session(client, **{key: ago})
    response = client.get("/review/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


def test_a_staff_session_lives_while_used(client, world):
    client.force_login(world.bob)
    age_session(client, **{LAST_SEEN: 29 * 60, SIGNED_IN_AT: 11 * 3600})
    assert client.get("/review/").status_code == 200
    assert time.time() - client.session[LAST_SEEN] < 5


def test_other_sessions_have_no_staff_timeout(client, world):
    client.force_login(world.alice)
    age_session(client, **{LAST_SEEN: 3 * 3600, SIGNED_IN_AT: 13 * 3600})
    assert client.get("/cabinet/").status_code == 200


def test_disabling_a_user_ends_their_sessions(client, world):
    client.force_login(world.dave)
    assert client.get("/cabinet/").status_code == 200
    world.dave.is_active = False
    world.dave.save(update_fields=["is_active"])
    assert client.get("/cabinet/").status_code == 302


# Rate limits (finding 8 and the deliverable)


def test_it_caps_invitations_per_organisation_a_day(client, settings):
    settings.PORTAL_RATE_LIMITS = {**settings.PORTAL_RATE_LIMITS, "invitation_per_organisation": "3/d"}
    owner = RepresentativeFactory()
    client.force_login(owner.user)
    url = reverse("members:organisation-invite", args=[owner.organisation_id])
    for n in range(3):
        assert client.post(url, {"email": f"colleague{n}@example.com"}).status_code == 302
    response = client.post(url, {"email": "colleague9@example.com"})
    assert response.status_code == 429
    assert "Слишком много" in response.content.decode() and response["Retry-After"]
    assert Invitation.objects.count() == 3


@pytest.mark.parametrize(
    ("has_account", "kind"), [(False, "organisation_invitation_email"), (True, "organisation_invitation")]
)
def test_the_invitation_names_the_registered_organisation_and_its_inn(has_account, kind):
    from notifications.delivery import build_message
    from notifications.models import Notification

    owner = RepresentativeFactory(organisation=OrganisationFactory(full_name="ООО «Настоящее»"))
    if has_account:
        UserFactory(email="x@example.com")
    member_services.invitation_send(organisation=owner.organisation, email="x@example.com", invited_by=owner.user)
    message = build_message(Notification.objects.get(kind=kind))
    html = message.alternatives[0][0]
    for body in (message.body, html):
        assert f"ООО «Настоящее», ИНН {owner.organisation.inn}" in body.replace("&laquo;", "«").replace("&raquo;", "»")


def test_it_caps_join_requests_of_a_user(settings, world):
    settings.PORTAL_RATE_LIMITS = {**settings.PORTAL_RATE_LIMITS, "join_request": "2/d"}
    for _ in range(2):
        member_services.join_request_create(user=world.charlie, organisation=OrganisationFactory())
    with pytest.raises(ratelimit.RateLimited):
        member_services.join_request_create(user=world.charlie, organisation=OrganisationFactory())


def test_it_caps_participation_requests_of_an_organisation(settings, world):
    from projects.services import participation_request_create

    from .factories import MembershipFactory, ProjectFactory

    settings.PORTAL_RATE_LIMITS = {**settings.PORTAL_RATE_LIMITS, "participation_request": "1/d"}
    org = OrganisationFactory()
    MembershipFactory(organisation=org, association=world.additive)
    user = RepresentativeFactory(organisation=org).user
    projects = [ProjectFactory(association=world.additive) for _ in range(2)]
    participation_request_create(project=projects[0], organisation=org, user=user, role="developer", message="")
    with pytest.raises(ratelimit.RateLimited):
        participation_request_create(project=projects[1], organisation=org, user=user, role="developer", message="")


def test_it_caps_application_submissions_of_an_organisation(settings, world):
    from applications.models import ApplicationStatus
    from applications.services import application_submit

    from .factories import ApplicationFactory

    settings.PORTAL_RATE_LIMITS = {**settings.PORTAL_RATE_LIMITS, "application_submit": "0/d"}
    draft = ApplicationFactory(organisation=world.applicant_org, applicant=world.alice, status=ApplicationStatus.DRAFT)
    with pytest.raises(ratelimit.RateLimited):
        application_submit(application=draft, user=world.alice)
    draft.refresh_from_db()
    assert draft.status == ApplicationStatus.DRAFT


def test_sign_up_is_limited_per_address_with_the_portals_page(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "1/h/ip"}
    client.post(reverse("account_signup"), {"email": "a@example.com"})
    response = client.post(reverse("account_signup"), {"email": "b@example.com"})
    assert response.status_code == 429
    assert "Слишком много запросов" in response.content.decode()


class BrokenCache:
    def add(self, *args, **kwargs):
        raise ConnectionError("redis is down")

    incr = decr = add


class SilentCache:
    """A cache that fails open: answers nothing, raises nothing."""

    def add(self, *args, **kwargs):
        return False

    def incr(self, *args, **kwargs):
        return None

    decr = incr


@pytest.mark.parametrize("broken", [BrokenCache(), SilentCache()], ids=["raising", "fail-open"])
def test_the_limits_hold_in_memory_while_the_cache_fails(monkeypatch, settings, broken):
    settings.PORTAL_RATE_LIMITS = {**settings.PORTAL_RATE_LIMITS, "join_request": "2/h"}
    monkeypatch.setattr(ratelimit, "cache", broken)
    ratelimit.check("join_request", 1)
    ratelimit.check("join_request", 1)
    with pytest.raises(ratelimit.RateLimited):
        ratelimit.check("join_request", 1)
    ratelimit.check("join_request", 2)


def test_the_limits_answer_the_api_in_json(rf):
    request = rf.get("/api/v1/x")
    response = ratelimit.RateLimitMiddleware(lambda r: None).process_exception(request, ratelimit.RateLimited("x", 60))
    assert response.status_code == 429 and json.loads(response.content)["status"] == 429
    assert ratelimit.RateLimitMiddleware(lambda r: "ok")(request) == "ok"
    assert ratelimit.RateLimitMiddleware(lambda r: None).process_exception(request, ValueError()) is None


@pytest.mark.parametrize(("rate", "parsed"), [("20/d", (20, 86400)), ("5/10m", (5, 600)), ("1/s", (1, 1))])
def test_it_reads_rates(rate, parsed):
    assert ratelimit.parse(rate) == ratelimit.Rate(*parsed)


def test_it_refuses_a_malformed_rate():
    with pytest.raises(ValueError):
        ratelimit.parse("many/d")


def test_the_two_factor_page_shows_the_app_and_the_recovery_codes(client, world):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    with_totp(world.staff)
    RecoveryCodes.activate(world.staff)
    client.force_login(world.staff)
    page = client.get(reverse("mfa_index")).content.decode()
    assert "При входе запрашивается код из приложения-аутентификатора." in page
    assert "10 неиспользованных резервных кодов из 10." in page
    refusal = client.get(reverse("mfa_deactivate_totp"))
    assert refusal.status_code == 200 and refusal.context["form"].errors
