"""generate_load_data: a synthetic cluster for benchmarks, valid and the same on every run."""

import io

import pytest
from django.core.management import CommandError, call_command

from applications.models import ApplicationEvent, ApplicationStatus, MembershipApplication
from associations.models import AssociationMembership
from members.models import Organisation
from members.names import name_sort_key
from members.validators import validate_inn, validate_ogrn
from projects.models import Project, ProjectParticipant

pytestmark = pytest.mark.django_db


def generate(**options):
    call_command("generate_load_data", organisations=120, projects=15, stdout=io.StringIO(), **options)


def test_it_generates_valid_organisations_members_and_projects():
    generate()
    organisations = Organisation.objects.filter(email__endswith="@load.example")
    assert organisations.count() == 120
    for organisation in organisations[:40]:
        validate_inn(organisation.inn)
        validate_ogrn(organisation.ogrn)
    # bulk_create calls no save(): the sort key is written with the rows all the same.
    for short_name, sort_name in organisations.values_list("short_name", "sort_name"):
        assert sort_name == name_sort_key(short_name)
    members = AssociationMembership.objects.values("organisation").distinct().count()
    assert members == 72  # 60% of them
    projects = Project.objects.filter(slug__startswith="load-")
    assert projects.count() == 15
    applications = MembershipApplication.objects.filter(organisation__email__endswith="@load.example")
    assert set(applications.values_list("status", flat=True)) == set(ApplicationStatus.values)
    assert not ApplicationEvent.objects.filter(application__status=ApplicationStatus.DRAFT).exists()
    for approved in applications.filter(status=ApplicationStatus.APPROVED):  # an approval is a membership
        assert approved.organisation.memberships.filter(association=approved.association).exists()
    for project in projects:
        lead = ProjectParticipant.objects.get(project=project, role="lead")
        assert lead.organisation_id == project.lead_organisation_id


def test_it_is_the_same_on_every_run_and_replaces_only_when_asked():
    generate()
    first = list(Organisation.objects.filter(email__endswith="@load.example").values_list("inn", flat=True))
    with pytest.raises(CommandError):
        generate()
    generate(replace=True)
    second = list(Organisation.objects.filter(email__endswith="@load.example").values_list("inn", flat=True))
    assert sorted(first) == sorted(second)
    assert Project.objects.filter(slug__startswith="load-").count() == 15


def test_the_cached_figures_show_the_generated_data_at_once(client):
    """Rows written without signals (COPY, bulk_create) bump the figures' versions all the same."""
    assert b'data-figure="members">0<' in client.get("/").content
    generate()
    assert b'data-figure="members">72<' in client.get("/").content
