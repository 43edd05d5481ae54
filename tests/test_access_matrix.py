"""Who gets what on every URL, generated from the URL configuration, and the headers of every answer.

The test walks `get_resolver().url_patterns` and needs an entry in MATRIX for every named URL: a new
URL without one fails `test_every_named_url_has_an_entry`. Each entry gives the status of a GET for
each role, in the order of ROLES:

    visitor    signed out
    applicant  alice: «Аддитив», which applied to «3D-печать» (the world's application is hers)
    other      dave: «Гранула», a member organisation (another organisation than the applicant's)
    coord      bob: coordinator of «3D-печать» (this association: the application, the project)
    coord2     erin: coordinator of «Фотоника» (another association)
    staff      cluster staff (read-only)
    admin      cluster administrator

The URL's arguments come from the named world's objects (`ARGUMENTS`). Actions that take only POST
answer 405 (or send a visitor to sign in first). The Django admin's own per-model URLs share one rule
(staff with model permissions, after two-factor), so the admin namespace is sampled: its index, its
login and one change list; the rest of `admin:` is covered by the prefix rule in ADMIN_SAMPLE.

Every answer is also checked for its headers (finding 3): a Content-Security-Policy with
`frame-ancestors 'none'`, `X-Content-Type-Options: nosniff`, every cookie it sets SameSite=Lax (the session's HttpOnly), and
`Cache-Control: private, no-store` for a signed-in user.
"""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from applications.models import ApplicationDocument
from core.documents import check_uploads
from members.models import JoinRequest
from notifications.models import Notification
from projects.models import Milestone, ParticipationRequest, ProjectDocument

from .factories import MembershipFactory, OrganisationFactory, ParticipantFactory, UserFactory

ROLES = ("visitor", "applicant", "other", "coord", "coord2", "staff", "admin")
WHO = {"applicant": "alice", "other": "dave", "coord": "bob", "coord2": "erin", "staff": "staff", "admin": "admin"}
MISSING = 999999
ADMIN_SAMPLE = {"admin:index", "admin:login", "admin:logout", "admin:accounts_user_changelist"}


def _row(statuses: str) -> dict:
    values = [int(v) for v in statuses.split()]
    assert len(values) == len(ROLES), statuses
    return dict(zip(ROLES, values))


