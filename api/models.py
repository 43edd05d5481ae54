"""Personal access tokens for the API: shown once, stored as a SHA-256 hash.

A token reads as its user: it carries scopes (`read`, `own`, `review`) that narrow what the
user may do and never widen it (`api.permissions`).
"""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# The visible start of every token, so a leaked one is recognised by secret scanners.
TOKEN_PREFIX = "cpt_"
# Characters of the secret kept in clear beside the hash, to tell tokens apart in lists.
VISIBLE_CHARS = 8


class Scope(models.TextChoices):
    READ = "read", _("Read the cluster's data as you see it")
    OWN = "own", _("Your organisations, applications and notifications")
    REVIEW = "review", _("Applications you review")


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class AccessTokenQuerySet(models.QuerySet):
    def of_user(self, user):
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user)

    def usable(self, *, now=None):
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class AccessToken(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_tokens")
    name = models.CharField(_("name"), max_length=100)
    # The first characters of the token after TOKEN_PREFIX, shown in lists; the rest is only hashed.
    prefix = models.CharField(_("starts with"), max_length=VISIBLE_CHARS)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    # Space-separated, as OAuth writes scopes: "read own".
    scopes = models.CharField(_("scopes"), max_length=50)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = AccessTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("access token")
        verbose_name_plural = _("access tokens")

    def __str__(self):
        return f"{self.name} ({TOKEN_PREFIX}{self.prefix}…)"

    @property
    def scope_set(self) -> frozenset[str]:
        return frozenset(self.scopes.split())

    def get_scopes_display(self) -> str:
        labels = dict(Scope.choices)
        return ", ".join(str(labels[s]) for s in Scope.values if s in self.scope_set)

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
