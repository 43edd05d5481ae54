"""The person's own data at /cabinet/privacy/: a copy, consent, deletion."""

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .forms import AccountDeleteForm, ConsentWithdrawForm
from .middleware import SESSION_KEY
from .services import (
    DeletionBlocked,
    account_delete,
    consent_give,
    consent_history,
    consent_withdraw,
    consent_withdrawn,
    export_chunks,
    may_delete,
    personal_data_export,
)


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "privacy/overview.html",
        {"withdrawal": consent_withdrawn(user), "history": consent_history(user), "blocked": may_delete(user)},
    )


@login_required
@require_POST
def export(request: HttpRequest) -> StreamingHttpResponse:
    """Everything the portal holds about the person, as a JSON attachment."""
    data = personal_data_export(request.user)
    response = StreamingHttpResponse(export_chunks(data), content_type="application/json; charset=utf-8")
    name = f"personal-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def consent(request: HttpRequest) -> HttpResponse:
    """Withdraw consent (a form), or give it again after a withdrawal."""
    user = request.user
    withdrawal = consent_withdrawn(user)
    form = ConsentWithdrawForm(request.POST if request.method == "POST" and not withdrawal else None)
    if request.method == "POST" and withdrawal:
        consent_give(user=user)
        request.session.pop(SESSION_KEY, None)
        messages.success(request, _("Thank you: your consent is recorded and the portal is open to you again."))
        return redirect("privacy:overview")
    if form.is_valid():
        consent_withdraw(user=user, keep_session=request.session.session_key or "")
        request.session[SESSION_KEY] = True
        messages.info(request, _("Your withdrawal of consent is recorded."))
        return redirect("privacy:consent")
    return render(request, "privacy/consent.html", {"form": form, "withdrawal": withdrawal})


@login_required
def delete(request: HttpRequest) -> HttpResponse:
    """Delete the account after the password is entered once more."""
    user = request.user
    form = AccountDeleteForm(request.POST or None, user=user)
    blocked = may_delete(user)
    if request.method == "POST" and not blocked and form.is_valid():
        try:
            account_delete(user=user)
        except DeletionBlocked as refusal:  # the other administrator left meanwhile
            blocked = refusal.reason
        else:
            logout(request)
            return redirect("privacy:deleted")
    return render(request, "privacy/delete.html", {"form": form, "blocked": blocked})


def deleted(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy/deleted.html")
