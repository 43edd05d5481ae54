"""Headless Chromium: staff filter projects and open one; a member finds a company despite a typo."""

import pytest

from .browser import use
from .factories import (
    AssociationFactory,
    MembershipFactory,
    OrganisationFactory,
    ParticipantFactory,
    ProjectFactory,
    RepresentativeFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_filter_projects_by_association_and_stage_and_see_participants(page, live_server):
    additive = AssociationFactory(name="3D-печать и промышленный дизайн", name_en="3D printing", slug="additive")
    photonics = AssociationFactory(name="Фотоника", name_en="Photonics", slug="photonics")
    pellet = ProjectFactory(
        association=additive,
        slug="pellet",
        title="Гранульный принтер",
        title_en="Pellet printer",
        stage="development",
        visibility="staff",
    )
    ProjectFactory(association=additive, title="Сканер", stage="idea")
    ProjectFactory(association=photonics, title="Фотонная схема", stage="development")
    ParticipantFactory(
        project=pellet, organisation=OrganisationFactory(short_name="Московский Политех"), role="research"
    )
    ParticipantFactory(
        project=pellet, organisation=OrganisationFactory(short_name="АО «Зеленоград»"), role="infrastructure"
    )
    staff = UserFactory(is_cluster_staff=True)

    use(page, live_server, staff, "en")
    page.goto("/projects/")
    page.get_by_label("Association").select_option("additive")
    page.get_by_label("Stage").select_option("development")
    page.locator("#project-filters button[type=submit]").click()
    page.wait_for_load_state()
    assert "association=additive" in page.url and "stage=development" in page.url
    results = page.locator("#project-results h3")
    assert results.all_inner_texts() == ["Pellet printer"]

    results.get_by_role("link", name="Pellet printer").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Pellet printer"
    participants = page.locator("#participants tbody").inner_text()
    assert "Московский Политех" in participants and "АО «Зеленоград»" in participants


@pytest.mark.postgres
def test_a_member_finds_a_company_despite_a_typo(page, live_server):
    association = AssociationFactory(slug="additive")
    MembershipFactory(association=association, organisation__short_name="ООО «Ромашка»")
    MembershipFactory(association=association, organisation__short_name="АО «Вектор»")
    own = OrganisationFactory(short_name="ООО «Своя»")
    MembershipFactory(association=association, organisation=own)
    member = RepresentativeFactory(organisation=own).user

    use(page, live_server, member, "en")
    page.goto("/")
    page.get_by_role("link", name="Members", exact=True).click()
    page.wait_for_load_state()
    page.get_by_label("Name, INN or OGRN").fill("Ромошка")
    page.get_by_label("Name, INN or OGRN").press("Enter")
    page.wait_for_load_state()
    assert page.locator("#directory-results h2").all_inner_texts() == ["ООО «Ромашка»"]
    page.get_by_role("link", name="ООО «Ромашка»").click()
    assert page.get_by_role("heading", level=1).inner_text() == "ООО «Ромашка»"
