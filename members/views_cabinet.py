"""The applicant side: /apply/, the privacy policy, and the user's own area under /cabinet/.

Every object is loaded through a queryset scoped to the signed-in user: another
user's organisation, application or document answers 404; a colleague who may see
but not manage (e.g. invite) gets 403.
"""

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from notifications.models import Notification
from notifications.services import notification_title

from . import services
from .forms import (
    ApplicationEditForm,
    ApplicationForm,
    ApplicationResponseForm,
    InvitationForm,
    JoinRequestForm,
    OrganisationForm,
    WithdrawForm,
)
from .models import (
    ApplicationDocument,
    ApplicationStatus,
    Association,
    AssociationStatus,
    JoinRequest,
    JoinRequestStatus,
    MembershipApplication,
    Organisation,
    Representative,
    RepresentativeRole,
    TransitionError,
)

USED_TOKENS_KEY = "members_used_form_tokens"
EDITABLE = (ApplicationStatus.DRAFT, ApplicationStatus.INFO_REQUESTED)


# Access helpers


def _get_representation(request, pk) -> Representative:
    """The user's representation of organisation `pk`; 404 for anyone else."""
    return get_object_or_404(
        Representative.objects.select_related("organisation__region"), organisation_id=pk, user=request.user
    )


def _get_owned_organisation(request, pk) -> Organisation:
    representation = _get_representation(request, pk)
    if representation.role != RepresentativeRole.OWNER:
        raise PermissionDenied
    return representation.organisation


def _get_own_application(request, pk) -> MembershipApplication:
    applications = MembershipApplication.objects.of_user(request.user).select_related("organisation", "association")
    return get_object_or_404(applications, pk=pk)


def _get_viewable_document(request, pk) -> ApplicationDocument:
    """A document of the user's organisations, or of an application the user reviews."""
    user = request.user
    own = MembershipApplication.objects.of_user(user).values("pk")
    reviewed = MembershipApplication.objects.reviewable_by(user).values("pk")
    documents = ApplicationDocument.objects.filter(Q(application__in=own) | Q(application__in=reviewed))
    return get_object_or_404(documents, pk=pk)


# Public pages


def apply(request):
    associations = Association.objects.exclude(status=AssociationStatus.ARCHIVED).order_by("name")
    organisations = Organisation.objects.of_user(request.user) if request.user.is_authenticated else []
    chosen = request.GET.get("association", "")
    ctx = {"associations": associations, "organisations": organisations, "chosen": chosen}
    return render(request, "members/apply.html", ctx)


def privacy_policy(request):
    return render(request, "members/apply_privacy.html", {"policy_version": settings.PRIVACY_POLICY_VERSION})


# The cabinet


@login_required
def cabinet(request):
    representations = (
        Representative.objects.filter(user=request.user)
        .select_related("organisation")
        .order_by("organisation__short_name")
    )
    applications = (
        MembershipApplication.objects.of_user(request.user)
        .select_related("organisation", "association")
        .order_by("-created_at", "-pk")
    )
    owned = [r.organisation_id for r in representations if r.role == RepresentativeRole.OWNER]
    join_requests = JoinRequest.objects.filter(
        organisation_id__in=owned, status=JoinRequestStatus.PENDING
    ).select_related("organisation", "user")
    my_requests = JoinRequest.objects.filter(user=request.user).select_related("organisation")[:10]
    recent = Notification.objects.for_user(request.user).select_related("recipient").order_by("-created_at", "-pk")[:5]
    ctx = {
        "notifications": [(n, notification_title(n)) for n in recent],
        "representations": representations,
        "applications": applications,
        "join_requests": join_requests,
        "my_requests": my_requests,
        "has_inbox": _has_inbox(),
    }
    return render(request, "members/cabinet/index.html", ctx)


def _has_inbox() -> bool:
    try:
        reverse("notifications:inbox")
    except NoReverseMatch:
        return False
    return True


# Organisations


@login_required
def organisation_create(request):
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = form.save(commit=False)
        services.organisation_create(
            user=request.user, organisation=organisation, directions=form.cleaned_data["directions"]
        )
        messages.success(request, _("The organisation profile is saved. You can now apply to associations."))
        return redirect(_next_url(request) or reverse("members:organisation-detail", args=[organisation.pk]))
    join_form = None
    if form.existing_organisation is not None:
        join_form = JoinRequestForm(initial={"inn": form.existing_organisation.inn})
    ctx = {"form": form, "join_form": join_form, "existing": form.existing_organisation, "next": _next_url(request)}
    return render(request, "members/cabinet/organisation_form.html", ctx)


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""


@login_required
def organisation_detail(request, pk):
    representation = _get_representation(request, pk)
    organisation = representation.organisation
    is_owner = representation.role == RepresentativeRole.OWNER
    ctx = {
        "organisation": organisation,
        "is_owner": is_owner,
        "directions": organisation.directions.all(),
        "representatives": organisation.representatives.select_related("user").order_by("role", "user__email"),
        "applications": organisation.applications.select_related("association").order_by("-created_at"),
        "join_requests": organisation.join_requests.filter(status=JoinRequestStatus.PENDING).select_related("user")
        if is_owner
        else [],
        "invitations": organisation.invitations.filter(accepted_at=None) if is_owner else [],
        "invite_form": InvitationForm(organisation=organisation) if is_owner else None,
    }
    return render(request, "members/cabinet/organisation_detail.html", ctx)


