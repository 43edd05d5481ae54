"""Forms of organisations and their people: the profile, join requests, invitations.

They validate and normalise; `members/services.py` writes.
"""

from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from core.forms import form_helper

from .models import Direction, LegalForm, Organisation, OrganisationKind, Region
from .services import PROFILE_FIELDS
from .validators import validate_inn, validate_kpp, validate_ogrn

# Organisation profile


LEGAL_FORM_CODES = {"inn_legal_form", "ogrn_legal_form", "kpp_required", "kpp_forbidden"}


def _digits(value: str) -> str:
    return "".join(value.split()).replace("-", "")


class OrganisationForm(forms.ModelForm):
    """The organisation profile; field names are a stable contract (PRODUCT.md)."""

    website = forms.URLField(
        label=_("Website"),
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text=_("For example https://example.ru"),
    )

    class Meta:
        model = Organisation
        fields = [*PROFILE_FIELDS, "directions"]
        widgets = {
            "legal_form": forms.RadioSelect,
            "directions": forms.CheckboxSelectMultiple,
            "description": forms.Textarea(attrs={"rows": 4}),
            "inn": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "ogrn": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "kpp": forms.TextInput(attrs={"autocomplete": "off"}),
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
        }
        help_texts = {
            "kind": _("Left empty, it follows the legal form: an individual entrepreneur or a company."),
            "inn": _(
                "The taxpayer identification number: 10 digits for a legal entity, 12 for an individual entrepreneur."
            ),
            "ogrn": _(
                "The primary state registration number: OGRN, 13 digits, for a legal entity; "
                "OGRNIP, 15 digits, for an individual entrepreneur."
            ),
            "kpp": _(
                "The tax registration reason code: 9 characters, legal entities only. "
                "Leave empty for an individual entrepreneur."
            ),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.existing_organisation = None
        self.fields["legal_form"].choices = LegalForm.choices
        # No kind is preselected for a new profile: left empty, it follows the legal form (clean()).
        kind = self.fields["kind"]
        kind.required = False
        kind.choices = [("", "—"), *OrganisationKind.choices]
        if not self.instance.pk and "kind" not in kwargs.get("initial", {}):
            self.initial["kind"] = ""
        self.fields["region"].queryset = Region.objects.order_by("code")
        self.fields["directions"].queryset = Direction.objects.order_by("name")
        self.fields["kpp"].widget.attrs["data-legal-entity-only"] = "true"
        for name in ("inn", "ogrn", "kpp"):
            # Length is checked by the identifier validators after spaces are removed.
            field = self.fields[name]
            field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
            field.widget.attrs.pop("maxlength", None)
        self.helper = form_helper()
        self.helper.layout = Layout(
            Fieldset(_("Legal form and identifiers"), "legal_form", "kind", "inn", "ogrn", "kpp", "okved"),
            Fieldset(_("Names"), "full_name", "short_name"),
            Fieldset(_("Location and contacts"), "region", "city", "address", "website", "email", "phone"),
            Fieldset(_("Profile"), "size", "directions", "description", "show_email", "show_phone"),
        )

    def profile(self) -> dict:
        """The cleaned profile fields, as `members.services.organisation_create` takes them."""
        return {name: self.cleaned_data[name] for name in PROFILE_FIELDS}

    def clean_inn(self):
        inn = _digits(self.cleaned_data["inn"])
        validate_inn(inn)
        existing = Organisation.objects.filter(inn=inn).exclude(pk=self.instance.pk).first()
        if existing:
            self.existing_organisation = existing
            raise ValidationError(
                _(
                    "An organisation with INN %(inn)s is already registered in the portal. "
                    "You can ask its owner to add you as a representative."
                ),
                code="inn_registered",
                params={"inn": inn},
            )
        return inn

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("kind"):
            cleaned["kind"] = OrganisationKind.default_for(cleaned.get("legal_form"))
        return cleaned

    def clean_ogrn(self):
        ogrn = _digits(self.cleaned_data["ogrn"])
        validate_ogrn(ogrn)
        return ogrn

    def clean_kpp(self):
        kpp = _digits(self.cleaned_data.get("kpp", "")).upper()
        if kpp:
            validate_kpp(kpp)
        return kpp

    def _post_clean(self):
        """Run the model's checks, then drop legal-form complaints about fields already refused.

        Organisation.clean (the legal-form check: ИП without КПП, lengths…) sees an empty
        value where the form refused the field itself; the first, precise message stays.
        Without JavaScript the КПП field stays visible: an ИП who typed one there is told so.
        """
        refused = {name for name in ("inn", "ogrn", "kpp") if name in self._errors}
        super()._post_clean()
        for name in refused:
            errors = self._errors[name]
            errors.data = [e for e in errors.data if getattr(e, "code", "") not in LEGAL_FORM_CODES]


class JoinRequestForm(forms.Form):
    inn = forms.CharField(widget=forms.HiddenInput)
    message = forms.CharField(
        label=_("Message to the owner"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )

    def clean_inn(self):
        inn = _digits(self.cleaned_data["inn"])
        organisation = Organisation.objects.filter(inn=inn).first()
        if organisation is None:
            raise ValidationError(_("No organisation with this INN is registered."), code="inn_unknown")
        self.organisation = organisation
        return inn


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Colleague's e-mail"), widget=forms.EmailInput(attrs={"autocomplete": "off"}))

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.helper = form_helper()

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if self.organisation and self.organisation.representatives.filter(user__email__iexact=email).exists():
            raise ValidationError(_("This person already represents the organisation."), code="already_member")
        if self.organisation and self.organisation.invitations.filter(email__iexact=email, accepted_at=None).exists():
            raise ValidationError(_("An invitation to this address is already waiting."), code="already_invited")
        return email
