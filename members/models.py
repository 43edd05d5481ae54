"""Organisations, the people who act for them, and how colleagues join them.

Reference data (regions, technology directions) lives here too: every app above uses it.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.i18n import localized
from core.search import SearchSpec
from core.transitions import REQUEST_WORKFLOW, RequestStatus, change_once

from .names import name_sort_key
from .validators import legal_form_errors, validate_inn, validate_kpp, validate_ogrn, validate_okved

models.CharField.register_lookup(Length)


def _place(name: str) -> str:
    """A place name compared loosely: case, ё and a leading «г.» (город) do not matter."""
    name = name.strip().casefold().replace("ё", "е")
    for prefix in ("г.", "город "):
        if name.startswith(prefix):
            name = name[len(prefix) :]
    return name.strip()


# Reference data


class Region(models.Model):
    """A federal subject of Russia with its official two-digit code."""

    code = models.CharField(_("code"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=120)
    name_en = models.CharField(_("name in English"), max_length=120)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self):
        return f"{self.code} {localized(self, 'name')}"

    @property
    def title(self):
        return localized(self, "name")


class Direction(models.Model):
    """A technology direction: additive manufacturing, photonics, robotics, …"""

    slug = models.SlugField(_("slug"), unique=True)
    name = models.CharField(_("name"), max_length=120, unique=True)
    name_en = models.CharField(_("name in English"), max_length=120)

    class Meta:
        ordering = ["name"]
        verbose_name = _("technology direction")
        verbose_name_plural = _("technology directions")

    def __str__(self):
        return localized(self, "name")

    @property
    def title(self):
        return localized(self, "name")


# Organisations


class LegalForm(models.TextChoices):
    LEGAL_ENTITY = "legal_entity", _("Legal entity")
    SOLE_TRADER = "sole_trader", _("Individual entrepreneur")


class OrganisationKind(models.TextChoices):
    COMPANY = "company", _("Company")
    UNIVERSITY = "university", _("University")
    RESEARCH_INSTITUTE = "research_institute", _("Research institute")
    DEVELOPMENT_INSTITUTION = "development_institution", _("Development institution")
    INVESTOR = "investor", _("Investor")
    SOLE_TRADER = "sole_trader", _("Individual entrepreneur")
    OTHER = "other", _("Other")

    @classmethod
    def default_for(cls, legal_form: str) -> str:
        """The kind a profile gets when none is chosen: an ИП is an individual entrepreneur."""
        return cls.SOLE_TRADER if legal_form == LegalForm.SOLE_TRADER else cls.COMPANY


class OrganisationSize(models.TextChoices):
    """The legal categories of enterprises (Federal Law No. 209-FZ), named as the law names them."""

    MICRO = "micro", _("Micro-enterprise")
    SMALL = "small", _("Small enterprise")
    MEDIUM = "medium", _("Medium-sized enterprise")
    LARGE = "large", _("Large enterprise")


class OrganisationQuerySet(models.QuerySet):
    def of_user(self, user):
        """The organisations the user acts for."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(representatives__user=user)


# The directory searches names and competences; the short name forgives typos.
ORGANISATION_SEARCH = SearchSpec(
    prefix="org", fields=("short_name", "full_name", "description"), name_field="short_name"
)


