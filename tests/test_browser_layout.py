"""The main pages fit the screen and load cleanly: on a 1366 × 768 laptop and a 390 × 844 phone,
in Russian and in English, nothing reaches past the viewport's right edge (cut off, or needing
a sideways swipe), and the browser reports no console error and no failed request. On the phone
the collapsed menu button carries the unread count, and the review queue's filters fold behind
one «Фильтры» button."""

import re

import pytest
from django.utils import translation
from django.utils.translation import ngettext
from playwright.sync_api import expect

from accounts.models import User
from applications.models import MembershipApplication
from notifications.models import Notification
from tests.browser import use

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
APPLICANT = "applicant@example.ru"
MEMBER = "member@example.ru"
COORDINATOR = "coordinator-3d@cluster.local"

# Elements whose right edge passes the viewport's, whether the page scrolls sideways or a
# container cuts them off; the first few are named for the failure message.
OVERFLOW = """() => {
  const width = window.innerWidth;
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + [...el.classList].slice(0, 3).map((c) => '.' + c).join('');
  const offenders = [...document.querySelectorAll('body *')]
    .filter((el) => { const box = el.getBoundingClientRect(); return box.width > 0 && box.right > width + 1; })
    .map((el) => `${name(el)} (right edge ${Math.round(el.getBoundingClientRect().right)})`);
  return {scrollWidth: document.documentElement.scrollWidth, width, offenders: offenders.slice(0, 8)};
}"""

# Whether a control's text fits inside it: the placeholder of a text box, every option of a select.
TEXT_FITS = """(el) => {
  const style = getComputedStyle(el);
  const context = document.createElement('canvas').getContext('2d');
  context.font = style.font;
  const room = el.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  const texts = el.tagName === 'SELECT' ? [...el.options].map((o) => o.text) : [el.placeholder];
  return texts.filter((text) => context.measureText(text).width > room);
}"""


def main_pages() -> dict:
    """The main pages by who sees them (None: a visitor)."""
    coordinator = User.objects.get(email=COORDINATOR)
    info_requested = MembershipApplication.objects.filter(
        organisation__representatives__user__email=APPLICANT, status="info_requested"
    ).get()
    return {
        None: [
            "/",
            "/associations/",
            "/associations/3d-printing-industrial-design/",
            "/projects/",
            "/projects/?view=board",
            "/projects/pellet-printer/",
            "/apply/",
            "/accounts/login/",
            "/accounts/signup/",
            "/privacy/",
        ],
        APPLICANT: ["/cabinet/", f"/cabinet/applications/{info_requested.pk}/", "/cabinet/notifications/"],
        MEMBER: ["/members/"],
        COORDINATOR: [
            "/review/",
            f"/review/applications/{MembershipApplication.objects.reviewable_by(coordinator).first().pk}/",
        ],
    }


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366px", "390px"])
def test_the_main_pages_fit_the_screen_and_load_without_errors(page, live_server, demo, viewport):
    page.set_viewport_size(viewport)
    problems = []
    page.on("console", lambda message: problems.append(f"console: {message.text}") if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(f"script: {error}"))
    page.on(
        "response",
        lambda response: problems.append(f"{response.status} {response.url}") if response.status >= 400 else None,
    )
    found = {}
    for language in ["ru", "en"]:
        for who, paths in main_pages().items():
            use(page, live_server, who, language)
            for path in paths:
                problems.clear()
                page.goto(path)  # waits for the load event: styles, scripts, images and fonts are in
                layout = page.evaluate(OVERFLOW)
                if layout["scrollWidth"] > layout["width"] or layout["offenders"] or problems:
                    found[f"{language} {path}"] = {**layout, "errors": list(problems)}
    assert found == {}


def test_the_phone_menu_button_shows_the_unread_count(page, live_server, demo):
    coordinator = User.objects.get(email=COORDINATOR)
    unread = Notification.objects.for_user(coordinator).unread().count()
    assert unread > 0  # the demo leaves the coordinator something to read
    with translation.override("ru"):
        phrase = ngettext("unread notification", "unread notifications", unread)
    page.set_viewport_size(PHONE)
    use(page, live_server, COORDINATOR, "ru")
    page.goto("/review/")

    toggle = page.locator("#main-nav-toggle")
    expect(page.locator("#main-nav")).to_be_hidden()
    expect(toggle.locator(".toggler-unread")).to_be_visible()
    expect(toggle.locator(".toggler-unread")).to_contain_text(str(unread))
    expect(toggle).to_have_accessible_name(re.compile(rf"\b{unread} {phrase}$"))

    page.set_viewport_size(DESKTOP)
    expect(toggle).to_be_hidden()
    expect(page.locator("#unread-count")).to_be_visible()


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_review_filters_fold_on_a_phone_and_fit_on_a_laptop(page, live_server, demo, language):
    page.set_viewport_size(PHONE)
    use(page, live_server, COORDINATOR, language)
    page.goto("/review/")

    button = page.locator("#review-filters-toggle")
    filters = page.locator("#review-filters")
    expect(button).to_have_text("Фильтры" if language == "ru" else "Filters")
    expect(button).to_have_attribute("aria-controls", "review-filters")
    expect(button).to_have_attribute("aria-expanded", "false")
    expect(filters).to_be_hidden()
    button.focus()
    page.keyboard.press("Enter")
    expect(filters).to_be_visible()
    expect(button).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#id_q")).to_be_visible()

    page.set_viewport_size(DESKTOP)
    page.reload()
    expect(button).to_be_hidden()
    expect(filters).to_be_visible()
    for field in ["#id_q", "#id_status"]:
        assert page.locator(field).evaluate(TEXT_FITS) == [], f"{field}: text cut off"
