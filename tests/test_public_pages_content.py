"""The public pages: the cluster in figures, the association catalogue and an association's page."""

import pytest

from associations.models import MembershipRole, MembershipStatus

from .factories import AssociationFactory, MembershipFactory, OrganisationFactory, ProjectFactory, UserFactory, region

pytestmark = pytest.mark.django_db


@pytest.fixture
def cluster():
    additive = AssociationFactory(
        name="3D-печать и промышленный дизайн", name_en="3D printing", slug="additive", is_featured=True
    )
    photonics = AssociationFactory(slug="photonics")
    AssociationFactory(slug="old", status="archived")
    moscow = OrganisationFactory(short_name="ООО «Печать»")
    spb = OrganisationFactory(short_name="АО «Свет»", region=region("78"))
    MembershipFactory(organisation=moscow, association=additive)
    MembershipFactory(organisation=spb, association=photonics)
    MembershipFactory(organisation=spb, association=additive, role=MembershipRole.PARTNER)
    MembershipFactory(association=additive, organisation__short_name="ООО «Бывший»", status=MembershipStatus.ENDED)
    OrganisationFactory(short_name="ООО «Заявитель»")  # not a member
    coordinator = UserFactory(last_name="Координатор", first_name="Анна", patronymic="")
    additive.coordinators.add(coordinator)
    for stage in ("idea", "development", "development", "completed"):
        ProjectFactory(association=additive, stage=stage)
    ProjectFactory(association=additive, stage="promotion", visibility="staff")
    return {"additive": additive, "coordinator": coordinator}


def test_it_computes_the_figures_from_the_data(client, cluster):
    figures = client.get("/").context["figures"]
    assert figures["associations"] == 2  # the archived one is not counted
    assert figures["member_organisations"] == 2
    assert figures["regions"] == 2
    assert figures["projects"] == 4  # the staff-only project is not counted for a visitor
    by_stage = {stage: count for stage, _, count in figures["projects_by_stage"]}
    assert by_stage == {"idea": 1, "development": 2, "promotion": 0, "replication": 0, "completed": 1, "suspended": 0}


def test_it_features_associations_and_the_newest_projects(client, cluster):
    response = client.get("/")
    assert [a.slug for a in response.context["featured"]] == ["additive"]
    assert len(response.context["newest_projects"]) == 4


def test_it_lists_active_associations_with_counts(client, cluster):
    associations = {a.slug: a for a in client.get("/associations/").context["associations"]}
    assert set(associations) == {"additive", "photonics"}
    additive = associations["additive"]
    assert (additive.participant_count, additive.partner_count, additive.project_count) == (1, 1, 4)


def test_it_shows_an_association_page(client, cluster):
    client.cookies["django_language"] = "en"
    response = client.get("/associations/additive/")
    assert [o.short_name for o in response.context["participants"]] == ["ООО «Печать»"]
    assert [o.short_name for o in response.context["partners"]] == ["АО «Свет»"]
    assert [stage for stage, _, _ in response.context["projects_by_stage"]] == ["idea", "development", "completed"]
    page = response.content.decode()
    assert "Координатор Анна" in page and "ООО «Бывший»" not in page
    assert "/apply/?association=additive" in page


def test_it_hides_archived_associations(client, cluster):
    assert client.get("/associations/old/").status_code == 404
