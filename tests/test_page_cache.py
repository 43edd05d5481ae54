"""Cached figures and anonymous pages (core/versioned_cache.py): served without a query, fresh at once."""

import re
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from applications.models import ApplicationStatus, MembershipApplication
from applications.services import application_approve
from core import versioned_cache
from projects.services import project_change_stage

from .factories import AssociationFactory, MembershipFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def figure(response, name: str) -> int:
    match = re.search(rf'data-figure="{name}">([\d\s\xa0,]+)<', response.content.decode())
    return int(re.sub(r"\D", "", match.group(1)))


def queries(client, path: str, **extra):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path, **extra)
    assert response.status_code == 200
    return response, len(captured)


def test_it_serves_an_anonymous_page_from_the_cache_and_shows_a_membership_at_once(client, world):
    first, _ = queries(client, "/")
    again, count = queries(client, "/")
    assert count == 0 and again["X-Page-Cache"] == "anonymous"
    assert figure(again, "members") == figure(first, "members") == 1

    MembershipFactory(association=world.photonics)  # a new member: post_save bumps "memberships"
    fresh, count = queries(client, "/")
    assert count > 0 and figure(fresh, "members") == 2
    assert queries(client, "/")[1] == 0  # and cached again


def test_it_shows_a_decision_and_a_stage_change_at_once(client, world):
    """Decide-once steps write with a conditional UPDATE, which fires no signal: they bump the groups."""
    queries(client, "/associations/additive/")
    MembershipApplication.objects.filter(pk=world.application.pk).update(
        status=ApplicationStatus.IN_REVIEW, assigned_to=world.bob
    )
    application = MembershipApplication.objects.get(pk=world.application.pk)
    application_approve(application=application, reviewer=world.bob)
    page, count = queries(client, "/associations/additive/")
    assert count > 0 and "ООО «Аддитив»" in page.content.decode()

    queries(client, "/")
    project_change_stage(project=world.project, user=world.bob, stage="development")
    home, count = queries(client, "/")
    assert count > 0
    assert '?stage=development">' in home.content.decode()


def test_a_signed_in_user_never_gets_a_cached_page(client, world):
    client.force_login(world.dave)
    first, count = queries(client, "/")
    assert count > 0 and not first.has_header("X-Page-Cache")
    assert queries(client, "/")[1] > 0


def test_it_caches_figures_for_signed_in_users_by_what_they_may_see(client, world):
    ProjectFactory(association=world.additive, visibility="staff")
    client.force_login(world.staff)
    assert figure(client.get("/"), "projects") == 2
    client.force_login(world.dave)  # a member: the staff-only project is not counted
    assert figure(client.get("/"), "projects") == 1


def test_each_visitor_gets_their_own_csrf_token_from_a_cached_page(client, world):
    client.get("/")
    response = client.get("/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()).group(1)
    assert token != "csrf-placeholder" and len(token) == 64
    assert response.cookies["csrftoken"].value
    posted = client.post("/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": token})
    assert posted.status_code == 302


def test_pages_with_a_query_string_or_a_message_are_not_cached(client, world):
    queries(client, "/associations/additive/")
    assert queries(client, "/associations/additive/?after=x")[1] > 0
    client.cookies["messages"] = "x"
    assert queries(client, "/")[1] > 0


def test_it_caches_per_language(client, world):
    russian = client.get("/associations/").content.decode()
    client.cookies["django_language"] = "en"
    english = client.get("/associations/").content.decode()
    assert "Interindustry associations" in english and "Interindustry associations" not in russian


def test_it_computes_directly_when_the_cache_is_down(client, world):
    with mock.patch.object(cache, "get_many", side_effect=ConnectionError("down")):
        first, _ = queries(client, "/")
        MembershipFactory(association=world.photonics)
        second, count = queries(client, "/")
    assert count > 0 and figure(first, "members") == 1 and figure(second, "members") == 2


def test_a_bump_survives_a_cache_that_fails_to_store(world):
    with mock.patch.object(cache, "set_many", side_effect=ConnectionError("down")):
        versioned_cache.bump("memberships")  # logged, not raised
        assert versioned_cache.cached("x", ["memberships"], lambda: 42) == 42
    with mock.patch.object(cache, "add", side_effect=ConnectionError("down")):
        assert versioned_cache.cached("y", ["memberships"], lambda: 43) == 43


def test_while_one_request_recomputes_the_others_get_the_previous_value(world):
    assert versioned_cache.cached("figure", ["projects"], lambda: "old") == "old"
    versioned_cache.bump("projects")
    key = f"figure:{versioned_cache.versions(['projects'])}"
    cache.add(f"computing:{key}", 1)  # another request is recomputing it right now
    assert versioned_cache.cached("figure", ["projects"], lambda: "new") == "old"
    cache.delete(f"computing:{key}")
    assert versioned_cache.cached("figure", ["projects"], lambda: "new") == "new"


