from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from .forms import PersonNameForm
from .services import NAME_FIELDS, user_rename


def privacy_policy(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/privacy.html", {"policy_version": settings.PRIVACY_POLICY_VERSION})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """The person's own name: e-mails greet by it and colleagues see it."""
    user = request.user
    form = PersonNameForm(request.POST or None, initial={name: getattr(user, name) for name in NAME_FIELDS})
    if request.method == "POST" and form.is_valid():
        user_rename(user=user, **form.cleaned_data)
        messages.success(request, _("Your name is saved."))
        return redirect("accounts:profile")
    return render(request, "accounts/profile.html", {"form": form})
