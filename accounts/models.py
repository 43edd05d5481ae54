"""The people who sign in. What a user may do is decided in `core.permissions`."""

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# A removed account's address (privacy.services.account_delete): `removed-<random>@removed.invalid`,
# unique and never deliverable (RFC 2606 reserves `.invalid`); sign-up refuses the domain.
REMOVED_EMAIL_DOMAIN = "removed.invalid"


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
    # Sign-up asks for all three (the patronymic if the person has one); accounts made before the
    # split, in the admin or by a command may lack them, so every name method falls back.
    last_name = models.CharField(_("surname"), max_length=150, blank=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    patronymic = models.CharField(_("patronymic"), max_length=150, blank=True)
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
        return self.full_display_name

    @property
    def is_removed(self) -> bool:
        """The account was deleted at its owner's request (152-FZ): kept, anonymised, for history."""
        return self.email.endswith("@" + REMOVED_EMAIL_DOMAIN)

    @property
    def full_display_name(self) -> str:
        """«Соколова Наталья Игоревна»; the e-mail address when no name is known; «удалённый пользователь»."""
        if self.is_removed:
            return gettext("removed user")
        return " ".join(part for part in (self.last_name, self.first_name, self.patronymic) if part) or self.email

    @property
    def short_display_name(self) -> str:
        """«Соколова Н. И.» (non-breaking spaces) where space is short: the menu, the review queue."""
        if self.is_removed:
            return gettext("removed user")
        if not self.last_name:
            return self.first_name or self.email
        initials = "\u00a0".join(f"{part[0]}." for part in (self.first_name, self.patronymic) if part)
        return f"{self.last_name}\u00a0{initials}" if initials else self.last_name

    def greeting_name(self, language: str) -> str:
        """How an e-mail addresses the person: «Наталья Игоревна» in Russian, «Наталья» in English.

        Empty when the first name is not known: the e-mail then greets without a name
        (a surname alone would need the right «господин»/«госпожа», and we do not ask for it).
        """
        if not self.first_name:
            return ""
        if language.startswith("ru") and self.patronymic:
            return f"{self.first_name} {self.patronymic}"
        return self.first_name

    # Django's names for the same (the admin greets with get_short_name).
    def get_full_name(self) -> str:
        return self.full_display_name

    def get_short_name(self) -> str:
        return self.short_display_name
