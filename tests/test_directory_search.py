"""The member directory: who may use it, search by name (typos) and identifiers, filters, privacy.

The shared world, extended (`directory`) with what searching needs: dave's «Гранула», the member of
«3D-печать», makes 3D printers; «Фотон» in St Petersburg is a member of «Фотоника»; a namesake
«Гранула Плюс» is no member and «Гранула Бывшая» has left. alice's «Аддитив» has only applied.
"""

from dataclasses import dataclass

import pytest

from associations.models import MembershipStatus

from .factories import (
    AssociationFactory,
    MembershipFactory,
    OrganisationFactory,
    direction,
    region,
)

pytestmark = pytest.mark.django_db


@dataclass
class Directory:
    granula: object  # world.member_org, a member of «3D-печать»; dave owns it
    foton: object  # a member of «Фотоника»
    applicant: object  # world.applicant_org, no membership yet
    namesake: object  # no membership
    former: object  # its membership ended


@pytest.fixture
def directory(world):
    granula = world.member_org
    granula.description = "Производство 3D-принтеров"
    granula.size = "small"
    granula.save()
    granula.directions.add(direction("additive-manufacturing"))
    foton = OrganisationFactory(short_name="АО «Фотон»", region=region("78"), size="large", phone="+7 900 000-00-00")
    MembershipFactory(organisation=foton, association=world.photonics)
    namesake = OrganisationFactory(short_name="ООО «Гранула Плюс»")  # no membership: never listed
    former = OrganisationFactory(short_name="ООО «Гранула Бывшая»")
    MembershipFactory(organisation=former, association=world.additive, status=MembershipStatus.ENDED)
    return Directory(granula=granula, foton=foton, applicant=world.applicant_org, namesake=namesake, former=former)


def _names(response):
    return [o.short_name for o in response.context["page"]]


