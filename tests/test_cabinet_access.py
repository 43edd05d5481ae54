"""Who may open each application and document URL: outsider, colleague, owner, reviewer, anonymous."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from applications.models import ApplicationDocument
from members.models import RepresentativeRole
from tests.factories import ApplicationFactory, RepresentativeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def people():
    owner = RepresentativeFactory()
    colleague = RepresentativeFactory(organisation=owner.organisation, role=RepresentativeRole.REPRESENTATIVE)
    outsider = RepresentativeFactory()  # represents another organisation
    application = ApplicationFactory(organisation=owner.organisation, applicant=owner.user, status="submitted")
    reviewer = UserFactory()
    application.association.coordinators.add(reviewer)
    other_reviewer = UserFactory()
    ApplicationFactory(status="submitted").association.coordinators.add(other_reviewer)
    document = ApplicationDocument(
        application=application, original_name="устав.pdf", content_type="application/pdf", size=len(PDF)
    )
    document.file.save("document.pdf", ContentFile(PDF), save=False)
    document.save()
    return {
        "owner": owner.user,
        "colleague": colleague.user,
        "outsider": outsider.user,
        "reviewer": reviewer,
        "other_reviewer": other_reviewer,
        "application": application,
        "document": document,
    }


APPLICATION_PAGES = ["applications:application-detail", "applications:application-edit"]


@pytest.mark.parametrize("name", APPLICATION_PAGES)
@pytest.mark.parametrize(
    "who,status", [("owner", 200), ("colleague", 200), ("outsider", 404), ("reviewer", 404), ("other_reviewer", 404)]
)
def test_it_shows_application_pages_to_the_organisations_users_only(client, people, name, who, status):
    client.force_login(people[who])
    response = client.get(reverse(name, args=[people["application"].pk]))
    # The edit page of a submitted application redirects its own users back to the application.
    expected = 302 if (status == 200 and name == "applications:application-edit") else status
    assert response.status_code == expected


@pytest.mark.parametrize(
    "name", ["applications:application-submit", "applications:application-withdraw", "applications:application-respond"]
)
@pytest.mark.parametrize("who", ["outsider", "reviewer", "other_reviewer"])
def test_it_answers_404_to_actions_by_others(client, people, name, who):
    client.force_login(people[who])
    response = client.post(reverse(name, args=[people["application"].pk]), {"comment": "x"})
    assert response.status_code == 404
    people["application"].refresh_from_db()
    assert people["application"].status == "submitted"


@pytest.mark.parametrize(
    "who,status",
    [("owner", 200), ("colleague", 200), ("reviewer", 200), ("outsider", 404), ("other_reviewer", 404)],
)
def test_it_lets_only_the_organisation_and_its_reviewers_download(client, people, who, status):
    client.force_login(people[who])
    response = client.get(reverse("applications:document-download", args=[people["document"].pk]))
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert "attachment" in response["Content-Disposition"]
        assert "no-store" in response["Cache-Control"]


def test_it_hides_draft_documents_from_reviewers(client, people):
    application = people["application"]
    type(application).objects.filter(pk=application.pk).update(status="draft")
    client.force_login(people["reviewer"])
    assert client.get(reverse("applications:document-download", args=[people["document"].pk])).status_code == 404


def test_it_lets_an_administrator_download(client, people):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.get(reverse("applications:document-download", args=[people["document"].pk])).status_code == 200


def test_it_sends_anonymous_visitors_to_sign_in(client, people):
    for url in (
        reverse("pages:cabinet"),
        reverse("applications:application-detail", args=[people["application"].pk]),
        reverse("applications:document-download", args=[people["document"].pk]),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_it_serves_no_public_media_url(client, people, settings):
    client.force_login(people["owner"])
    for prefix in (settings.MEDIA_URL or "/media/", "/media/"):
        assert client.get(prefix + people["document"].file.name).status_code == 404


def test_it_answers_404_for_an_unknown_document(client, people):
    client.force_login(people["owner"])
    assert client.get(reverse("applications:document-download", args=[people["document"].pk + 1000])).status_code == 404


def test_it_lets_only_the_owner_invite(client, people):
    organisation = people["application"].organisation
    client.force_login(people["colleague"])
    assert client.get(reverse("members:organisation-invite", args=[organisation.pk])).status_code == 403
    client.force_login(people["owner"])
    assert client.get(reverse("members:organisation-invite", args=[organisation.pk])).status_code == 200


@pytest.mark.parametrize("who", ["outsider", "reviewer", "other_reviewer"])
def test_it_answers_404_to_removing_a_document_by_others(client, people, who):
    type(people["application"]).objects.filter(pk=people["application"].pk).update(status="draft")
    client.force_login(people[who])
    response = client.post(reverse("applications:document-delete", args=[people["document"].pk]))
    assert response.status_code == 404
    assert ApplicationDocument.objects.filter(pk=people["document"].pk).exists()


@pytest.mark.parametrize("who", ["owner", "colleague"])
def test_the_organisations_users_remove_draft_documents(client, people, who):
    type(people["application"]).objects.filter(pk=people["application"].pk).update(status="draft")
    client.force_login(people[who])
    response = client.post(reverse("applications:document-delete", args=[people["document"].pk]))
    assert response.status_code == 302
    assert not ApplicationDocument.objects.filter(pk=people["document"].pk).exists()
