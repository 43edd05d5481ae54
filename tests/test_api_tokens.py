"""Personal access tokens: each scope, never more than the user has, expiry, revocation, the cabinet
page that creates them (the secret shown once) and the admin that revokes any."""

from datetime import timedelta

import pytest
from django.utils import timezone

from api.models import AccessToken, hash_token
from api.services import token_authenticate, token_create, token_revoke, token_touch

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    settings.API_THROTTLE_ANON = settings.API_THROTTLE_TOKEN = "100000/min"


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def token_for(user, *scopes, days=30):
    return token_create(user=user, name="test", scopes=list(scopes), expires_in_days=days)


READ_URL, OWN_URL, REVIEW_URL = "/api/v1/projects/", "/api/v1/me/applications/", "/api/v1/review/applications/"


@pytest.mark.parametrize(
    ("scopes", "expected"),
    [
        (["read"], (200, 403, 403)),
        (["own"], (403, 200, 403)),
        (["review"], (403, 403, 200)),
        (["read", "own", "review"], (200, 200, 200)),
    ],
)
def test_each_scope_opens_its_endpoints_only(client, world, scopes, expected):
    _, secret = token_for(world.bob, *scopes)
    statuses = tuple(client.get(url, **bearer(secret)).status_code for url in (READ_URL, OWN_URL, REVIEW_URL))
    assert statuses == expected
    if expected[0] == 403:
        problem = client.get(READ_URL, **bearer(secret)).json()
        assert problem["type"] == "urn:cluster-portal:problem:missing-scope"


def test_a_token_never_grants_more_than_its_user_has(client, world):
    _, secret = token_for(world.alice, "read", "own", "review")
    assert client.get(REVIEW_URL, **bearer(secret)).status_code == 403  # alice reviews nothing
    _, secret = token_for(world.charlie, "read")
    assert client.get("/api/v1/organisations/", **bearer(secret)).status_code == 403  # no directory
    slugs = {p["slug"] for p in client.get(READ_URL, **bearer(secret)).json()["results"]}
    assert slugs == {"pellet"}


def test_a_token_reads_as_its_user(client, world):
    from projects.models import Visibility

    from .factories import ProjectFactory

    ProjectFactory(association=world.additive, slug="staff-only", visibility=Visibility.STAFF)
    _, secret = token_for(world.staff, "read")
    slugs = {p["slug"] for p in client.get(READ_URL, **bearer(secret)).json()["results"]}
    assert slugs == {"pellet", "staff-only"}


@pytest.mark.parametrize("case", ["expired", "revoked", "unknown", "inactive", "malformed", "not ours"])
def test_an_unusable_token_is_answered_401(client, world, case):
    token, secret = token_for(world.alice, "own")
    headers = bearer(secret)
    if case == "expired":
        AccessToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    elif case == "revoked":
        token_revoke(token=token, by=world.alice)
    elif case == "unknown":
        headers = bearer(secret[:-2] + "xx")
    elif case == "inactive":
        world.alice.is_active = False
        world.alice.save()
    elif case == "malformed":
        headers = {"HTTP_AUTHORIZATION": "Bearer two words"}
    else:
        headers = bearer("ghp_" + secret)
    response = client.get(OWN_URL, **headers)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json()["status"] == 401


def test_the_secret_is_stored_only_as_its_hash(world):
    token, secret = token_for(world.alice, "read")
    assert secret.startswith("cpt_") and len(secret) > 40
    stored = AccessToken.objects.get(pk=token.pk)
    assert stored.token_hash == hash_token(secret)
    assert secret not in repr(vars(stored))
    assert stored.prefix == secret[4:12]
    assert str(stored) == f"test (cpt_{stored.prefix}…)"


def test_scopes_and_expiry_are_kept_within_bounds(world, settings):
    settings.API_TOKEN_MAX_DAYS = 10
    token, _ = token_create(user=world.alice, name=" crm ", scopes=["review", "read", "bogus"], expires_in_days=999)
    assert token.scopes == "read review"
    assert token.name == "crm"
    assert timedelta(days=9) < token.expires_at - timezone.now() <= timedelta(days=10)
    with pytest.raises(ValueError):
        token_create(user=world.alice, name="x", scopes=["bogus"], expires_in_days=1)