# name → statuses of a GET, in the order of ROLES.
# Reading it: 302 = sent to sign in (or onwards), 403 = may see but not do, 404 = not theirs to see,
# 405 = POST only.
MATRIX = {
    # account (allauth)
    "account_change_password": _row("302 200 200 200 200 200 200"),
    "account_confirm_email": _row("200 200 200 200 200 200 200"),
    "account_confirm_login_code": _row("302 302 302 302 302 302 302"),
    "account_email": _row("302 200 200 200 200 200 200"),
    "account_email_verification_sent": _row("200 200 200 200 200 200 200"),
    "account_inactive": _row("200 200 200 200 200 200 200"),
    "account_login": _row("200 302 302 302 302 302 302"),
    "account_logout": _row("302 200 200 200 200 200 200"),
    "account_reauthenticate": _row("302 200 200 200 200 200 200"),
    "account_reset_password": _row("200 200 200 200 200 200 200"),
    "account_reset_password_done": _row("200 200 200 200 200 200 200"),
    "account_reset_password_from_key": _row("200 200 200 200 200 200 200"),
    "account_reset_password_from_key_done": _row("200 200 200 200 200 200 200"),
    "account_set_password": _row("302 302 302 302 302 302 302"),
    "account_signup": _row("200 302 302 302 302 302 302"),
    # accounts
    "accounts:privacy": _row("200 200 200 200 200 200 200"),
    "accounts:profile": _row("302 200 200 200 200 200 200"),
    # admin
    "admin:accounts_user_changelist": _row("302 302 302 302 302 302 200"),
    "admin:index": _row("302 302 302 302 302 302 200"),
    "admin:login": _row("302 403 403 403 403 403 302"),
    "admin:logout": _row("302 302 302 302 302 302 405"),
    # api
    "api:association-detail": _row("200 200 200 200 200 200 200"),
    "api:association-list": _row("200 200 200 200 200 200 200"),
    "api:direction-list": _row("200 200 200 200 200 200 200"),
    "api:docs": _row("200 200 200 200 200 200 200"),
    "api:index": _row("200 200 200 200 200 200 200"),
    "api:not-found": _row("404 404 404 404 404 404 404"),
    "api:organisation-detail": _row("401 403 200 200 200 200 200"),
    "api:organisation-list": _row("401 403 200 200 200 200 200"),
    "api:organisation-memberships": _row("401 403 200 200 200 200 200"),
    "api:organisation-projects": _row("401 403 200 200 200 200 200"),
    "api:own-application-detail": _row("401 200 404 404 404 404 404"),
    "api:own-applications": _row("401 200 200 200 200 200 200"),
    "api:own-notifications": _row("401 200 200 200 200 200 200"),
    "api:own-organisations": _row("401 200 200 200 200 200 200"),
    "api:project-detail": _row("200 200 200 200 200 200 200"),
    "api:project-list": _row("200 200 200 200 200 200 200"),
    "api:region-list": _row("200 200 200 200 200 200 200"),
    "api:review-applications": _row("401 403 403 200 200 403 200"),
    "api:schema": _row("200 200 200 200 200 200 200"),
    # api-tokens
    "api-tokens:list": _row("302 200 200 200 200 200 200"),
    "api-tokens:revoke": _row("302 405 405 405 405 405 405"),
    # applications
    "applications:application-create": _row("302 200 200 200 200 200 200"),
    "applications:application-detail": _row("302 200 404 404 404 404 404"),
    "applications:application-edit": _row("302 302 404 404 404 404 404"),
    "applications:application-respond": _row("302 405 405 405 405 405 405"),
    "applications:application-submit": _row("302 405 405 405 405 405 405"),
    "applications:application-withdraw": _row("302 405 405 405 405 405 405"),
    "applications:apply": _row("200 200 200 200 200 200 200"),
    "applications:document-delete": _row("302 405 405 405 405 405 405"),
    "applications:document-download": _row("302 200 404 200 404 200 200"),
    "applications:review-action": _row("302 405 405 405 405 405 405"),
    "applications:review-bulk": _row("302 405 405 405 405 405 405"),
    "applications:review-detail": _row("302 403 404 200 404 200 200"),  # staff: read-only, no decision
    "applications:review-export": _row("302 403 403 200 200 200 200"),
    "applications:review-queue": _row("302 403 403 200 200 200 200"),
    # associations
    "associations:directory": _row("302 403 200 200 200 200 200"),
    "associations:directory-export": _row("302 403 403 200 200 200 200"),
    # audit
    "audit:history": _row("302 403 403 200 200 200 200"),
    # dashboard
    "dashboard:dashboard": _row("302 403 403 200 200 200 200"),
    # members
    "members:invitation-accept": _row("302 404 404 404 404 404 404"),
    "members:join-request-create": _row("302 405 405 405 405 405 405"),
    "members:join-request-decide": _row("302 405 405 405 405 405 405"),
    "members:organisation-create": _row("302 200 200 200 200 200 200"),
    "members:organisation-edit": _row("302 200 404 404 404 404 404"),
    "members:organisation-invite": _row("302 200 404 404 404 404 404"),
    # mfa (allauth)
    "mfa-continue": _row("302 302 302 302 302 302 302"),
    "mfa_activate_totp": _row("302 302 302 302 302 302 302"),
    "mfa_authenticate": _row("302 302 302 302 302 302 302"),
    "mfa_deactivate_totp": _row("302 404 404 404 404 404 404"),
    "mfa_download_recovery_codes": _row("302 404 404 404 404 404 404"),
    "mfa_generate_recovery_codes": _row("302 200 200 200 200 200 200"),
    "mfa_index": _row("302 200 200 200 200 200 200"),
    "mfa_reauthenticate": _row("302 302 302 302 302 302 302"),
    "mfa_view_recovery_codes": _row("302 404 404 404 404 404 404"),
    # notifications
    "notifications:inbox": _row("302 200 200 200 200 200 200"),
    "notifications:mark-all-read": _row("302 405 405 405 405 405 405"),
    "notifications:mark-read": _row("302 405 405 405 405 405 405"),
    "notifications:open": _row("302 405 405 405 405 405 405"),
    "notifications:outbox": _row("302 403 403 403 403 200 200"),
    "notifications:resend": _row("302 405 405 405 405 405 405"),
    # pages
    "pages:association-detail": _row("200 200 200 200 200 200 200"),
    "pages:association-list": _row("200 200 200 200 200 200 200"),
    "pages:cabinet": _row("302 200 200 200 200 200 200"),
    "pages:directory-detail": _row("302 403 200 200 200 200 200"),
    "pages:home": _row("200 200 200 200 200 200 200"),
    "pages:organisation-detail": _row("302 200 404 404 404 404 404"),
    # portal
    "csp-report": _row("405 405 405 405 405 405 405"),
    "favicon": _row("302 302 302 302 302 302 302"),
    "healthz": _row("200 200 200 200 200 200 200"),
    "set_language": _row("302 302 302 302 302 302 302"),
    # privacy
    "privacy:consent": _row("302 200 200 200 200 200 200"),
    "privacy:delete": _row("302 200 200 200 200 200 200"),
    "privacy:deleted": _row("200 200 200 200 200 200 200"),
    "privacy:export": _row("302 405 405 405 405 405 405"),
    "privacy:overview": _row("302 200 200 200 200 200 200"),
    # projects
    "projects:document-add": _row("302 403 403 200 403 403 200"),
    "projects:document-download": _row("200 200 200 200 200 200 200"),
    "projects:milestone-add": _row("302 403 403 200 403 403 200"),
    "projects:milestone-edit": _row("302 403 403 200 403 403 200"),
    "projects:participant-add": _row("302 403 403 200 403 403 200"),
    "projects:participant-remove": _row("302 405 405 405 405 405 405"),
    "projects:participation-decide": _row("302 405 405 405 405 405 405"),
    "projects:participation-request": _row("302 403 403 403 403 403 403"),
    "projects:project-create": _row("302 403 403 200 200 403 200"),
    "projects:project-detail": _row("200 200 200 200 200 200 200"),
    "projects:project-edit": _row("302 403 403 200 403 403 200"),
    "projects:project-export": _row("403 403 403 200 200 200 200"),
    "projects:project-list": _row("200 200 200 200 200 200 200"),
    "projects:project-stage": _row("302 405 405 405 405 405 405"),
}


