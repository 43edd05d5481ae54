"""The people who sign in. What a user may do is decided in `core.permissions`."""

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an e-mail address.

    Roles: cluster administrator (`is_superuser`), cluster staff with read-only
    access to everything (`is_cluster_staff`), association coordinator (listed in
    `Association.coordinators`) and organisation representatives.
    """

    email = models.EmailField(_("e-mail"), unique=True)
    full_name = models.CharField(_("person's full name"), max_length=200, blank=True)
    is_staff = models.BooleanField(
        _("admin site access"), default=False, help_text=_("May sign in to the Django admin.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_cluster_staff = models.BooleanField(
        _("cluster staff"), default=False, help_text=_("Read-only access to every association, project and member.")
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="ru")
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    pd_consent_at = models.DateTimeField(_("personal data consent given"), null=True, blank=True)
    pd_policy_version = models.CharField(_("privacy policy version"), max_length=32, blank=True)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email