def test_an_error_page_is_passed_through_uncached(client, world):
    AssociationFactory(slug="gone", status="archived")
    assert client.get("/associations/gone/").status_code == 404
    assert client.get("/associations/nowhere/").status_code == 404


def test_an_anonymous_project_page_is_cached_and_shows_its_changes_at_once(client, world):
    from .factories import MilestoneFactory, OrganisationFactory, ParticipantFactory

    first, _ = queries(client, "/projects/pellet/")
    again, count = queries(client, "/projects/pellet/")
    assert count == 0 and again["X-Page-Cache"] == "anonymous"

    ParticipantFactory(project=world.project, organisation=OrganisationFactory(short_name="ООО «Новый участник»"))
    page, count = queries(client, "/projects/pellet/")
    assert count > 0 and "ООО «Новый участник»" in page.content.decode()

    MilestoneFactory(project=world.project, title="Опытный образец")
    assert "Опытный образец" in queries(client, "/projects/pellet/")[0].content.decode()

    world.member_org.short_name = "ООО «Гранула-2»"
    world.member_org.save()  # the lead organisation renamed: "organisations"
    assert "ООО «Гранула-2»" in queries(client, "/projects/pellet/")[0].content.decode()

    project_change_stage(project=world.project, user=world.bob, stage="development")
    page, count = queries(client, "/projects/")
    assert count > 0 and "stage-development" in page.content.decode()


def test_a_project_made_private_is_no_longer_served_from_the_cache(client, world):
    queries(client, "/projects/pellet/")
    world.project.visibility = "members"
    world.project.save()
    assert client.get("/projects/pellet/").status_code == 404
    assert client.get("/projects/pellet/").status_code == 404  # an error page is never cached


def test_signed_in_users_get_their_own_project_page(client, world):
    queries(client, "/projects/pellet/")
    client.force_login(world.bob)
    page = client.get("/projects/pellet/")
    assert "X-Page-Cache" not in page and page.status_code == 200


def test_a_failed_recompute_leaves_no_stale_value_and_no_lock(world):
    assert versioned_cache.cached("z", ["projects"], lambda: 1) == 1
    versioned_cache.bump("projects")

    def fail():
        raise RuntimeError("the query failed")

    with pytest.raises(RuntimeError):
        versioned_cache.cached("z", ["projects"], fail)
    # The next request computes afresh: neither the previous value nor a wait for the lock.
    assert versioned_cache.cached("z", ["projects"], lambda: 2) == 2


def test_a_request_reads_each_version_once_and_sees_its_own_bumps():
    """Within a request the versions are asked once (`read_ahead` for a page's groups at once); a
    bump made meanwhile by the request itself is seen, one made elsewhere by the next request."""
    from django.core.signals import request_finished, request_started

    request_started.send(sender=None)
    try:
        with mock.patch.object(cache, "get_many", wraps=cache.get_many) as get_many:
            versioned_cache.read_ahead("organisations", "associations")
            first = versioned_cache.versions(["associations"])
            assert versioned_cache.versions(["organisations", "associations"]).endswith(first)
            assert get_many.call_count == 1
            versioned_cache.bump("associations")
            assert versioned_cache.versions(["associations"]) != first
            assert get_many.call_count == 1
            assert versioned_cache.versions(["associations"]) == cache.get("version:associations")
    finally:
        request_finished.send(sender=None)
    cache.set("version:organisations", "elsewhere", None)  # another process bumps
    with mock.patch.object(cache, "get_many", wraps=cache.get_many) as get_many:
        assert versioned_cache.versions(["organisations"]) == "elsewhere"
        versioned_cache.read_ahead("organisations")  # outside a request: nothing kept, nothing read
        assert versioned_cache.versions(["organisations"]) == "elsewhere"
        assert get_many.call_count == 2


def test_a_request_reads_a_value_once_for_all_its_callers():
    """The page's several forms asking for the same options cost one read; a bump made by the
    request itself is seen at once, and the next request reads again."""
    from django.core.signals import request_finished, request_started

    computed = []

    def compute():
        computed.append(1)
        return len(computed)

    request_started.send(sender=None)
    try:
        with mock.patch.object(cache, "get", wraps=cache.get) as get:
            assert versioned_cache.cached("options", ["references"], compute) == 1
            assert versioned_cache.cached("options", ["references"], compute) == 1
            assert get.call_count == 1
            versioned_cache.bump("references")
            assert versioned_cache.cached("options", ["references"], compute) == 2
    finally:
        request_finished.send(sender=None)
    request_started.send(sender=None)
    try:
        with mock.patch.object(cache, "get", wraps=cache.get) as get:
            assert versioned_cache.cached("options", ["references"], compute) == 2
            assert get.call_count == 1
    finally:
        request_finished.send(sender=None)
