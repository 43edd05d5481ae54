"""Headless Chromium: the home page, the language switcher and an association page."""

import pytest

from .factories import AssociationFactory, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_switches_language_and_opens_an_association(page):
    association = AssociationFactory(
        name="Фотоника",
        name_en="Photonics",
        slug="photonics",
        summary="Свет вместо электронов",
        summary_en="Light instead of electrons",
        is_featured=True,
    )
    MembershipFactory(association=association, organisation__short_name='ООО "Фотон Лаб"')

    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.get_by_role("heading", level=1).is_visible()

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("button", name="English").get_attribute("aria-pressed") == "true"

    page.get_by_role("link", name="Associations").first.click()
    page.get_by_role("link", name="Photonics").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Photonics"
    assert "Light instead of electrons" in page.content()
    assert 'ООО "Фотон Лаб"' in page.content()

    # Back to Russian: the choice sticks across pages.
    page.get_by_role("button", name="Русский").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "ru"
    assert page.get_by_role("heading", level=1).inner_text() == "Фотоника"
