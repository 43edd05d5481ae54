"""axe-core (vendored in tests/vendor, MPL-2.0) finds no WCAG 2 A/AA or best-practice
violations on the main pages, for a visitor, an applicant and a coordinator, in both
languages."""

from pathlib import Path

import pytest

from accounts.models import User
from applications.models import MembershipApplication
from tests.browser import use

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text()
RUN_AXE = """async () => {
  const result = await axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'best-practice']});
  return result.violations.map(v => `${v.id} (${v.impact}): ${v.nodes.map(n => n.target.join(' ')).slice(0, 3).join(', ')}`);
}"""


def violations(page, path):
    page.goto(path)
    # Evaluated through the DevTools protocol, which the page's strict CSP does not govern
    # (a <script> tag would be refused, as it should be).
    page.evaluate(AXE)
    return page.evaluate(RUN_AXE)


@pytest.mark.parametrize("language", ["ru", "en"])
def test_the_main_pages_have_no_accessibility_violations(page, live_server, demo, language):
    use(page, live_server, None, language)
    found = {}
    public = [
        "/",
        "/associations/",
        "/associations/3d-printing-industrial-design/",
        "/projects/",
        "/projects/?view=board",
        "/projects/?q=принтер&stage=development",
        "/projects/pellet-printer/",
        "/apply/",
        "/privacy/",
        "/accounts/login/",
        "/accounts/signup/",
    ]
    for path in public:
        found[path] = violations(page, path)

    use(page, live_server, "applicant@example.ru", language)
    application = MembershipApplication.objects.filter(
        organisation__representatives__user__email="applicant@example.ru", status="info_requested"
    ).get()
    for path in [
        "/cabinet/",
        "/cabinet/notifications/",
        "/cabinet/applications/new/",
        f"/cabinet/applications/{application.pk}/",
        f"/cabinet/organisations/{application.organisation_id}/edit/",
        "/members/",
        "/members/?q=Техно",
        "/cabinet/privacy/",
        "/cabinet/privacy/consent/",
        "/cabinet/privacy/delete/",
    ]:
        found[path] = violations(page, path)

    use(page, live_server, "coordinator-3d@cluster.local", language)
    reviewable = MembershipApplication.objects.reviewable_by(User.objects.get(email="coordinator-3d@cluster.local"))
    for path in ["/review/", f"/review/applications/{reviewable.first().pk}/", "/projects/new/"]:
        found[path] = violations(page, path)

    assert {path: v for path, v in found.items() if v} == {}
