"""Creating, revoking and using personal access tokens (the one write path for tokens)."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from core import permissions

from .models import TOKEN_PREFIX, VISIBLE_CHARS, AccessToken, Scope, hash_token

# last_used_at is written at most this often per token, not on every request.
LAST_USED_PRECISION = timedelta(minutes=1)


def token_create(*, user, name: str, scopes: list[str], expires_in_days: int) -> tuple[AccessToken, str]:
    """A new token for the user and its secret, which is returned here once and never stored."""
    if not permissions.is_signed_in(user):
        raise PermissionDenied
    chosen = [s for s in Scope.values if s in set(scopes)]
    if not chosen:
        raise ValueError("a token needs at least one scope")
    days = max(1, min(int(expires_in_days), settings.API_TOKEN_MAX_DAYS))
    secret = secrets.token_urlsafe(32)
    raw = f"{TOKEN_PREFIX}{secret}"
    now = timezone.now()
    token = AccessToken.objects.create(
        user=user,
        name=name.strip()[:100],
        prefix=secret[:VISIBLE_CHARS],
        token_hash=hash_token(raw),
        scopes=" ".join(chosen),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    return token, raw


def revocable_tokens(user):
    """The tokens the user may revoke: their own; every token for an administrator."""
    if permissions.is_cluster_admin(user):
        return AccessToken.objects.all()
    return AccessToken.objects.of_user(user)


@transaction.atomic
def token_revoke(*, token: AccessToken, by) -> bool:
    """Revoke once; False when it was revoked already. Only its user or an administrator may."""
    if not revocable_tokens(by).filter(pk=token.pk).exists():
        raise PermissionDenied
    now = timezone.now()
    done = AccessToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=now)
    if done:
        token.revoked_at = now
    return bool(done)


def token_authenticate(raw: str) -> AccessToken | None:
    """The usable token with this secret and an active user, or None (one query)."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = (
        AccessToken.objects.usable()
        .select_related("user")
        .filter(token_hash=hash_token(raw), user__is_active=True)
        .first()
    )
    if token is not None:
        token_touch(token)
    return token


def token_touch(token: AccessToken, *, now=None) -> None:
    """Record the use, at most once a minute: a write per request would cost more than the read."""
    now = now or timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_PRECISION:
        return
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_PRECISION)
    AccessToken.objects.filter(stale, pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
