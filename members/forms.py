"""Forms of the applicant side: sign-up consent, organisation profile, applications.

Forms validate and normalise; saving and notifying is done by members/services.py.
"""

import zipfile
from dataclasses import dataclass

import filetype
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.template.defaultfilters import filesizeformat
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .models import (
    Association,
    AssociationStatus,
    Direction,
    LegalForm,
    MembershipApplication,
    Organisation,
    Region,
)
from .services import application_blockers
from .validators import validate_inn, validate_kpp, validate_ogrn

MAX_DOCUMENT_SIZE = 10 * 1024 * 1024
MAX_DOCUMENTS_PER_APPLICATION = 5
ACCEPTED_TYPES = "PDF, DOCX, XLSX, PNG, JPEG"
# The `accept` hint of the file input; the server decides from the content.
ACCEPT_ATTR = ".pdf,.docx,.xlsx,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXTENSIONS = {"application/pdf": "pdf", DOCX: "docx", XLSX: "xlsx", "image/png": "png", "image/jpeg": "jpg"}


def _helper() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


# Accounts


def _consent_help():
    return format_html(
        '<a href="{}" target="_blank" rel="noopener">{}</a> ({} {})',
        reverse_lazy("members:privacy"),
        _("Read the privacy policy"),
        _("version"),
        settings.PRIVACY_POLICY_VERSION,
    )