def named_urls() -> list[tuple[str, object]]:
    """Every named URL of the configuration (namespaced), with its pattern."""

    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace
                if pattern.namespace:
                    inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
                yield from walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), pattern

    return list(dict(walk(get_resolver().url_patterns)).items())


def checked_names() -> list[str]:
    return sorted(name for name, _ in named_urls() if not name.startswith("admin:") or name in ADMIN_SAMPLE)


def stored(document, user):
    (checked,) = check_uploads([SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n%%EOF\n")], document.POLICY)
    document.store(checked, user=user)
    return document


class Objects:
    """The named world plus one object of each kind a URL points at."""

    def __init__(self, world):
        self.world = world
        w = world
        self.notification = Notification.objects.create(recipient=w.alice, kind="application_decided", url="/cabinet/")
        self.email_notification = Notification.objects.create(email="guest@example.com", kind="invitation")
        self.app_document = stored(ApplicationDocument(application=w.application), w.alice)
        self.project_document = stored(ProjectDocument(project=w.project, title="План"), w.bob)
        self.milestone = Milestone.objects.create(project=w.project, title="Прототип", due_on=timezone.localdate())
        partner = OrganisationFactory(short_name="ООО «Партнёр»")
        MembershipFactory(organisation=partner, association=w.photonics)
        self.participant = ParticipantFactory(project=w.project, organisation=partner, role="developer")
        self.participation_request = ParticipationRequest.objects.create(
            project=w.project, organisation=partner, message="Хотим участвовать", requested_by=UserFactory()
        )
        self.join_request = JoinRequest.objects.create(organisation=w.applicant_org, user=w.charlie)


# name → the URL's arguments from the objects (names without arguments need none).
ARGUMENTS = {
    "pages:association-detail": lambda o: {"slug": o.world.additive.slug},
    "pages:directory-detail": lambda o: {"pk": o.world.member_org.pk},
    "pages:organisation-detail": lambda o: {"pk": o.world.applicant_org.pk},
    "members:organisation-edit": lambda o: {"pk": o.world.applicant_org.pk},
    "members:organisation-invite": lambda o: {"pk": o.world.applicant_org.pk},
    "members:join-request-decide": lambda o: {"pk": o.join_request.pk, "decision": "accept"},
    "members:invitation-accept": lambda o: {"token": "not-a-token"},
    "applications:application-detail": lambda o: {"pk": o.world.application.pk},
    "applications:application-edit": lambda o: {"pk": o.world.application.pk},
    "applications:application-submit": lambda o: {"pk": o.world.application.pk},
    "applications:application-withdraw": lambda o: {"pk": o.world.application.pk},
    "applications:application-respond": lambda o: {"pk": o.world.application.pk},
    "applications:document-download": lambda o: {"pk": o.app_document.pk},
    "applications:document-delete": lambda o: {"pk": o.app_document.pk},
    "applications:review-detail": lambda o: {"pk": o.world.application.pk},
    "applications:review-action": lambda o: {"pk": o.world.application.pk, "action": "reject"},
    "applications:review-export": lambda o: {"fmt": "csv"},
    "associations:directory-export": lambda o: {"fmt": "csv"},
    "projects:project-export": lambda o: {"fmt": "csv"},
    "projects:project-detail": lambda o: {"slug": o.world.project.slug},
    "projects:project-edit": lambda o: {"slug": o.world.project.slug},
    "projects:project-stage": lambda o: {"slug": o.world.project.slug},
    "projects:participant-add": lambda o: {"slug": o.world.project.slug},
    "projects:participant-remove": lambda o: {"slug": o.world.project.slug, "pk": o.participant.pk},
    "projects:milestone-add": lambda o: {"slug": o.world.project.slug},
    "projects:milestone-edit": lambda o: {"slug": o.world.project.slug, "pk": o.milestone.pk},
    "projects:document-add": lambda o: {"slug": o.world.project.slug},
    "projects:document-download": lambda o: {"slug": o.world.project.slug, "pk": o.project_document.pk},
    "projects:participation-request": lambda o: {"slug": o.world.project.slug},
    "projects:participation-decide": lambda o: {"slug": o.world.project.slug, "pk": o.participation_request.pk},
    "notifications:open": lambda o: {"pk": o.notification.pk},
    "notifications:mark-read": lambda o: {"pk": o.notification.pk},
    "notifications:resend": lambda o: {"pk": o.email_notification.pk},
    "api-tokens:revoke": lambda o: {"pk": MISSING},
    "api:association-detail": lambda o: {"slug": o.world.additive.slug},
    "api:project-detail": lambda o: {"slug": o.world.project.slug},
    "api:organisation-detail": lambda o: {"pk": o.world.member_org.pk},
    "api:organisation-memberships": lambda o: {"pk": o.world.member_org.pk},
    "api:organisation-projects": lambda o: {"pk": o.world.member_org.pk},
    "api:own-application-detail": lambda o: {"pk": o.world.application.pk},
    "account_confirm_email": lambda o: {"key": "not-a-key"},
    "account_reset_password_from_key": lambda o: {"uidb36": "1", "key": "not-a-key"},
}


def url_of(name: str, objects: Objects) -> str:
    builder = ARGUMENTS.get(name)
    return reverse(name, kwargs=builder(objects) if builder else None)


def test_every_named_url_has_an_entry():
    missing = [name for name in checked_names() if name not in MATRIX]
    assert not missing, f"URLs without an entry in MATRIX (say who may open them): {missing}"
    stale = [name for name in MATRIX if name not in checked_names()]
    assert not stale, f"entries for URLs that no longer exist: {stale}"


def check_headers(response, *, signed_in: bool, where: str) -> None:
    policy = response.get("Content-Security-Policy", "")
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy, where
    assert response.get("X-Content-Type-Options") == "nosniff", where
    for name, cookie in response.cookies.items():
        assert cookie["samesite"] == "Lax", f"{where}: cookie {name}"
        if name == settings.SESSION_COOKIE_NAME:
            assert cookie["httponly"], f"{where}: cookie {name}"
    if signed_in:
        assert response.get("Cache-Control") == "private, no-store", where
        assert "Cookie" in response.get("Vary", ""), where


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_what_the_matrix_says_with_safe_headers(client, world, role):
    objects = Objects(world)
    if role != "visitor":
        client.force_login(world[WHO[role]])
    wrong = []
    for name in checked_names():
        expected = MATRIX.get(name, {}).get(role)
        url = url_of(name, objects)
        response = client.get(url)
        if response.status_code != expected:
            wrong.append(f"{name} {url}: {response.status_code}, expected {expected}")
        check_headers(response, signed_in=role != "visitor", where=f"{role} {url}")
    assert not wrong, "\n".join(wrong)
