"""Shared fixtures: one world of named people, and the services the tests need.

Tests that need PostgreSQL, Redis or Chromium skip on a laptop without them; with
REQUIRE_SERVICES=true (set by .ci/run) every such skip, and any other skip, fails
the run instead, so CI never passes with a service silently missing.
"""

import os
import shutil
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.core.management import call_command

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES", "false").lower() == "true"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

# Playwright's sync API runs an event loop in the test thread; the ORM calls the
# tests make around it are synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def missing_service(reason: str):
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture
def require_postgres():
    if not settings.IS_POSTGRES:
        missing_service("needs PostgreSQL (set DATABASE_URL)")


@pytest.fixture
def require_redis():
    if not settings.REDIS_URL:
        missing_service("needs Redis (set REDIS_URL)")
    import redis

    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError as exc:
        missing_service(f"Redis does not answer: {exc}")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if item.get_closest_marker("postgres"):
            item.fixturenames.insert(0, "require_postgres")
        if item.get_closest_marker("redis"):
            item.fixturenames.insert(0, "require_redis")


_skipped = []


def pytest_runtest_logreport(report):
    if report.skipped and REQUIRE_SERVICES:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session, exitstatus):
    if _skipped and session.exitstatus == 0:
        session.exitstatus = 1
        print(f"\nREQUIRE_SERVICES: {len(_skipped)} test(s) skipped, which CI does not allow: {_skipped}")


def load_reference_data():
    """Regions and directions, as the data migration loads them (idempotent)."""
    import importlib

    from django.apps import apps

    from members.models import Direction, Region

    if not (Region.objects.exists() and Direction.objects.exists()):
        importlib.import_module("members.migrations.0002_regions_and_directions").load(apps, None)


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Put back the data migration's rows for every test that uses the database.

    A transactional test (transaction=True, live_server) ends by flushing every
    table, reference data included; the tests after it still expect the regions
    and directions that migrations load.
    """
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    transactional = bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))
    transactional = transactional or bool(names & {"transactional_db", "live_server"})
    if not (marker or transactional or "db" in names):
        return
    request.getfixturevalue("transactional_db" if transactional else "db")
    load_reference_data()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: the database is rolled back after a test, so figures and
    pages cached by one (core/versioned_cache.py) would otherwise be served to the next."""
    from django.core.cache import cache

    try:
        cache.clear()
    except Exception:  # a test that stops the cache's server sets up its own
        pass


@pytest.fixture(autouse=True)
def _media_root(tmp_path, settings):
    """Uploaded files of a test go to its own temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Hashing passwords the real way takes most of a test's time; the tests never need its strength."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _rate_limit_counts():
    """The portal's rate limits count in the cache (emptied above) or, when it fails, in this
    process (core/ratelimit.py): each test starts from zero."""
    from core.ratelimit import reset_local

    reset_local()


def mark_mfa_verified(client, user) -> None:
    """Mark a test client's signed-in session as past two-factor, as a real TOTP sign-in would."""
    from accounts.security import MFA_VERIFIED

    session = client.session
    session[MFA_VERIFIED] = str(user.pk)
    session.save()


@pytest.fixture(autouse=True)
def _mfa_verified_sign_in(request, monkeypatch):
    """Staff must pass two-factor before any staff page (accounts/security.py). A test that signs a
    user in with `client.force_login` (or `tests.browser.use`) gets a session that passed it, so the
    suite tests what it tests; `@pytest.mark.real_mfa` keeps the real rule (tests/test_security_auth.py)."""
    if request.node.get_closest_marker("real_mfa"):
        return
    from django.test.client import ClientMixin

    original = ClientMixin._login

    def _login(self, user, backend=None):
        original(self, user, backend)
        mark_mfa_verified(self, user)

    monkeypatch.setattr(ClientMixin, "_login", _login)


@dataclass
class World:
    """One small cluster shared by the tests, with a person for every role (as healthchecks' alice, bob…).

    - alice owns «Аддитив» (applicant_org), which applied to «3D-печать» (additive): `application`, submitted;
    - carol is alice's colleague at «Аддитив» (a representative, not the owner);
    - bob coordinates «3D-печать»; erin coordinates «Фотоника» (photonics);
    - dave owns «Гранула» (member_org), an active member of «3D-печать» and the lead of its public
      project «Гранульный принтер» (project);
    - charlie has an account and acts for nobody;
    - staff is cluster staff (sees everything, changes nothing); admin is a cluster administrator.
    """

    additive: object
    photonics: object
    applicant_org: object
    member_org: object
    application: object
    project: object
    alice: object
    carol: object
    bob: object
    erin: object
    dave: object
    charlie: object
    staff: object
    admin: object

    def __getitem__(self, name):
        return getattr(self, name)


@pytest.fixture
def world(db) -> World:
    from applications.models import ApplicationStatus
    from members.models import RepresentativeRole

    from .factories import (
        ApplicationFactory,
        AssociationFactory,
        MembershipFactory,
        OrganisationFactory,
        ProjectFactory,
        RepresentativeFactory,
        UserFactory,
    )

    additive = AssociationFactory(name="3D-печать", name_en="3D printing", slug="additive")
    photonics = AssociationFactory(name="Фотоника", name_en="Photonics", slug="photonics")
    bob = UserFactory(email="bob@example.com", last_name="Борисов", first_name="Борис", patronymic="Андреевич")
    erin = UserFactory(email="erin@example.com", last_name="Фотонова", first_name="Елена", patronymic="")
    additive.coordinators.add(bob)
    photonics.coordinators.add(erin)
    applicant_org = OrganisationFactory(short_name="ООО «Аддитив»", full_name="ООО «Аддитив»")
    alice = RepresentativeFactory(organisation=applicant_org, user__email="alice@example.com").user
    carol = RepresentativeFactory(
        organisation=applicant_org, user__email="carol@example.com", role=RepresentativeRole.REPRESENTATIVE
    ).user
    member_org = OrganisationFactory(short_name="ООО «Гранула»", full_name="ООО «Гранула»")
    MembershipFactory(organisation=member_org, association=additive)
    dave = RepresentativeFactory(organisation=member_org, user__email="dave@example.com").user
    application = ApplicationFactory(
        organisation=applicant_org, association=additive, applicant=alice, status=ApplicationStatus.SUBMITTED
    )
    project = ProjectFactory(
        association=additive, slug="pellet", title="Гранульный принтер", lead_organisation=member_org
    )
    return World(
        additive=additive,
        photonics=photonics,
        applicant_org=applicant_org,
        member_org=member_org,
        application=application,
        project=project,
        alice=alice,
        carol=carol,
        bob=bob,
        erin=erin,
        dave=dave,
        charlie=UserFactory(email="charlie@example.com"),
        staff=UserFactory(email="staff@example.com", is_cluster_staff=True),
        admin=UserFactory(email="admin@example.com", is_superuser=True, is_staff=True),
    )


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        missing_service(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="ru-RU")
    context.set_default_timeout(15000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def demo(settings):
    """The demo content of `seed_demo`, with its demo accounts (created only under DEBUG)."""
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    settings.DEBUG = False
