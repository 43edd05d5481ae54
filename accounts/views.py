from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def privacy_policy(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/privacy.html", {"policy_version": settings.PRIVACY_POLICY_VERSION})