@login_required
def organisation_edit(request, pk):
    organisation = _get_representation(request, pk).organisation
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():  # the profile row and its directions, all or nothing
            form.save()
        messages.success(request, _("The organisation profile is saved."))
        return redirect("members:organisation-detail", pk=organisation.pk)
    return render(request, "members/cabinet/organisation_form.html", {"form": form, "organisation": organisation})


@login_required
def organisation_invite(request, pk):
    organisation = _get_owned_organisation(request, pk)
    form = InvitationForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        services.invitation_send(organisation=organisation, email=form.cleaned_data["email"], invited_by=request.user)
        messages.success(request, _("The invitation is sent to %(email)s.") % {"email": form.cleaned_data["email"]})
        return redirect("members:organisation-detail", pk=organisation.pk)
    return render(request, "members/cabinet/invite.html", {"form": form, "organisation": organisation})


@login_required
@require_POST
def join_request_create(request):
    form = JoinRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("members:organisation-create")
    join_request = services.join_request_create(
        user=request.user, organisation=form.organisation, message=form.cleaned_data["message"]
    )
    if join_request is None:
        messages.info(request, _("You already represent this organisation."))
    else:
        messages.success(request, _("Your request is sent to the organisation's owner; you will be notified."))
    return redirect("members:cabinet")


@login_required
@require_POST
def join_request_decide(request, pk, decision):
    if decision not in ("accept", "decline"):
        raise Http404
    owned = Representative.objects.filter(user=request.user, role=RepresentativeRole.OWNER).values("organisation_id")
    join_request = get_object_or_404(
        JoinRequest.objects.select_related("organisation", "user").filter(organisation_id__in=owned), pk=pk
    )
    if services.join_request_decide(join_request=join_request, user=request.user, accept=decision == "accept"):
        messages.success(
            request, _("The request is accepted.") if decision == "accept" else _("The request is declined.")
        )
    else:
        messages.warning(request, _("This request was already decided."))
    return redirect("members:organisation-detail", pk=join_request.organisation_id)


@login_required
def invitation_accept(request, token):
    invitation = services.invitation_from_token(token)
    if invitation is None:
        return render(request, "members/cabinet/invitation.html", {"invalid": True}, status=404)
    if request.method == "POST":
        try:
            accepted = services.invitation_accept(invitation=invitation, user=request.user)
        except services.InvitationForSomeoneElse:
            messages.error(request, _("This invitation was sent to another e-mail address; sign in with that address."))
            return redirect("members:cabinet")
        if accepted:
            messages.success(request, _("You now represent %(name)s.") % {"name": invitation.organisation.short_name})
        return redirect("members:organisation-detail", pk=invitation.organisation_id)
    return render(request, "members/cabinet/invitation.html", {"invitation": invitation})


# Applications


@login_required
def application_create(request):
    """Apply to one or more associations; without an organisation yet, describe it on the same page.

    The profile, the applications and their documents are written in one transaction.
    A form token sent twice (double click, back button) leads to what the first sending made.
    """
    new_organisation = not Organisation.objects.of_user(request.user).exists()
    org_form = OrganisationForm(request.POST or None) if new_organisation else None
    form = ApplicationForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        initial=_initial(request),
        new_organisation=new_organisation,
        prefix="application" if new_organisation else None,
    )
    used = request.session.get(USED_TOKENS_KEY, {})
    if request.method == "POST" and request.POST.get(form.add_prefix("form_token")) in used:
        messages.info(request, _("This form was already sent; here are the applications it created."))
        return redirect("members:cabinet")
    forms_valid = [f.is_valid() for f in (form, org_form) if f is not None]
    if request.method == "POST" and all(forms_valid):
        try:
            created = _create_applications(request, form, org_form)
        except services.DuplicateApplication as exc:
            messages.info(request, _("Your organisation already has an open application to this association."))
            return redirect(exc.existing)
        used[form.cleaned_data["form_token"]] = [a.pk for a in created]
        request.session[USED_TOKENS_KEY] = dict(list(used.items())[-20:])
        messages.success(request, _submitted_message(form.action, len(created)))
        return redirect(created[0] if len(created) == 1 else reverse("members:cabinet"))
    join_form = None
    if org_form is not None and org_form.existing_organisation is not None:
        join_form = JoinRequestForm(initial={"inn": org_form.existing_organisation.inn})
    ctx = {
        "form": form,
        "org_form": org_form,
        "join_form": join_form,
        "existing": org_form and org_form.existing_organisation,
    }
    return render(request, "members/cabinet/application_form.html", ctx)


def _create_applications(request, form, org_form):
    data = form.cleaned_data
    application = {
        "associations": data["associations"],
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
        organisation=org_form.save(commit=False),
        organisation_directions=org_form.cleaned_data["directions"],
        **application,
    )


