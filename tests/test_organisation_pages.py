"""An organisation's pages show every saved field the viewer may see; an association page links its
members to their directory pages where the viewer may open them; member counts read the same on
the association list and on the association's page.

The shared world: dave owns «Гранула» (`member_org`), a member of «3D-печать» (`additive`); charlie
acts for nobody; staff sees everything.
"""

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from associations.models import MembershipRole, MembershipStatus
from members.models import LegalForm

from .factories import AssociationFactory, MembershipFactory, OrganisationFactory, RepresentativeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def members(world):
    """«Гранула» with every field filled in; «Лазер», a legal entity, and an ИП, both members of «3D-печать»."""
    granula = world.member_org
    granula.okved, granula.description = "28.99", "Производство 3D-принтеров"
    granula.address = "Москва, Зеленоград, корпус 2010"
    granula.save()
    laser = OrganisationFactory(
        short_name="ООО «Лазер»", okved="26.51", address="Москва, Лазерная ул., 1", description="Лазерная резка"
    )
    MembershipFactory(organisation=laser, association=world.additive)
    sole = OrganisationFactory(
        legal_form=LegalForm.SOLE_TRADER,
        short_name="ИП Орлова А. С.",
        okved="74.10",
        address="Москва, Домашняя ул., 5, кв. 7",
        description="Промышленный дизайн",
    )
    MembershipFactory(organisation=sole, association=world.additive, role=MembershipRole.PARTNER)
    owner = RepresentativeFactory(organisation=sole).user
    return {"granula": granula, "laser": laser, "sole": sole, "sole_owner": owner}


# The directory page of an organisation


def test_the_directory_page_shows_every_saved_field_to_members(client, world, members):
    laser = members["laser"]
    client.force_login(world.dave)
    page = client.get(laser.get_absolute_url()).content.decode()
    assert f'id="org-okved">{laser.okved}<' in page
    assert f'id="org-kpp">{laser.kpp}<' in page
    assert f'id="org-address">{laser.address}<' in page
    assert "Лазерная резка" in page


@pytest.mark.parametrize("who,sees", [("dave", False), ("sole_owner", True), ("staff", True)])
def test_an_entrepreneurs_home_address_is_for_its_people_and_staff_only(client, world, members, who, sees):
    sole = members["sole"]
    client.force_login(members[who] if who == "sole_owner" else world[who])
    page = client.get(sole.get_absolute_url()).content.decode()
    assert (sole.address in page) is sees
    assert f'id="org-okved">{sole.okved}<' in page and "Промышленный дизайн" in page


def test_the_cabinet_page_shows_okved_competences_and_who_sees_the_contacts(client, world, members):
    granula = members["granula"]
    granula.phone, granula.show_email, granula.show_phone = "+7 900 000-00-00", True, False
    granula.save()
    client.force_login(world.dave)
    client.cookies["django_language"] = "en"
    page = client.get(f"/cabinet/organisations/{granula.pk}/").content.decode()
    assert 'id="org-okved">28.99<' in page
    assert "Производство 3D-принтеров" in page
    assert f'{granula.email} <span class="small text-body-secondary">(shown to cluster members)' in page
    assert f'{granula.phone} <span class="small text-body-secondary">(hidden from members)' in page


# Member names on an association page


@pytest.mark.parametrize(
    "who,linked", [(None, False), ("charlie", False), ("alice", False), ("dave", True), ("staff", True)]
)
def test_member_names_link_to_their_page_where_the_viewer_may_open_it(client, world, members, who, linked):
    if who:
        client.force_login(world[who])
    page = client.get("/associations/additive/").content.decode()
    for organisation in (members["granula"], members["laser"], members["sole"]):  # participants and a partner
        assert (f'<a href="{organisation.get_absolute_url()}">{organisation.short_name}</a>' in page) is linked
        assert organisation.short_name in page
        if linked:
            assert client.get(organisation.get_absolute_url()).status_code == 200


def test_member_links_add_no_query_per_member(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world.dave)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            client.get("/associations/additive/")
        return len(ctx.captured_queries)

    client.get("/cabinet/")  # the layout's unread count is then cached (notifications/unread.py)
    few = queries()
    for _ in range(20):
        MembershipFactory(association=world.additive)
    assert queries() == few


# Counts


@pytest.fixture
def counted(world):
    """«Счёт»: three participants, a partner and a coordinating organisation; one participant has left."""
    association = AssociationFactory(slug="counted", name="Счёт", name_en="Counts")
    for _ in range(3):
        MembershipFactory(association=association)
    MembershipFactory(association=association, role=MembershipRole.PARTNER)
    MembershipFactory(association=association, role=MembershipRole.COORDINATOR)
    MembershipFactory(association=association, status=MembershipStatus.ENDED)
    return association


@pytest.mark.parametrize(
    "language,text",
    [("ru", "3 участника · 2 партнёра"), ("en", "3 participants · 2 partners")],
)
def test_the_list_and_the_page_count_members_the_same_way(client, counted, language, text):
    client.cookies["django_language"] = language
    listing = client.get("/associations/").content.decode()
    detail = client.get("/associations/counted/")
    assert f"<span data-member-counts>{text}</span>" in listing
    assert f"<span data-member-counts>{text}</span>" in detail.content.decode()
    assert len(detail.context["participants"]) == 3
    assert len(detail.context["partners"]) == len(detail.context["coordinating"]) == 1


@pytest.mark.parametrize(
    "n,participants,partners",
    [
        (1, "1 участник", "1 партнёр"),
        (2, "2 участника", "2 партнёра"),
        (5, "5 участников", "5 партнёров"),
        (11, "11 участников", "11 партнёров"),
        (21, "21 участник", "21 партнёр"),
        (22, "22 участника", "22 партнёра"),
    ],
)
def test_member_counts_take_the_russian_plural_forms(n, participants, partners):
    with translation.override("ru"):
        text = render_to_string("pages/includes/_member_counts.html", {"participants": n, "partners": n})
    assert f"<span data-member-counts>{participants} · {partners}</span>" in text
    with translation.override("ru"):
        text = render_to_string("pages/includes/_member_counts.html", {"participants": n, "partners": 0})
    assert f"<span data-member-counts>{participants}</span>" in text
