"""The list pages' filters (django-filter): bad input is left out with a 200, never a server error."""

import pytest

from core.filters import resolve_references
from core.pagination import decode_cursor, encode_cursor
from members.models import Organisation, Region

from .factories import ParticipantFactory, ProjectFactory

pytestmark = pytest.mark.django_db

BAD = {
    "q": "принтер\x00",
    "region": "7\x00",
    "association": "additive\x00",
    "direction": "\x00",
    "stage": "nonsense",
    "organisation": "²",
    "sort": "random",
    "after": encode_cursor([None, None]),
}


@pytest.mark.parametrize("path", ["/projects/", "/members/", "/projects/?view=board"])
def test_bad_filter_values_are_ignored(client, world, path):
    client.force_login(world.staff)
    for name, value in BAD.items():
        response = client.get(path, {name: value})
        assert response.status_code == 200, (path, name)


def test_the_review_queue_names_a_bad_filter_and_applies_the_good_ones(client, world):
    client.force_login(world.bob)
    response = client.get("/review/", {"status": "bogus", "q": "Аддитив\x00", "age": "x", "region": "zz"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"status", "q", "age", "region"}
    assert [a.pk for a in response.context["page"]] == [world.application.pk]  # waiting: the default


def test_references_are_resolved_in_one_query(world, django_assert_num_queries):
    wanted = {
        "region": (Region.objects.all(), "code", "77"),
        "association": (type(world.additive).objects.all(), "slug", "additive"),
        "nothing": (Region.objects.all(), "code", "00"),
    }
    with django_assert_num_queries(1):
        ids = resolve_references(wanted)
    assert ids == {"region": Region.objects.get(code="77").pk, "association": world.additive.pk, "nothing": 0}
    assert resolve_references({}) == {}


def test_projects_filter_by_a_participating_organisation(client, world):
    other = ProjectFactory(association=world.additive, slug="other")
    ParticipantFactory(project=other, organisation=world.applicant_org)
    response = client.get("/projects/", {"organisation": world.applicant_org.pk})
    assert [p.slug for p in response.context["page"]] == ["other"]
    led = client.get("/projects/", {"organisation": world.member_org.pk})
    assert [p.slug for p in led.context["page"]] == ["pellet"]  # the lead takes part in its project


def test_a_cursor_with_null_keys_is_no_cursor():
    fields = [Organisation._meta.get_field("short_name"), Organisation._meta.pk]
    assert decode_cursor(encode_cursor(["Альфа", 3]), fields) == ["Альфа", 3]
    assert decode_cursor(encode_cursor([None, None]), fields) is None
    assert decode_cursor("!!!", fields) is None
