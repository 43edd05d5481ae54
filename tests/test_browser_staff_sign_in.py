"""Headless Chromium: a coordinator signs in through the real form, is sent to set up two-factor,
reads the key off the page, enters the code an authenticator app would show (computed here), keeps
the recovery codes and reaches the review queue (accounts/security.py)."""

import re

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator

from .factories import AssociationFactory, UserFactory
from .test_security_auth import PASSWORD, totp_code

pytestmark = [pytest.mark.browser, pytest.mark.real_mfa, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_signs_in_sets_up_totp_and_reaches_the_review_queue(page, live_server):
    coordinator = UserFactory(email="coordinator@example.com")
    EmailAddress.objects.create(user=coordinator, email=coordinator.email, verified=True, primary=True)
    AssociationFactory(slug="additive").coordinators.add(coordinator)

    page.goto("/review/")
    assert "/accounts/login/" in page.url
    page.fill("#id_login", coordinator.email)
    page.fill("#id_password", PASSWORD)
    page.click("#login-form button[type=submit]")

    page.wait_for_url(re.compile(r"/accounts/2fa/totp/activate/"))
    assert page.locator("h1").inner_text() == "Подключение приложения-аутентификатора"
    assert page.locator(".alert").first.is_visible()  # why: staff need two-factor
    assert page.locator(".mfa-qr svg").count() == 1
    secret = page.locator("#totp-secret").get_attribute("data-secret")

    page.fill("#id_code", totp_code(secret))
    page.click("#mfa-activate-form button[type=submit]")
    page.wait_for_url(re.compile(r"/accounts/2fa/recovery-codes/"))
    assert page.locator("#recovery-codes li").count() == 10

    page.click("#mfa-continue")
    page.wait_for_url(re.compile(r"/review/$"))
    assert page.locator("h1").count() == 1
    assert Authenticator.objects.filter(user=coordinator, type=Authenticator.Type.TOTP).exists()
