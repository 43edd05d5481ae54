"""The applicant side: /apply/ and the user's applications and their documents under /cabinet/.

Every application is loaded through `MembershipApplication.objects.of_user(user)`: another
organisation's application or document answers 404.
"""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from associations.choices import open_associations_by_name
from associations.models import Association
from core import documents, fragments
from core.transitions import Refused
from members.forms import OrganisationForm
from members.models import Organisation
from members.views import join_form_for

from .. import services
from ..forms import ApplicationEditForm, ApplicationForm, ApplicationResponseForm, WithdrawForm
from ..models import ApplicationDocument, ApplicationEvent, ApplicationStatus, MembershipApplication

USED_TOKENS_KEY = "members_used_form_tokens"


def _get_own_application(request: HttpRequest, pk: int) -> MembershipApplication:
    applications = MembershipApplication.objects.of_user(request.user).select_related("organisation", "association")
    return get_object_or_404(applications, pk=pk)


def _get_own_document(request: HttpRequest, pk: int) -> ApplicationDocument:
    own = MembershipApplication.objects.of_user(request.user)
    return get_object_or_404(
        ApplicationDocument.objects.select_related("application__organisation"), pk=pk, application__in=own
    )


def apply(request: HttpRequest) -> HttpResponse:
    associations = Association.objects.open().order_by("name")
    organisations = Organisation.objects.of_user(request.user) if request.user.is_authenticated else []
    ctx = {"associations": associations, "organisations": organisations, "chosen": request.GET.get("association", "")}
    return render(request, "applications/apply.html", ctx)


@login_required
def application_create(request: HttpRequest) -> HttpResponse:
    """Apply to one or more associations; without an organisation yet, describe it on the same page.

    The profile, the applications and their documents are written in one transaction.
    A form token sent twice (double click, back button) leads to what the first sending made.
    """
    organisations = list(Organisation.objects.of_user(request.user).order_by("sort_name", "pk"))
    new_organisation = not organisations
    org_form = OrganisationForm(request.POST or None) if new_organisation else None
    form = ApplicationForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        initial=_initial(request),
        new_organisation=new_organisation,
        organisations=organisations,
        prefix="application" if new_organisation else None,
    )
    used = request.session.get(USED_TOKENS_KEY, {})
    if request.method == "POST" and request.POST.get(form.add_prefix("form_token")) in used:
        messages.info(request, _("This form was already sent; here are the applications it created."))
        return redirect("pages:cabinet")
    forms_valid = [f.is_valid() for f in (form, org_form) if f is not None]
    if request.method == "POST" and all(forms_valid):
        try:
            created = _create_applications(request, form, org_form)
        except services.DuplicateApplication as exc:
            messages.info(request, _("Your organisation already has an open application to this association."))
            return redirect(exc.existing)
        except services.ApplicationBlocked as exc:
            for reason in exc.reasons.values():
                messages.error(request, reason)
            return redirect("applications:application-create")
        used[form.cleaned_data["form_token"]] = [a.pk for a in created]
        request.session[USED_TOKENS_KEY] = dict(list(used.items())[-20:])
        messages.success(request, _submitted_message(form.action, len(created)))
        return redirect(created[0] if len(created) == 1 else reverse("pages:cabinet"))
    ctx = {
        "form": form,
        "form_html": None if form.is_bound else drawn_application_form(form),
        "org_form": org_form,
        "join_form": join_form_for(org_form) if org_form is not None else None,
        "existing": org_form and org_form.existing_organisation,
    }
    return render(request, "applications/cabinet/application_form.html", ctx)


TOKEN_PLACEHOLDER = "form-token-placeholder"


def drawn_application_form(form: ApplicationForm) -> SafeString:
    """The empty application form as crispy draws it (7 fields, 30 checkboxes: most of the page's
    time), kept by what it shows: its fields, their options and initial values, the associations
    the organisation cannot choose. Only the form token differs between two drawings: it is put
    in afterwards."""
    token = form.initial["form_token"]
    depends_on = (
        form.prefix,
        sorted(form.unavailable),
        [
            (
                name,
                str(field.label),
                str(field.help_text),
                field.required,
                [(str(value), str(label)) for value, label in getattr(field.widget, "choices", ())],
                "" if name == "form_token" else str(form[name].value()),
            )
            for name, field in form.fields.items()
        ],
    )

    def draw() -> str:
        form.initial["form_token"] = TOKEN_PLACEHOLDER
        try:
            return render_to_string("applications/cabinet/includes/_application_fields.html", {"form": form})
        finally:
            form.initial["form_token"] = token

    html = fragments.drawn_by_content("application-form", depends_on, draw)
    return mark_safe(html.replace(f'value="{TOKEN_PLACEHOLDER}"', f'value="{token}"'))  # nosec B308 B703: a hex token


def _create_applications(request: HttpRequest, form: ApplicationForm, org_form: OrganisationForm | None):
    data = form.cleaned_data
    application = {
        "associations": list(data["associations"]),
        "motivation": data["motivation"],
        "competences": data["competences"],
        "directions": data["directions"],
        "files": data["documents"],
        "submit": form.action == ApplicationForm.SUBMIT,
    }
    if org_form is None:
        return services.application_create(user=request.user, organisation=data["organisation"], **application)
    return services.organisation_create_and_apply(
        user=request.user,
        organisation=org_form.profile(),
        organisation_directions=org_form.cleaned_data["directions"],
        **application,
    )


