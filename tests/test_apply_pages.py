"""The public start of joining: /apply/, the privacy policy and the links that lead there."""

import pytest
from django.urls import reverse

from tests.factories import ApplicationFactory, AssociationFactory, RepresentativeFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_it_explains_who_may_join_and_lists_the_associations(client):
    active = AssociationFactory(name="Фотоника", name_en="Photonics")
    archived = AssociationFactory(status="archived")
    client.cookies["django_language"] = "en"
    response = client.get(reverse("applications:apply"))
    assert response.status_code == 200
    assert list(response.context["associations"]) == [active]
    body = response.content.decode()
    assert "individual entrepreneur" in body
    assert "Photonics" in body
    assert archived.name_en not in body


def test_it_leads_a_visitor_to_registration_and_sign_in(client):
    association = AssociationFactory()
    body = client.get(reverse("applications:apply") + f"?association={association.slug}").content.decode()
    assert f"{reverse('account_signup')}?next=/cabinet/applications/new/%3Fassociation%3D{association.slug}" in body
    assert f"{reverse('account_login')}?next=/cabinet/applications/new/" in body


def test_it_leads_a_user_without_organisation_to_the_profile_and_application(client):
    client.force_login(UserFactory())
    association = AssociationFactory()
    body = client.get(reverse("applications:apply") + f"?association={association.slug}").content.decode()
    assert f"{reverse('applications:application-create')}?association={association.slug}" in body
    assert f'href="{reverse("members:organisation-create")}"' in body


def test_it_leads_a_representative_to_the_application_form(client):
    client.force_login(RepresentativeFactory().user)
    association = AssociationFactory()
    body = client.get(reverse("applications:apply") + f"?association={association.slug}").content.decode()
    assert f"{reverse('applications:application-create')}?association={association.slug}" in body


def test_the_association_page_and_the_navigation_link_to_apply(client):
    association = AssociationFactory()
    body = client.get(association.get_absolute_url()).content.decode()
    assert f"{reverse('applications:apply')}?association={association.slug}" in body
    assert f'href="{reverse("applications:apply")}"' in body


def test_the_privacy_policy_names_its_version(client, settings):
    client.cookies["django_language"] = "en"
    response = client.get(reverse("accounts:privacy"))
    assert response.status_code == 200
    assert settings.PRIVACY_POLICY_VERSION in response.content.decode()
    assert "152-FZ" in response.content.decode()


def test_the_application_url_is_the_applicants_page():
    application = ApplicationFactory()
    assert application.get_absolute_url() == f"/cabinet/applications/{application.pk}/"
