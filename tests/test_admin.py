"""Every model is in the admin, and its list, search and filters work."""

import pytest
from django.contrib import admin
from django.urls import reverse

from .factories import ApplicationFactory, MembershipFactory, OrganisationFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def test_every_model_of_our_apps_is_registered():
    from django.apps import apps

    missing = [
        model.__name__
        for app in ("accounts", "members", "associations", "applications", "projects", "notifications")
        for model in apps.get_app_config(app).get_models()
        if model not in admin.site._registry
    ]
    assert missing == []


def test_every_changelist_and_add_form_renders(admin_client):
    OrganisationFactory()
    ProjectFactory()
    ApplicationFactory()
    for model in admin.site._registry:
        if model._meta.app_label not in (
            "accounts",
            "members",
            "associations",
            "applications",
            "projects",
            "notifications",
        ):
            continue
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        assert admin_client.get(reverse(f"{name}_changelist")).status_code == 200, name
        assert admin_client.get(reverse(f"{name}_add")).status_code in (200, 403), name


def test_organisations_are_searchable_by_name_and_inn(admin_client):
    wanted = OrganisationFactory(short_name='ООО "Фотон Лаб"')
    other = OrganisationFactory(short_name='ООО "Другая"')
    url = reverse("admin:members_organisation_changelist")
    for query in ("Фотон", wanted.inn):
        page = admin_client.get(url, {"q": query}).content.decode()
        assert wanted.inn in page
        assert other.inn not in page


def test_application_change_page_shows_its_history(admin_client):
    application = ApplicationFactory()
    reviewer = UserFactory(email="reviewer@example.com")
    application.submit(by=application.applicant, comment="Первая подача")
    application.take_into_review(by=reviewer, internal_note="Проверить устав")
    page = admin_client.get(reverse("admin:applications_membershipapplication_change", args=[application.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    # Both steps are listed, oldest first, with who took them and why; and they cannot be edited.
    assert 'id="events-0"' in body and 'id="events-1"' in body and 'id="events-2"' not in body
    assert body.index("Первая подача") < body.index("Проверить устав")
    assert reviewer.full_display_name in body
    assert 'name="events-0-comment"' not in body


def test_association_admin_manages_coordinators(admin_client):
    membership = MembershipFactory()
    page = admin_client.get(reverse("admin:associations_association_change", args=[membership.association.pk]))
    assert 'name="coordinators"' in page.content.decode()


def test_notifications_to_an_address_are_listed_searchable_and_editable(admin_client):
    from notifications.services import notify_address

    notification = notify_address(email="guest@example.com", language="en", kind="organisation_invitation_email")
    url = reverse("admin:notifications_notification_changelist")
    page = admin_client.get(url, {"q": "guest@"}).content.decode()
    assert "guest@example.com" in page
    change = admin_client.get(reverse("admin:notifications_notification_change", args=[notification.pk]))
    assert change.status_code == 200
    assert 'value="guest@example.com"' in change.content.decode()
