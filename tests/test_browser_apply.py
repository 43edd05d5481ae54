"""Headless Chromium: from registration to two applications, one withdrawn — in Russian and in English.

A new user registers with the personal-data consent, confirms the e-mail by the link
captured from the test mail outbox, describes an ИП with a wrong ИНН on the first
application's page, sees the message, corrects it, applies to two associations with a
PDF, withdraws one, and sees both states in the cabinet. Assertions use ids, names and data attributes, so
they hold whatever the translation catalogues say.
"""

import random
import re

import pytest
from django.core import mail

from accounts.models import User
from applications.models import MembershipApplication
from members.identifiers import make_inn, make_ogrn
from members.models import Organisation, Region

from .factories import AssociationFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
PASSWORD = "Гранулы-и-принтеры-2026"


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.ACCOUNT_RATE_LIMITS = False


def wrong_check_digit(inn: str) -> str:
    return inn[:-1] + str((int(inn[-1]) + 1) % 10)


@pytest.mark.parametrize("language", ["ru", "en"])
def test_a_new_user_registers_applies_twice_and_withdraws_one(page, live_server, language):
    moscow = Region.objects.get(code="77")
    printing = AssociationFactory(name="3D-печать и промышленный дизайн", name_en="3D printing and industrial design")
    photonics = AssociationFactory(name="Фотоника", name_en="Photonics")
    rng = random.Random(language)
    inn, ogrn = make_inn(rng, sole_trader=True), make_ogrn(rng, sole_trader=True)
    email = f"ip-{language}@example.ru"

    page.goto("/")
    if language == "en":
        page.get_by_role("button", name="English").click()
        page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == language

    # 1. /apply/ leads to registration.
    page.goto(f"/apply/?association={printing.slug}")
    page.locator("a[href^='/accounts/signup/']").click()
    page.fill("#id_email", email)
    page.fill("#id_last_name", "Иванов")
    page.fill("#id_first_name", "Иван")
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    # Without the consent the account is refused, and the page says why.
    page.locator("#signup-form button[type=submit]").click()
    assert page.locator("#form-errors").is_visible()
    assert not User.objects.filter(email=email).exists()
    page.fill("#id_password1", PASSWORD)
    page.fill("#id_password2", PASSWORD)
    page.check("#id_pd_consent")
    page.locator("#signup-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/accounts/confirm-email/$"))
    user = User.objects.get(email=email)
    assert user.pd_consent_at is not None and user.pd_policy_version

    # 2. The confirmation link from the captured e-mail.
    body = next(m.body for m in reversed(mail.outbox) if email in m.to)
    link = re.search(r"https?://\S+?(/accounts/confirm-email/\S+?/)", body).group(1)
    page.goto(link)
    page.locator("#confirm-email").click()
    page.wait_for_load_state()
    assert user.emailaddress_set.get().verified

    # 3. Without an organisation, the application page asks for the profile too (one transaction).
    page.goto(f"/cabinet/applications/new/?association={printing.slug}")
    page.check("input[name=legal_form][value=sole_trader]")
    assert page.locator("#div_id_kpp").is_hidden()  # organisation_form.js: no КПП for an ИП
    assert page.locator("#id_kind").input_value() == "sole_trader"  # …and the individual-entrepreneur kind
    page.fill("#id_inn", wrong_check_digit(inn))
    page.fill("#id_ogrn", ogrn)
    page.fill("#id_full_name", "Индивидуальный предприниматель Иванов Иван Иванович")
    page.fill("#id_short_name", "ИП Иванов")
    page.select_option("#id_region", value=str(moscow.pk))
    page.fill("#id_city", "Москва")
    page.fill("#id_email", email)
    # 4. Two associations (the first preselected from the link) and a PDF.
    assert page.locator(f"input[name=application-associations][value='{printing.pk}']").is_checked()
    page.check(f"input[name=application-associations][value='{photonics.pk}']")
    page.fill("#id_application-motivation", "Хотим печатать крупногабаритные детали")
    page.fill("#id_application-competences", "Гранульная 3D-печать, постобработка")
    statement = {"name": "выписка.pdf", "mimeType": "application/pdf", "buffer": PDF}
    page.set_input_files("#id_application-documents", files=[statement])
    page.locator("button[name=action][value=submit]").click()
    page.wait_for_load_state()

    # The wrong ИНН is refused with a message at the field; what was typed is kept; nothing is saved.
    assert page.locator("#organisation-errors").is_visible()
    assert not page.locator("#form-errors").is_visible()  # the application part was fine
    assert "is-invalid" in page.locator("#id_inn").get_attribute("class")
    assert page.locator("#id_inn").input_value() == wrong_check_digit(inn)
    assert page.locator("#id_short_name").input_value() == "ИП Иванов"
    assert page.locator("#id_application-competences").input_value() == "Гранульная 3D-печать, постобработка"
    assert page.locator(f"input[name=application-associations][value='{photonics.pk}']").is_checked()
    assert not Organisation.objects.exists()
    assert not MembershipApplication.objects.exists()
    page.fill("#id_inn", inn)
    page.set_input_files("#id_application-documents", files=[statement])  # browsers never keep files
    page.locator("button[name=action][value=submit]").click()
    page.wait_for_url(re.compile(r"/cabinet/$"))
    applications = MembershipApplication.objects.filter(organisation__inn=inn)
    assert sorted(applications.values_list("status", flat=True)) == ["submitted", "submitted"]
    assert all(a.documents.count() == 1 for a in applications)

    # 5. Withdraw the photonics one.
    withdrawn = applications.get(association=photonics)
    page.locator(f"[data-application='{withdrawn.pk}'] a").click()
    page.wait_for_url(re.compile(rf"/cabinet/applications/{withdrawn.pk}/$"))
    page.locator("form[action$='/withdraw/'] button[type=submit]").click()
    page.wait_for_url(re.compile(rf"/cabinet/applications/{withdrawn.pk}/$"))
    assert page.locator("#application-status [data-status]").get_attribute("data-status") == "withdrawn"
    assert page.locator("[data-event='withdrawn']").count() == 1

    # 6. The cabinet shows both states, in the chosen language.
    page.goto("/cabinet/")
    assert page.locator("html").get_attribute("lang") == language
    kept = applications.get(association=printing)
    assert page.locator(f"[data-application='{kept.pk}'] [data-status]").get_attribute("data-status") == "submitted"
    assert (
        page.locator(f"[data-application='{withdrawn.pk}'] [data-status]").get_attribute("data-status") == "withdrawn"
    )
    expected_title = printing.name_en if language == "en" else printing.name
    assert page.locator(f"[data-application='{kept.pk}'] a").inner_text() == expected_title
