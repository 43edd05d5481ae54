"""The user's personal access tokens in the cabinet (/cabinet/tokens/): create, list, revoke.

A new token's secret is shown once, on the page that answers its creation, and never again.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .forms import AccessTokenForm
from .models import AccessToken
from .services import token_create, token_revoke


@never_cache
@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    form = AccessTokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        token, secret = token_create(user=request.user, **form.cleaned_data)
        created = {"token": token, "secret": secret}
        form = AccessTokenForm()
    tokens = AccessToken.objects.of_user(request.user)
    return render(request, "api/tokens.html", {"form": form, "tokens": tokens, "created": created})


@login_required
@require_POST
def token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(AccessToken.objects.of_user(request.user), pk=pk)
    if token_revoke(token=token, by=request.user):
        messages.success(request, _("The token «%(name)s» is revoked.") % {"name": token.name})
    return redirect("api-tokens:list")
