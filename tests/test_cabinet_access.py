"""Who may open each application and document URL, in the shared world.

alice owns «Аддитив» and carol is her colleague; dave acts for another organisation («Гранула»);
bob reviews «3D-печать», which «Аддитив» applied to; erin reviews another association («Фотоника»);
charlie acts for nobody.
"""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from applications.models import ApplicationDocument, ApplicationStatus
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def document(world):
    """A document of «Аддитив»'s submitted application; erin has an application of her own to review."""
    ApplicationFactory(organisation=world.member_org, association=world.photonics, status=ApplicationStatus.SUBMITTED)
    document = ApplicationDocument(
        application=world.application, original_name="устав.pdf", content_type="application/pdf", size=len(PDF)
    )
    document.file.save("document.pdf", ContentFile(PDF), save=False)
    document.save()
    return document


def to_draft(application):
    type(application).objects.filter(pk=application.pk).update(status=ApplicationStatus.DRAFT)


APPLICATION_PAGES = ["applications:application-detail", "applications:application-edit"]


@pytest.mark.parametrize("name", APPLICATION_PAGES)
@pytest.mark.parametrize(
    "who,status", [("alice", 200), ("carol", 200), ("dave", 404), ("charlie", 404), ("bob", 404), ("erin", 404)]
)
def test_it_shows_application_pages_to_the_organisations_users_only(client, world, document, name, who, status):
    client.force_login(world[who])
    response = client.get(reverse(name, args=[world.application.pk]))
    # The edit page of a submitted application redirects its own users back to the application.
    expected = 302 if (status == 200 and name == "applications:application-edit") else status
    assert response.status_code == expected


@pytest.mark.parametrize(
    "name", ["applications:application-submit", "applications:application-withdraw", "applications:application-respond"]
)
@pytest.mark.parametrize("who", ["dave", "charlie", "bob", "erin"])
def test_it_answers_404_to_actions_by_others(client, world, document, name, who):
    client.force_login(world[who])
    response = client.post(reverse(name, args=[world.application.pk]), {"comment": "x"})
    assert response.status_code == 404
    world.application.refresh_from_db()
    assert world.application.status == ApplicationStatus.SUBMITTED


@pytest.mark.parametrize(
    "who,status",
    [("alice", 200), ("carol", 200), ("bob", 200), ("admin", 200), ("dave", 404), ("charlie", 404), ("erin", 404)],
)
def test_it_lets_only_the_organisation_and_its_reviewers_download(client, world, document, who, status):
    client.force_login(world[who])
    response = client.get(reverse("applications:document-download", args=[document.pk]))
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert "attachment" in response["Content-Disposition"]
        assert "no-store" in response["Cache-Control"]


def test_it_hides_draft_documents_from_reviewers(client, world, document):
    to_draft(world.application)
    client.force_login(world.bob)
    assert client.get(reverse("applications:document-download", args=[document.pk])).status_code == 404


def test_it_sends_anonymous_visitors_to_sign_in(client, world, document):
    for url in (
        reverse("pages:cabinet"),
        reverse("applications:application-detail", args=[world.application.pk]),
        reverse("applications:document-download", args=[document.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_it_serves_no_public_media_url(client, world, document, settings):
    client.force_login(world.alice)
    for prefix in (settings.MEDIA_URL or "/media/", "/media/"):
        assert client.get(prefix + document.file.name).status_code == 404


def test_it_answers_404_for_an_unknown_document(client, world, document):
    client.force_login(world.alice)
    assert client.get(reverse("applications:document-download", args=[document.pk + 1000])).status_code == 404


def test_it_lets_only_the_owner_invite(client, world):
    url = reverse("members:organisation-invite", args=[world.applicant_org.pk])
    client.force_login(world.carol)
    assert client.get(url).status_code == 403
    client.force_login(world.alice)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("who", ["dave", "charlie", "bob", "erin"])
def test_it_answers_404_to_removing_a_document_by_others(client, world, document, who):
    to_draft(world.application)
    client.force_login(world[who])
    response = client.post(reverse("applications:document-delete", args=[document.pk]))
    assert response.status_code == 404
    assert ApplicationDocument.objects.filter(pk=document.pk).exists()


@pytest.mark.parametrize("who", ["alice", "carol"])
def test_the_organisations_users_remove_draft_documents(client, world, document, who):
    to_draft(world.application)
    client.force_login(world[who])
    response = client.post(reverse("applications:document-delete", args=[document.pk]))
    assert response.status_code == 302
    assert not ApplicationDocument.objects.filter(pk=document.pk).exists()
