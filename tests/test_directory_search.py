"""The member directory: who may use it, search by name (typos) and identifiers, filters, privacy."""

import pytest

from associations.models import MembershipStatus

from .factories import (
    AssociationFactory,
    MembershipFactory,
    OrganisationFactory,
    RepresentativeFactory,
    UserFactory,
    direction,
    region,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def cluster():
    additive = AssociationFactory(slug="additive")
    photonics = AssociationFactory(slug="photonics")
    romashka = OrganisationFactory(
        short_name="ООО «Ромашка»", full_name="ООО «Ромашка»", description="Производство 3D-принтеров", size="small"
    )
    romashka.directions.add(direction("additive-manufacturing"))
    MembershipFactory(organisation=romashka, association=additive)
    foton = OrganisationFactory(short_name="АО «Фотон»", region=region("78"), size="large", phone="+7 900 000-00-00")
    MembershipFactory(organisation=foton, association=photonics)
    applicant = OrganisationFactory(short_name="ООО «Ромашка-Заявитель»")  # no membership: never listed
    former = OrganisationFactory(short_name="ООО «Ромашка Бывшая»")
    MembershipFactory(organisation=former, association=additive, status=MembershipStatus.ENDED)
    member = RepresentativeFactory(organisation=foton).user
    return {"romashka": romashka, "foton": foton, "applicant": applicant, "former": former, "member": member}


def _names(response):
    return [o.short_name for o in response.context["page"]]


def test_it_sends_anonymous_visitors_to_sign_in(client):
    response = client.get("/members/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_it_refuses_signed_in_non_members(client, cluster):
    client.force_login(RepresentativeFactory(organisation=cluster["applicant"]).user)
    assert client.get("/members/").status_code == 403
    assert client.get(f"/members/{cluster['foton'].pk}/").status_code == 403


def test_it_lists_only_approved_members(client, cluster):
    client.force_login(cluster["member"])
    assert _names(client.get("/members/")) == ["АО «Фотон»", "ООО «Ромашка»"]
    client.force_login(UserFactory(is_cluster_staff=True))
    assert _names(client.get("/members/", {"q": "Ромашка"})) == ["ООО «Ромашка»"]


@pytest.mark.postgres
def test_it_forgives_a_typo_in_a_company_name(client, cluster):
    client.force_login(cluster["member"])
    response = client.get("/members/", {"q": "Ромошка"})
    assert _names(response) == ["ООО «Ромашка»"]
    assert response.context["page"].extra["fuzzy"] is True


@pytest.mark.postgres
def test_it_finds_word_forms_in_competences(client, cluster):
    client.force_login(cluster["member"])
    assert _names(client.get("/members/", {"q": "принтер"})) == ["ООО «Ромашка»"]


def test_it_finds_an_exact_inn_and_ogrn(client, cluster):
    client.force_login(cluster["member"])
    foton = cluster["foton"]
    assert _names(client.get("/members/", {"q": foton.inn})) == ["АО «Фотон»"]
    assert _names(client.get("/members/", {"q": foton.ogrn})) == ["АО «Фотон»"]
    assert _names(client.get("/members/", {"q": cluster["applicant"].inn})) == []


def test_it_combines_filters(client, cluster):
    client.force_login(cluster["member"])
    assert _names(client.get("/members/", {"region": "78"})) == ["АО «Фотон»"]
    assert _names(client.get("/members/", {"association": "additive"})) == ["ООО «Ромашка»"]
    assert _names(client.get("/members/", {"direction": "additive-manufacturing"})) == ["ООО «Ромашка»"]
    assert _names(client.get("/members/", {"size": "large", "region": "78"})) == ["АО «Фотон»"]
    assert _names(client.get("/members/", {"size": "large", "association": "additive"})) == []


def test_it_pages_with_the_filters_kept(client, cluster):
    association = AssociationFactory(slug="many")
    for n in range(25):
        MembershipFactory(association=association, organisation__short_name=f"ООО «Компания {n:02d}»")
    client.force_login(cluster["member"])
    first = client.get("/members/", {"association": "many"})
    assert len(first.context["page"]) == 20 and "association=many" in first.context["page"].next_query
    second = client.get("/members/?" + first.context["page"].next_query)
    assert _names(second) == [f"ООО «Компания {n:02d}»" for n in range(20, 25)]


def test_it_shows_contacts_by_the_organisations_choice(client, cluster):
    foton = cluster["foton"]
    foton.show_email, foton.show_phone = False, False
    foton.save()
    romashka = cluster["romashka"]
    client.force_login(RepresentativeFactory(organisation=romashka).user)
    page = client.get(foton.get_absolute_url()).content.decode()
    assert foton.email not in page and foton.phone not in page
    foton.show_email, foton.show_phone = True, True
    foton.save()
    page = client.get(foton.get_absolute_url()).content.decode()
    assert foton.email in page and foton.phone in page


def test_it_shows_an_organisation_page_with_associations_and_projects(client, cluster):
    from .factories import ParticipantFactory

    participation = ParticipantFactory(organisation=cluster["romashka"], project__visibility="public")
    hidden = ParticipantFactory(organisation=cluster["romashka"], project__visibility="staff")
    client.force_login(cluster["member"])
    response = client.get(cluster["romashka"].get_absolute_url())
    assert response.status_code == 200
    assert [m.association.slug for m in response.context["memberships"]] == ["additive"]
    assert list(response.context["projects"]) == [participation.project]
    assert hidden.project not in response.context["projects"]


def test_it_hides_organisations_that_are_not_members(client, cluster):
    client.force_login(cluster["member"])
    assert client.get(f"/members/{cluster['applicant'].pk}/").status_code == 404
    assert client.get(f"/members/{cluster['former'].pk}/").status_code == 404


def test_it_shows_suggestions_to_the_organisations_own_people(client, cluster):
    from .factories import ProjectFactory

    project = ProjectFactory(title="Гранульный принтер", visibility="public")
    project.directions.add(direction("additive-manufacturing"))
    match = AssociationFactory(slug="design")
    match.directions.add(direction("additive-manufacturing"), direction("industrial-design"))
    owner = RepresentativeFactory(organisation=cluster["romashka"]).user
    client.force_login(owner)
    response = client.get(cluster["romashka"].get_absolute_url())
    suggestions = response.context["suggestions"]
    assert [s.item for s in suggestions["projects"]] == [project]
    assert [s.item.slug for s in suggestions["associations"]] == ["design"]
    assert suggestions["associations"][0].reason == direction("additive-manufacturing").title
    client.force_login(cluster["member"])
    assert client.get(cluster["romashka"].get_absolute_url()).context["suggestions"] is None


def test_it_shows_suggestions_on_the_cabinet_page_of_the_organisation(client, cluster):
    from .factories import ProjectFactory

    project = ProjectFactory(title="Гранульный принтер", visibility="public")
    project.directions.add(direction("additive-manufacturing"))
    secret = ProjectFactory(title="Секретный принтер", visibility="staff")
    secret.directions.add(direction("additive-manufacturing"))
    owner = RepresentativeFactory(organisation=cluster["romashka"]).user
    client.force_login(owner)
    page = client.get(f"/cabinet/organisations/{cluster['romashka'].pk}/").content.decode()
    assert 'id="suggestions"' in page and project.get_absolute_url() in page
    assert secret.get_absolute_url() not in page