def _initial(request) -> dict:
    initial = {"form_token": uuid.uuid4().hex}
    slug = request.GET.get("association")
    if slug:
        initial["associations"] = list(Association.objects.filter(slug=slug).values_list("pk", flat=True))
    return initial


def _submitted_message(action: str, count: int) -> str:
    if action == ApplicationForm.SUBMIT:
        return _("Applications submitted: %(count)s. The coordinators will review them.") % {"count": count}
    return _("Drafts saved: %(count)s. Submit them when they are complete.") % {"count": count}


def _detail_context(application, *, response_form=None) -> dict:
    if response_form is None and application.status == ApplicationStatus.INFO_REQUESTED:
        response_form = ApplicationResponseForm(application=application)
    reapply_from = services.reapply_available_from(application)
    return {
        "application": application,
        "events": application.events.select_related("actor"),
        "documents": application.documents.all(),
        "directions": application.directions.all(),
        "can_edit": application.status in EDITABLE,
        "can_submit": application.status == ApplicationStatus.DRAFT,
        "can_withdraw": application.can_change_to(ApplicationStatus.WITHDRAWN),
        "reapply_from": reapply_from,
        "can_reapply": reapply_from is not None and reapply_from <= timezone.now(),
        "withdraw_form": WithdrawForm(),
        "response_form": response_form,
    }


@login_required
def application_detail(request, pk):
    application = _get_own_application(request, pk)
    return render(request, "members/cabinet/application_detail.html", _detail_context(application))


@login_required
def application_edit(request, pk):
    application = _get_own_application(request, pk)
    if application.status not in EDITABLE:
        messages.error(request, _("This application can no longer be changed."))
        return redirect(application)
    form = ApplicationEditForm(request.POST or None, request.FILES or None, instance=application)
    if request.method == "POST" and form.is_valid():
        try:
            services.application_update(application=application, user=request.user, form=form)
        except TransitionError:
            messages.error(request, _("This application can no longer be changed."))
        else:
            messages.success(request, _("The application is saved."))
        return redirect(application)
    ctx = {"form": form, "application": application, "can_delete": application.status == ApplicationStatus.DRAFT}
    return render(request, "members/cabinet/application_edit.html", ctx)


@login_required
@require_POST
def application_submit(request, pk):
    application = _get_own_application(request, pk)
    try:
        services.application_submit(application=application, user=request.user)
    except services.ApplicationIncomplete:
        messages.error(request, _("Fill in the motivation and the competences offered before submitting."))
        return redirect("members:application-edit", pk=application.pk)
    except TransitionError:
        messages.warning(request, _("The application is no longer a draft; nothing was changed."))
    else:
        messages.success(request, _("The application is submitted. The coordinators will review it."))
    return redirect(application)


@login_required
@require_POST
def application_withdraw(request, pk):
    application = _get_own_application(request, pk)
    form = WithdrawForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        services.application_withdraw(application=application, user=request.user, comment=comment)
    except TransitionError:
        messages.error(request, _("The application can no longer be withdrawn: a decision was taken."))
    else:
        messages.success(request, _("The application is withdrawn."))
    return redirect(application)


@login_required
@require_POST
def application_respond(request, pk):
    application = _get_own_application(request, pk)
    form = ApplicationResponseForm(request.POST, request.FILES, application=application)
    if form.is_valid():
        try:
            services.application_answer_information_request(
                application=application,
                user=request.user,
                comment=form.cleaned_data["comment"],
                files=form.cleaned_data["documents"],
            )
        except services.ApplicationIncomplete:
            messages.error(request, _("Fill in the motivation and the competences offered before submitting."))
            return redirect("members:application-edit", pk=application.pk)
        except TransitionError:
            messages.warning(request, _("No information is requested on this application now."))
        else:
            messages.success(request, _("Your answer is sent and the application is submitted again."))
        return redirect(application)
    ctx = _detail_context(application, response_form=form)
    return render(request, "members/cabinet/application_detail.html", ctx, status=400)


# Documents


@login_required
def document_download(request, pk):
    document = _get_viewable_document(request, pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=document.original_name, content_type=document.content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def document_delete(request, pk):
    document = get_object_or_404(
        ApplicationDocument.objects.select_related("application").filter(
            application__in=MembershipApplication.objects.of_user(request.user).values("pk")
        ),
        pk=pk,
    )
    application = document.application
    with transaction.atomic():
        # Lock the application and check it is still a draft: a colleague may be submitting it now.
        draft = MembershipApplication.objects.select_for_update().filter(
            pk=application.pk, status=ApplicationStatus.DRAFT
        )
        removed = draft.first() is not None
        if removed:
            document.delete()
            # The file goes only once the row is gone for good.
            transaction.on_commit(lambda: document.file.delete(save=False))
    if not removed:
        messages.error(request, _("Documents can be removed from drafts only."))
    else:
        messages.success(request, _("The document %(name)s is removed.") % {"name": document.original_name})
    return redirect("members:application-edit", pk=application.pk)
