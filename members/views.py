"""The user's organisations in the cabinet: registering one, its profile, colleagues and invitations.

Every organisation is loaded through the user's own representations: another user's answers
404; a colleague who may see but not manage (invite, decide on join requests) gets 403.
The organisation's cabinet page itself composes applications and suggestions: `pages.views`.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import permissions
from core.transitions import Refused

from . import services
from .forms import InvitationForm, JoinRequestForm, OrganisationForm
from .models import JoinRequest, Organisation, Representative


def get_represented_organisation(request: HttpRequest, pk: int) -> Organisation:
    """An organisation the user acts for; 404 for anyone else."""
    representation = get_object_or_404(
        Representative.objects.select_related("organisation__region"), organisation_id=pk, user=request.user
    )
    return representation.organisation


def _get_owned_organisation(request: HttpRequest, pk: int) -> Organisation:
    organisation = get_represented_organisation(request, pk)
    if not permissions.owns(request.user, organisation.pk):
        raise PermissionDenied
    return organisation


def next_url(request: HttpRequest) -> str:
    """The `next` page to return to, when it is on this site."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return ""


def join_form_for(form: OrganisationForm) -> JoinRequestForm | None:
    """When the ИНН is registered already, the form that asks its owner to let the user join."""
    if form.existing_organisation is None:
        return None
    return JoinRequestForm(initial={"inn": form.existing_organisation.inn})


@login_required
def organisation_create(request: HttpRequest) -> HttpResponse:
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = services.organisation_create(
            user=request.user, directions=form.cleaned_data["directions"], **form.profile()
        )
        messages.success(request, _("The organisation profile is saved. You can now apply to associations."))
        return redirect(next_url(request) or reverse("pages:organisation-detail", args=[organisation.pk]))
    ctx = {
        "form": form,
        "join_form": join_form_for(form),
        "existing": form.existing_organisation,
        "next": next_url(request),
    }
    return render(request, "members/organisation_form.html", ctx)


@login_required
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_represented_organisation(request, pk)
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        services.organisation_update(
            organisation=organisation, user=request.user, directions=form.cleaned_data["directions"], **form.profile()
        )
        messages.success(request, _("The organisation profile is saved."))
        return redirect("pages:organisation-detail", pk=organisation.pk)
    return render(request, "members/organisation_form.html", {"form": form, "organisation": organisation})


@login_required
def organisation_invite(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _get_owned_organisation(request, pk)
    form = InvitationForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        services.invitation_send(organisation=organisation, email=form.cleaned_data["email"], invited_by=request.user)
        messages.success(request, _("The invitation is sent to %(email)s.") % {"email": form.cleaned_data["email"]})
        return redirect("pages:organisation-detail", pk=organisation.pk)
    return render(request, "members/invite.html", {"form": form, "organisation": organisation})


@login_required
@require_POST
def join_request_create(request: HttpRequest) -> HttpResponse:
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
    return redirect("pages:cabinet")


@login_required
@require_POST
def join_request_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    if decision not in ("accept", "decline"):
        raise Http404
    owned = permissions.owned_organisation_ids(request.user)
    join_request = get_object_or_404(
        JoinRequest.objects.select_related("organisation", "user").filter(organisation_id__in=owned), pk=pk
    )
    try:
        services.join_request_decide(join_request=join_request, user=request.user, accept=decision == "accept")
    except Refused:
        messages.warning(request, _("This request was already decided."))
    else:
        messages.success(
            request, _("The request is accepted.") if decision == "accept" else _("The request is declined.")
        )
    return redirect("pages:organisation-detail", pk=join_request.organisation_id)


@login_required
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_from_token(token)
    if invitation is None:
        return render(request, "members/invitation.html", {"invalid": True}, status=404)
    if request.method == "POST":
        try:
            services.invitation_accept(invitation=invitation, user=request.user)
        except services.InvitationForSomeoneElse:
            messages.error(request, _("This invitation was sent to another e-mail address; sign in with that address."))
            return redirect("pages:cabinet")
        except Refused:
            pass  # used meanwhile (a double click): the organisation's page says the rest
        else:
            messages.success(request, _("You now represent %(name)s.") % {"name": invitation.organisation.short_name})
        return redirect("pages:organisation-detail", pk=invitation.organisation_id)
    return render(request, "members/invitation.html", {"invitation": invitation})