def test_last_use_is_written_at_most_once_a_minute(client, world, django_assert_num_queries):
    token, secret = token_for(world.alice, "read")
    assert token_authenticate(secret).last_used_at is not None
    first = AccessToken.objects.get(pk=token.pk).last_used_at
    # Used again at once: the token is read, nothing is written.
    with django_assert_num_queries(1):
        token_authenticate(secret)
    assert AccessToken.objects.get(pk=token.pk).last_used_at == first
    later = first + timedelta(minutes=2)
    token_touch(AccessToken.objects.get(pk=token.pk), now=later)
    assert AccessToken.objects.get(pk=token.pk).last_used_at == later


def test_only_its_user_or_an_administrator_revokes_a_token(world):
    from django.core.exceptions import PermissionDenied

    token, _ = token_for(world.alice, "read")
    with pytest.raises(PermissionDenied):
        token_revoke(token=token, by=world.dave)
    assert token_revoke(token=token, by=world.admin) is True
    assert token_revoke(token=token, by=world.alice) is False  # once


def test_the_cabinet_creates_a_token_and_shows_its_secret_once(client, world):
    client.force_login(world.alice)
    assert client.get("/cabinet/tokens/").status_code == 200
    response = client.post("/cabinet/tokens/", {"name": "CRM", "scopes": ["read", "own"], "expires_in_days": "90"})
    assert response.status_code == 200
    token = AccessToken.objects.get(user=world.alice)
    secret = response.context["created"]["secret"]
    assert token.token_hash == hash_token(secret)
    assert secret.encode() in response.content
    assert "no-store" in response["Cache-Control"]
    again = client.get("/cabinet/tokens/")
    assert secret.encode() not in again.content
    assert token.prefix.encode() in again.content
    assert client.get(OWN_URL, **bearer(secret)).status_code == 200


def test_the_cabinet_refuses_a_token_without_scope(client, world):
    client.force_login(world.alice)
    response = client.post("/cabinet/tokens/", {"name": "CRM", "expires_in_days": "90"})
    assert response.status_code == 200
    assert response.context["form"].errors["scopes"]
    assert not AccessToken.objects.exists()


def test_the_cabinet_revokes_only_the_users_own_tokens(client, world):
    token, secret = token_for(world.alice, "read")
    client.force_login(world.dave)
    assert client.post(f"/cabinet/tokens/{token.pk}/revoke/").status_code == 404
    client.force_login(world.alice)
    assert client.get(f"/cabinet/tokens/{token.pk}/revoke/").status_code == 405
    response = client.post(f"/cabinet/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    assert AccessToken.objects.get(pk=token.pk).revoked_at is not None
    assert client.get(READ_URL, **bearer(secret)).status_code == 401
    page = client.get("/cabinet/tokens/")
    assert "Отозван".encode() in page.content or b"Revoked" in page.content


def test_the_cabinet_needs_a_signed_in_user(client):
    assert client.get("/cabinet/tokens/").status_code == 302


def test_administrators_see_and_revoke_every_token_in_the_admin(client, world):
    alices, _ = token_for(world.alice, "read")
    daves, _ = token_for(world.dave, "own")
    client.force_login(world.admin)
    listing = client.get("/admin/api/accesstoken/")
    assert listing.status_code == 200
    assert alices.prefix.encode() in listing.content and daves.prefix.encode() in listing.content
    assert client.get(f"/admin/api/accesstoken/{alices.pk}/change/").status_code == 200
    assert client.get("/admin/api/accesstoken/add/").status_code == 403
    response = client.post(
        "/admin/api/accesstoken/",
        {"action": "revoke", "_selected_action": [alices.pk, daves.pk]},
    )
    assert response.status_code == 302
    assert AccessToken.objects.filter(revoked_at__isnull=True).count() == 0