def test_it_sends_anonymous_visitors_to_sign_in(client):
    response = client.get("/members/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ["alice", "charlie"])  # acts for an applicant; acts for nobody
def test_it_refuses_signed_in_non_members(client, world, directory, who):
    client.force_login(world[who])
    assert client.get("/members/").status_code == 403
    assert client.get(f"/members/{directory.foton.pk}/").status_code == 403


def test_it_lists_only_approved_members(client, world, directory):
    client.force_login(world.dave)
    assert _names(client.get("/members/")) == ["ООО «Гранула»", "АО «Фотон»"]  # by name: Г before Ф
    client.force_login(world.staff)
    assert _names(client.get("/members/", {"q": "Гранула"})) == ["ООО «Гранула»"]


@pytest.mark.postgres
def test_it_forgives_a_typo_in_a_company_name(client, world, directory):
    client.force_login(world.dave)
    response = client.get("/members/", {"q": "Гронула"})
    assert _names(response) == ["ООО «Гранула»"]
    assert response.context["page"].extra["fuzzy"] is True


@pytest.mark.postgres
def test_it_finds_word_forms_in_competences(client, world, directory):
    client.force_login(world.dave)
    assert _names(client.get("/members/", {"q": "принтер"})) == ["ООО «Гранула»"]


def test_it_finds_an_exact_inn_and_ogrn(client, world, directory):
    client.force_login(world.dave)
    foton = directory.foton
    assert _names(client.get("/members/", {"q": foton.inn})) == ["АО «Фотон»"]
    assert _names(client.get("/members/", {"q": foton.ogrn})) == ["АО «Фотон»"]
    assert _names(client.get("/members/", {"q": directory.applicant.inn})) == []
    assert _names(client.get("/members/", {"q": directory.namesake.inn})) == []


def test_it_combines_filters(client, world, directory):
    client.force_login(world.dave)
    assert _names(client.get("/members/", {"region": "78"})) == ["АО «Фотон»"]
    assert _names(client.get("/members/", {"association": "additive"})) == ["ООО «Гранула»"]
    assert _names(client.get("/members/", {"direction": "additive-manufacturing"})) == ["ООО «Гранула»"]
    assert _names(client.get("/members/", {"size": "large", "region": "78"})) == ["АО «Фотон»"]
    assert _names(client.get("/members/", {"size": "large", "association": "additive"})) == []


def test_it_pages_with_the_filters_kept(client, world, directory):
    association = AssociationFactory(slug="many")
    for n in range(25):
        MembershipFactory(association=association, organisation__short_name=f"ООО «Компания {n:02d}»")
    client.force_login(world.dave)
    first = client.get("/members/", {"association": "many"})
    assert len(first.context["page"]) == 20 and "association=many" in first.context["page"].next_query
    second = client.get("/members/?" + first.context["page"].next_query)
    assert _names(second) == [f"ООО «Компания {n:02d}»" for n in range(20, 25)]


def test_it_shows_contacts_by_the_organisations_choice(client, world, directory):
    foton = directory.foton
    foton.show_email, foton.show_phone = False, False
    foton.save()
    client.force_login(world.dave)  # a member, not one of «Фотон»'s people
    page = client.get(foton.get_absolute_url()).content.decode()
    assert foton.email not in page and foton.phone not in page
    foton.show_email, foton.show_phone = True, True
    foton.save()
    page = client.get(foton.get_absolute_url()).content.decode()
    assert foton.email in page and foton.phone in page


def test_it_shows_an_organisation_page_with_associations_and_projects(client, world, directory):
    from .factories import ParticipantFactory

    participation = ParticipantFactory(organisation=directory.foton, project__visibility="public")
    hidden = ParticipantFactory(organisation=directory.foton, project__visibility="staff")
    client.force_login(world.dave)
    response = client.get(directory.foton.get_absolute_url())
    assert response.status_code == 200
    assert [m.association.slug for m in response.context["memberships"]] == ["photonics"]
    assert list(response.context["projects"]) == [participation.project]
    assert hidden.project not in response.context["projects"]


def test_it_hides_organisations_that_are_not_members(client, world, directory):
    client.force_login(world.dave)
    for organisation in (directory.applicant, directory.namesake, directory.former):
        assert client.get(f"/members/{organisation.pk}/").status_code == 404


def test_it_shows_suggestions_to_the_organisations_own_people(client, world, directory):
    from .factories import ProjectFactory

    project = ProjectFactory(title="Печать гранулами", visibility="public")
    project.directions.add(direction("additive-manufacturing"))
    match = AssociationFactory(slug="design")
    match.directions.add(direction("additive-manufacturing"), direction("industrial-design"))
    client.force_login(world.dave)
    response = client.get(directory.granula.get_absolute_url())
    suggestions = response.context["suggestions"]
    assert [s.item for s in suggestions["projects"]] == [project]
    assert [s.item.slug for s in suggestions["associations"]] == ["design"]
    assert suggestions["associations"][0].reason == direction("additive-manufacturing").title
    client.force_login(world.bob)  # «Гранула»'s association's coordinator, not one of its people
    assert client.get(directory.granula.get_absolute_url()).context["suggestions"] is None


def test_it_shows_suggestions_on_the_cabinet_page_of_the_organisation(client, world, directory):
    from .factories import ProjectFactory

    project = ProjectFactory(title="Печать гранулами", visibility="public")
    project.directions.add(direction("additive-manufacturing"))
    secret = ProjectFactory(title="Секретный принтер", visibility="staff")
    secret.directions.add(direction("additive-manufacturing"))
    client.force_login(world.dave)
    page = client.get(f"/cabinet/organisations/{directory.granula.pk}/").content.decode()
    assert 'id="suggestions"' in page and project.get_absolute_url() in page
    assert secret.get_absolute_url() not in page


def test_suggestions_are_kept_and_follow_a_change_at_once(client, world, directory):
    from .factories import ParticipantFactory, ProjectFactory

    project = ProjectFactory(title="Печать гранулами", visibility="public")
    project.directions.add(direction("additive-manufacturing"))
    client.force_login(world.dave)
    url = directory.granula.get_absolute_url()
    assert [s.item for s in client.get(url).context["suggestions"]["projects"]] == [project]

    second = ProjectFactory(title="Второй принтер", visibility="public")
    second.directions.add(direction("additive-manufacturing"))  # a new project: shown at once
    assert set(s.item for s in client.get(url).context["suggestions"]["projects"]) == {project, second}

    ParticipantFactory(project=project, organisation=directory.granula)  # joined: no longer suggested
    assert [s.item for s in client.get(url).context["suggestions"]["projects"]] == [second]

    second.visibility = "staff"
    second.save()  # now hidden from a member: never suggested from the cache
    assert client.get(url).context["suggestions"]["projects"] == []