def _initial(request: HttpRequest) -> dict:
    initial = {"form_token": uuid.uuid4().hex}
    slug = request.GET.get("association")
    if slug:
        initial["associations"] = [a.pk for a in open_associations_by_name() if a.slug == slug]
    return initial


def _submitted_message(action: str, count: int) -> str:
    if action == ApplicationForm.SUBMIT:
        return ngettext(
            "%(count)s application is submitted; the coordinators will review it.",
            "%(count)s applications are submitted; the coordinators will review them.",
            count,
        ) % {"count": count}
    return ngettext(
        "%(count)s draft is saved; submit it when it is complete.",
        "%(count)s drafts are saved; submit them when they are complete.",
        count,
    ) % {"count": count}


def _open_question(application: MembershipApplication, events: list[ApplicationEvent]) -> ApplicationEvent | None:
    """The step that asked for the information the applicant is to give, while it is open."""
    if application.status != ApplicationStatus.INFO_REQUESTED:
        return None
    return next((e for e in reversed(events) if e.to_status == ApplicationStatus.INFO_REQUESTED), None)


def _detail_context(application: MembershipApplication, *, response_form=None) -> dict:
    if response_form is None and application.status == ApplicationStatus.INFO_REQUESTED:
        response_form = ApplicationResponseForm(application=application)
    reapply_from = services.reapply_available_from(application)
    events = list(application.events.select_related("actor"))
    return {
        "application": application,
        "events": events,
        "question": _open_question(application, events),
        "documents": application.documents.all(),
        "directions": application.directions.all(),
        "can_edit": application.is_editable,
        "can_submit": application.status == ApplicationStatus.DRAFT,
        "can_withdraw": application.can_change_to(ApplicationStatus.WITHDRAWN),
        "reapply_from": reapply_from,
        "can_reapply": reapply_from is not None and reapply_from <= timezone.now(),
        "withdraw_form": WithdrawForm(),
        "response_form": response_form,
    }


@login_required
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get_own_application(request, pk)
    return render(request, "applications/cabinet/application_detail.html", _detail_context(application))


@login_required
def application_edit(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get_own_application(request, pk)
    if not application.is_editable:
        messages.error(request, _("This application can no longer be changed."))
        return redirect(application)
    form = ApplicationEditForm(request.POST or None, request.FILES or None, instance=application)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_update(
                application=application,
                user=request.user,
                motivation=form.cleaned_data["motivation"],
                competences=form.cleaned_data["competences"],
                directions=form.cleaned_data["directions"],
                files=form.cleaned_data["documents"],
            )
        except Refused:
            messages.error(request, _("This application can no longer be changed."))
        else:
            messages.success(request, _("The application is saved."))
        return redirect(application)
    ctx = {"form": form, "application": application, "can_delete": application.status == ApplicationStatus.DRAFT}
    return render(request, "applications/cabinet/application_edit.html", ctx)


@login_required
@require_POST
def application_submit(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get_own_application(request, pk)
    try:
        services.application_submit(application=application, user=request.user)
    except services.ApplicationIncomplete:
        messages.error(request, _("Fill in the motivation and the competences offered before submitting."))
        return redirect("applications:application-edit", pk=application.pk)
    except Refused:
        messages.warning(request, _("The application is no longer a draft; nothing was changed."))
    else:
        messages.success(request, _("The application is submitted. The coordinators will review it."))
    return redirect(application)


@login_required
@require_POST
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get_own_application(request, pk)
    form = WithdrawForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        services.application_withdraw(application=application, user=request.user, comment=comment)
    except Refused:
        messages.error(request, _("The application can no longer be withdrawn: a decision was taken."))
    else:
        messages.success(request, _("The application is withdrawn."))
    return redirect(application)


@login_required
@require_POST
def application_respond(request: HttpRequest, pk: int) -> HttpResponse:
    application = _get_own_application(request, pk)
    form = ApplicationResponseForm(request.POST, request.FILES, application=application)
    if not form.is_valid():
        ctx = _detail_context(application, response_form=form)
        return render(request, "applications/cabinet/application_detail.html", ctx, status=400)
    try:
        services.application_answer_information_request(
            application=application,
            user=request.user,
            comment=form.cleaned_data["comment"],
            files=form.cleaned_data["documents"],
        )
    except services.ApplicationIncomplete:
        messages.error(request, _("Fill in the motivation and the competences offered before submitting."))
        return redirect("applications:application-edit", pk=application.pk)
    except Refused:
        messages.warning(request, _("No information is requested on this application now."))
    else:
        messages.success(request, _("Your answer is sent and the application is submitted again."))
    return redirect(application)


@login_required
def document_download(request: HttpRequest, pk: int) -> HttpResponse:
    """A document of the user's organisations, or of an application the user sees under /review/."""
    own = MembershipApplication.objects.of_user(request.user).values("pk")
    reviewed = MembershipApplication.objects.viewable_by(request.user).values("pk")
    documents_seen = ApplicationDocument.objects.filter(Q(application__in=own) | Q(application__in=reviewed))
    document = get_object_or_404(documents_seen, pk=pk)
    return documents.serve(document)


@login_required
@require_POST
def document_delete(request: HttpRequest, pk: int) -> HttpResponse:
    document = _get_own_document(request, pk)
    try:
        services.document_remove(document=document, user=request.user)
    except Refused:
        messages.error(request, _("Documents can be removed from drafts only."))
    else:
        messages.success(request, _("The document %(name)s is removed.") % {"name": document.original_name})
    return redirect("applications:application-edit", pk=document.application_id)