class SignupConsentForm(forms.Form):
    """Extra fields of allauth's sign-up form (ACCOUNT_SIGNUP_FORM_CLASS)."""

    full_name = forms.CharField(label=_("Your full name"), max_length=200, required=False)
    pd_consent = forms.BooleanField(
        label=_("I consent to the processing of my personal data under Federal Law No. 152-FZ"),
        help_text=lazy(_consent_help, str)(),
        error_messages={
            "required": _(
                "Tick the box to register: without your consent to the processing of personal data "
                "we cannot keep an account for you."
            )
        },
    )

    def signup(self, request, user) -> None:
        user.full_name = self.cleaned_data.get("full_name", "")
        user.pd_consent_at = timezone.now()
        user.pd_policy_version = settings.PRIVACY_POLICY_VERSION
        user.language = (get_language() or settings.LANGUAGE_CODE)[:2]
        user.save(update_fields=["full_name", "pd_consent_at", "pd_policy_version", "language"])


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
        fields = [
            "legal_form",
            "kind",
            "inn",
            "ogrn",
            "kpp",
            "full_name",
            "short_name",
            "region",
            "city",
            "address",
            "website",
            "email",
            "phone",
            "size",
            "directions",
            "okved",
            "description",
            "show_email",
            "show_phone",
        ]
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
            "inn": _("10 digits for a legal entity, 12 digits for an individual entrepreneur."),
            "ogrn": _("ОГРН: 13 digits for a legal entity; ОГРНИП: 15 digits for an individual entrepreneur."),
            "kpp": _("9 characters; legal entities only. Leave empty for an individual entrepreneur."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.existing_organisation = None
        self.fields["legal_form"].choices = LegalForm.choices
        self.fields["region"].queryset = Region.objects.order_by("code")
        self.fields["directions"].queryset = Direction.objects.order_by("name")
        self.fields["kpp"].widget.attrs["data-legal-entity-only"] = "true"
        for name in ("inn", "ogrn", "kpp"):
            # Length is checked by the identifier validators after spaces are removed.
            field = self.fields[name]
            field.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
            field.widget.attrs.pop("maxlength", None)
        self.helper = _helper()
        self.helper.layout = Layout(
            Fieldset(_("Legal form and identifiers"), "legal_form", "kind", "inn", "ogrn", "kpp", "okved"),
            Fieldset(_("Names"), "full_name", "short_name"),
            Fieldset(_("Location and contacts"), "region", "city", "address", "website", "email", "phone"),
            Fieldset(_("Profile"), "size", "directions", "description", "show_email", "show_phone"),
        )

    def clean_inn(self):
        inn = _digits(self.cleaned_data["inn"])
        validate_inn(inn)
        existing = Organisation.objects.filter(inn=inn).exclude(pk=self.instance.pk).first()
        if existing:
            self.existing_organisation = existing
            raise ValidationError(
                _(
                    "An organisation with ИНН %(inn)s is already registered in the portal. "
                    "You can ask its owner to add you as a representative."
                ),
                code="inn_registered",
                params={"inn": inn},
            )
        return inn

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
            raise ValidationError(_("No organisation with this ИНН is registered."), code="inn_unknown")
        self.organisation = organisation
        return inn


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Colleague's e-mail"), widget=forms.EmailInput(attrs={"autocomplete": "off"}))

    def __init__(self, *args, organisation=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.helper = _helper()

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if self.organisation and self.organisation.representatives.filter(user__email__iexact=email).exists():
            raise ValidationError(_("This person already represents the organisation."), code="already_member")
        if self.organisation and self.organisation.invitations.filter(email__iexact=email, accepted_at=None).exists():
            raise ValidationError(_("An invitation to this address is already waiting."), code="already_invited")
        return email


# Documents


@dataclass(frozen=True)
class CheckedUpload:
    """An uploaded file whose type was recognised from its content."""

    upload: object
    content_type: str
    extension: str

    @property
    def name(self) -> str:
        return self.upload.name


def sniff_document(upload) -> str | None:
    """The MIME type of an accepted document, judged from its bytes, or None.

    PDF must start with %PDF; PNG and JPEG by their signatures; DOCX and XLSX are
    ZIP containers holding word/ or xl/ parts respectively.
    """
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    kind = filetype.guess(head)
    if kind and kind.mime in ("image/png", "image/jpeg"):
        return kind.mime
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(upload) as archive:
                names = archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            upload.seek(0)
        if "[Content_Types].xml" in names:
            if any(name.startswith("word/") for name in names):
                return DOCX
            if any(name.startswith("xl/") for name in names):
                return XLSX
    return None


def check_documents(files, *, already_attached: int = 0) -> list[CheckedUpload]:
    """Validate uploaded documents; every refusal names the file and the rule broken."""
    errors = []
    checked = []
    if already_attached + len(files) > MAX_DOCUMENTS_PER_APPLICATION:
        errors.append(
            ValidationError(
                _("At most %(max)s files per application (%(attached)s already attached)."),
                code="too_many",
                params={"max": MAX_DOCUMENTS_PER_APPLICATION, "attached": already_attached},
            )
        )
    for upload in files:
        if upload.size == 0:
            errors.append(
                ValidationError(_("%(name)s: the file is empty."), code="empty", params={"name": upload.name})
            )
            continue
        if upload.size > MAX_DOCUMENT_SIZE:
            errors.append(
                ValidationError(
                    _("%(name)s: the file is %(size)s; the limit is %(max)s per file."),
                    code="too_large",
                    params={
                        "name": upload.name,
                        "size": filesizeformat(upload.size),
                        "max": filesizeformat(MAX_DOCUMENT_SIZE),
                    },
                )
            )
            continue
        content_type = sniff_document(upload)
        if content_type is None:
            errors.append(
                ValidationError(
                    _("%(name)s: the content is not one of the accepted types (%(types)s), whatever its name says."),
                    code="bad_type",
                    params={"name": upload.name, "types": ACCEPTED_TYPES},
                )
            )
            continue
        checked.append(CheckedUpload(upload=upload, content_type=content_type, extension=EXTENSIONS[content_type]))
    if errors:
        raise ValidationError(errors)
    return checked


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT_ATTR}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


DOCUMENTS_HELP = lazy(
    lambda: (
        _("Up to %(count)s files, %(size)s each: %(types)s.")
        % {"count": MAX_DOCUMENTS_PER_APPLICATION, "size": filesizeformat(MAX_DOCUMENT_SIZE), "types": ACCEPTED_TYPES}
    ),
    str,
)()


# Applications


class AssociationCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes whose `unavailable` values are shown disabled (the server checks them anyway)."""

    unavailable: frozenset = frozenset()

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if getattr(value, "value", value) in self.unavailable:
            option["attrs"]["disabled"] = True
        return option


class ApplicationForm(forms.Form):
    """One form, one application per chosen association."""

    SUBMIT = "submit"
    DRAFT = "draft"

    form_token = forms.CharField(widget=forms.HiddenInput)
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none(), label=_("Organisation"))
    associations = forms.ModelMultipleChoiceField(
        queryset=Association.objects.none(),
        label=_("Associations"),
        widget=AssociationCheckboxes,
        help_text=_("Choose one or more; a separate application is made for each."),
        error_messages={"required": _("Choose at least one association.")},
    )
    motivation = forms.CharField(
        label=_("Motivation"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why your organisation wants to join."),
    )
    competences = forms.CharField(
        label=_("Competences offered"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What your organisation brings: products, equipment, expertise."),
    )
    directions = forms.ModelMultipleChoiceField(
        queryset=Direction.objects.none(),
        label=_("Directions of interest"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    documents = MultipleFileField(label=_("Documents"), help_text=DOCUMENTS_HELP)

    def __init__(self, *args, user, new_organisation: bool = False, **kwargs):
        """`new_organisation`: the organisation is described on the same page (OrganisationForm)."""
        super().__init__(*args, **kwargs)
        if new_organisation:
            del self.fields["organisation"]
        else:
            self.fields["organisation"].queryset = Organisation.objects.of_user(user).order_by("short_name")
        self.fields["associations"].queryset = Association.objects.exclude(status=AssociationStatus.ARCHIVED).order_by(
            "name"
        )
        self.fields["associations"].label_from_instance = lambda a: a.title
        self.fields["directions"].queryset = Direction.objects.order_by("name")
        self.unavailable = {}
        organisations = list(self.fields["organisation"].queryset) if "organisation" in self.fields else []
        if len(organisations) == 1:
            self.fields["organisation"].initial = organisations[0]
            # Associations this organisation cannot apply to now, with the reason shown above the form.
            self.unavailable = application_blockers(
                organisation=organisations[0], associations=list(self.fields["associations"].queryset)
            )
            self.fields["associations"].widget.unavailable = frozenset(self.unavailable)
        self.helper = _helper()

    @property
    def action(self) -> str:
        return self.SUBMIT if self.data.get("action") == self.SUBMIT else self.DRAFT

    def clean_documents(self):
        return check_documents(self.cleaned_data["documents"])

    def clean(self):
        cleaned = super().clean()
        organisation = cleaned.get("organisation")
        associations = cleaned.get("associations")
        if organisation and associations:
            blockers = application_blockers(organisation=organisation, associations=associations)
            if blockers:
                self.add_error("associations", [ValidationError(message) for message in blockers.values()])
        if self.action == self.SUBMIT:
            require_for_submission(self, cleaned)
        return cleaned


def require_for_submission(form, cleaned) -> None:
    if not cleaned.get("motivation", "").strip():
        form.add_error(
            "motivation",
            ValidationError(
                _("Required to submit the application; a draft may be saved without it."),
                code="required",
            ),
        )
    if not cleaned.get("competences", "").strip():
        form.add_error(
            "competences",
            ValidationError(
                _("Required to submit the application; a draft may be saved without it."),
                code="required",
            ),
        )


class ApplicationEditForm(forms.ModelForm):
    """Edit a draft, or complete an application on which information was requested."""

    documents = MultipleFileField(label=_("Add documents"), help_text=DOCUMENTS_HELP)

    class Meta:
        model = MembershipApplication
        fields = ["motivation", "competences", "directions"]
        widgets = {
            "motivation": forms.Textarea(attrs={"rows": 4}),
            "competences": forms.Textarea(attrs={"rows": 4}),
            "directions": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["directions"].queryset = Direction.objects.order_by("name")
        self.helper = _helper()

    def clean_documents(self):
        return check_documents(self.cleaned_data["documents"], already_attached=self.instance.documents.count())


class ApplicationResponseForm(forms.Form):
    """The applicant's answer to an information request; resubmits the application."""

    comment = forms.CharField(
        label=_("Your answer"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write what you changed, or the information requested.")},
    )
    documents = MultipleFileField(label=_("Add documents"), help_text=DOCUMENTS_HELP)

    def __init__(self, *args, application, **kwargs):
        super().__init__(*args, **kwargs)
        self.application = application
        self.helper = _helper()

    def clean_documents(self):
        return check_documents(self.cleaned_data["documents"], already_attached=self.application.documents.count())


class WithdrawForm(forms.Form):
    comment = forms.CharField(
        label=_("Reason (optional)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper()