class Organisation(models.Model):
    legal_form = models.CharField(_("legal form"), max_length=20, choices=LegalForm.choices)
    kind = models.CharField(
        _("kind"), max_length=30, choices=OrganisationKind.choices, default=OrganisationKind.COMPANY
    )
    inn = models.CharField(_("INN (taxpayer number)"), max_length=12, unique=True, validators=[validate_inn])
    ogrn = models.CharField(_("OGRN / OGRNIP"), max_length=15, unique=True, validators=[validate_ogrn])
    kpp = models.CharField(_("KPP"), max_length=9, blank=True, validators=[validate_kpp])
    full_name = models.CharField(_("full legal name"), max_length=500)
    short_name = models.CharField(_("short name"), max_length=200)
    # The short name without its legal form and quotes (members.names): what lists sort by.
    sort_name = models.CharField(_("name for sorting"), max_length=200, editable=False, default="")
    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="organisations")
    city = models.CharField(_("city"), max_length=120)
    address = models.CharField(_("address"), max_length=500, blank=True)
    website = models.URLField(_("website"), blank=True)
    email = models.EmailField(_("e-mail"))
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    size = models.CharField(
        _("enterprise category"), max_length=10, choices=OrganisationSize.choices, default=OrganisationSize.SMALL
    )
    directions = models.ManyToManyField(
        Direction, verbose_name=_("technology directions"), related_name="organisations", blank=True
    )
    okved = models.CharField(_("main OKVED code"), max_length=8, blank=True, validators=[validate_okved])
    description = models.TextField(_("competences"), blank=True)
    show_email = models.BooleanField(_("show e-mail to cluster members"), default=True)
    show_phone = models.BooleanField(_("show phone to cluster members"), default=False)
    users = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Representative", related_name="organisations", blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["sort_name", "pk"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [
            models.Index(fields=["region", "sort_name"], name="org_region_sort_name_idx"),
            # A region's ids in order: the directory's count with a region and a direction merges it
            # with the directions' (direction, organisation) index, both read without the table
            # (21 -> 3 ms at 350k; migration 0005 adds the other one).
            models.Index(fields=["region", "id"], name="org_region_id_idx"),
            models.Index(fields=["sort_name", "id"], name="org_sort_name_id_idx"),
            models.Index(fields=["-created_at", "-id"], name="org_created_idx"),
            models.Index(fields=["size"], name="org_size_idx"),
            *ORGANISATION_SEARCH.indexes(),
        ]
        constraints = [
            models.CheckConstraint(
                name="organisation_identifiers_fit_legal_form",
                condition=(
                    Q(legal_form=LegalForm.LEGAL_ENTITY, inn__length=10, ogrn__length=13, kpp__length=9)
                    | Q(legal_form=LegalForm.SOLE_TRADER, inn__length=12, ogrn__length=15, kpp="")
                ),
                violation_error_message=_("INN, OGRN and KPP do not fit the legal form."),
            ),
        ]

    def __str__(self):
        return self.short_name

    def save(self, *args, **kwargs):
        """Keep the sort key in step with the short name (bulk writes set it with `name_sort_key`)."""
        self.sort_name = name_sort_key(self.short_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "short_name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "sort_name"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        """The organisation's page in the member directory."""
        return reverse("pages:directory-detail", args=[self.pk])

    def clean(self):
        errors = legal_form_errors(legal_form=self.legal_form, inn=self.inn, ogrn=self.ogrn, kpp=self.kpp)
        if self.kind == OrganisationKind.SOLE_TRADER and self.legal_form != LegalForm.SOLE_TRADER:
            errors["kind"] = ValidationError(
                _("Only an individual entrepreneur is of this kind: choose another one for a legal entity."),
                code="kind_legal_form",
            )
        if errors:
            raise ValidationError(errors)

    @property
    def is_sole_trader(self) -> bool:
        return self.legal_form == LegalForm.SOLE_TRADER

    @property
    def kind_with_legal_form(self) -> str:
        """«Компания, юридическое лицо»; an individual entrepreneur is named once."""
        kind = str(self.get_kind_display())
        if self.kind == OrganisationKind.SOLE_TRADER:
            return kind
        legal_form = str(self.get_legal_form_display())
        return f"{kind}, {legal_form[:1].lower()}{legal_form[1:]}"

    @property
    def location(self) -> str:
        """The region and the city, each place named once: «Москва», «Московская область, Химки»."""
        region = self.region.title
        city = self.city.strip()
        if not city or _place(city) in {_place(self.region.name), _place(self.region.name_en)}:
            return region
        return f"{region}, {city}"


class RepresentativeRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    REPRESENTATIVE = "representative", _("Representative")


class Representative(models.Model):
    """A user who acts for an organisation; the owner manages its colleagues."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="representatives")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="representations")
    role = models.CharField(_("role"), max_length=20, choices=RepresentativeRole.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation representative")
        verbose_name_plural = _("organisation representatives")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "user"], name="one_representation_per_user"),
        ]

    def __str__(self):
        return f"{self.user} — {self.organisation} ({self.get_role_display()})"


# Joining an existing organisation


class JoinRequest(models.Model):
    """A user asks to act for an organisation that is already registered; its owner decides."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="join_requests"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="join_requests")
    message = models.TextField(_("message"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("join request")
        verbose_name_plural = _("join requests")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"],
                condition=Q(status="pending"),
                name="one_pending_join_request_per_pair",
            ),
        ]

    def __str__(self):
        return f"{self.user} → {self.organisation} ({self.get_status_display()})"

    def accept(self, *, by) -> None:
        """Accept once and make the user a representative, in one transaction (Refused otherwise)."""
        REQUEST_WORKFLOW.change(
            self,
            RequestStatus.ACCEPTED,
            values={"decided_at": timezone.now(), "decided_by": by},
            record=lambda _from: Representative.objects.get_or_create(
                organisation_id=self.organisation_id,
                user_id=self.user_id,
                defaults={"role": RepresentativeRole.REPRESENTATIVE},
            ),
        )

    def decline(self, *, by) -> None:
        REQUEST_WORKFLOW.change(self, RequestStatus.DECLINED, values={"decided_at": timezone.now(), "decided_by": by})


class Invitation(models.Model):
    """The owner invites a colleague by e-mail; the link carries a signed token of this row."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField(_("e-mail"))
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "email"],
                condition=Q(accepted_at__isnull=True),
                name="one_open_invitation_per_email",
            ),
        ]

    def __str__(self):
        return f"{self.email} → {self.organisation}"

    def accept(self, *, user) -> None:
        """Make the user a representative, once (Refused when the invitation was used meanwhile)."""
        change_once(
            self,
            expected={"accepted_at__isnull": True},
            values={"accepted_at": timezone.now(), "accepted_by": user},
            record=lambda: Representative.objects.get_or_create(
                organisation_id=self.organisation_id,
                user_id=user.pk,
                defaults={"role": RepresentativeRole.REPRESENTATIVE},
            ),
        )
