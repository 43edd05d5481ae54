"""Search plans use the indexes whatever the term's frequency; a name prefix finds its matches.

On PostgreSQL, over 5,000 organisations from `generate_load_data` (COPY, then ANALYZE, as a
benchmark run leaves them): a rare surname, a common word and a prefix, through the directory's
own queries, and the plan of the rare one read with EXPLAIN.
"""

import io

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from associations.directory import COUNT_CAP as DIRECTORY_COUNT_CAP
from associations.directory import directory_page
from core.pagination import COUNT_CAP
from core.search import tsquery
from members.models import Organisation
from projects.models import PROJECT_SEARCH, Project
from projects.selectors import project_page

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def cluster():
    call_command("generate_load_data", organisations=5000, projects=300, stdout=io.StringIO())


def page_with_queries(params):
    with CaptureQueriesContext(connection) as captured:
        _, page = directory_page(params)
    return page, [q["sql"] for q in captured.captured_queries]


def plan(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def members_named(word: str) -> set[int]:
    members = Organisation.objects.filter(memberships__status="active", short_name__icontains=word)
    return set(members.values_list("pk", flat=True))


def test_a_rare_surname_is_found_through_the_gin_index_not_a_walk_of_the_name_order(cluster):
    expected = members_named("Смирнов")
    assert 0 < len(expected) < 100  # rare among 3,000 members, and spread over the alphabet
    page, queries = page_with_queries({"q": "Смирнов"})
    assert page.extra["count"] == len(expected) and not page.extra["more"]
    assert {o.pk for o in page.items} <= expected
    ids_query, page_query = queries[0], queries[1]
    assert "org_fts_ru_idx" in plan(ids_query)
    # The page is cut from those ids: the name-order index is never walked with the vector as a filter.
    assert "org_sort_name_id_idx" not in plan(page_query) and "to_tsvector" not in page_query
    assert "members_organisation_pkey" in plan(page_query)


def test_a_common_word_pages_through_the_name_order(cluster):
    page, _ = page_with_queries({"q": "ООО"})
    assert page.extra["more"] and len(page.items) == 20
    names = [o.sort_name for o in page.items]
    assert names == sorted(names)
    second, _ = page_with_queries({"q": "ООО", "after": page.next_query.split("after=")[1]})
    assert second.items[0].sort_name >= names[-1]


def test_a_prefix_finds_the_names_it_starts(cluster):
    page, _ = page_with_queries({"q": "Смир"})
    assert page.extra["count"] == len(members_named("Смирнов")) and not page.extra["fuzzy"]
    two_words, _ = page_with_queries({"q": "ИП Смирнов Алекс"})
    assert not two_words.extra["fuzzy"]
    assert two_words.items  # every word is found, the last as the start of a word (name or patronymic)
    assert all("Смирнов" in o.short_name and " Алекс" in o.short_name for o in two_words.items)


def test_a_prefix_finds_projects_too(cluster):
    _, page = project_page(None, {"q": "Гранульн"})
    assert page.items and all("Гранульный" in p.title for p in page.items)
    assert Project.objects.filter(title__startswith="Гранульный").exists()


def test_operators_typed_by_the_user_stay_words():
    assert tsquery("Смир") == ("to_tsquery", "Смир:*")
    assert tsquery("a:* | b & !c") == ("to_tsquery", "a & b & c")
    assert tsquery("ООО Ро") == ("to_tsquery", "ООО & Ро")  # a two-letter prefix is a whole word
    assert tsquery('"3D печать" -робот') == ("websearch_to_tsquery", '"3D печать" -робот')
    assert tsquery("«»") == ("websearch_to_tsquery", "«»")


def test_a_project_search_reads_the_gin_indexes_not_every_description(cluster):
    """Projects' vectors cover long descriptions: computing them row by row (a scan of the public
    projects) cost 85 ms at 1,750 projects; the match is answered by the GIN indexes instead."""
    with CaptureQueriesContext(connection) as captured:
        _, page = project_page(None, {"q": "принтер"})
    assert page.items
    ids_query = next(q["sql"] for q in captured.captured_queries if "to_tsquery" in q["sql"])
    assert ids_query.startswith("SET LOCAL enable_seqscan = off; ")
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_seqscan")
        assert cursor.fetchone()[0] == "on"  # the setting went with the search's own savepoint
        cursor.execute("SET LOCAL enable_seqscan = off")
    explained = plan(ids_query.removeprefix("SET LOCAL enable_seqscan = off; "))
    assert "project_fts_ru_idx" in explained and "project_fts_en_idx" in explained
    assert "Seq Scan" not in explained
    # The same rows as the plain query finds (the fence changes the plan, not the answer).
    plain = Project.objects.filter(visibility="public").filter(PROJECT_SEARCH.matches(Project, "принтер"))
    assert page.extra["count"] == min(plain.count(), COUNT_CAP)
    assert {p.pk for p in page.items} <= set(plain.values_list("pk", flat=True))


def test_a_coordinator_s_queue_is_read_in_the_waiting_index_s_order(cluster, client):
    """The queue's default page (waiting applications of one association, the longest waiting first)
    comes from `application_waiting_idx`: the coordinator's associations are values, not a sub-query."""
    from django.db.models import Count, Q

    from associations.models import Association

    from .factories import UserFactory

    busiest = (
        Association.objects.annotate(waiting=Count("applications", filter=Q(applications__status="submitted")))
        .order_by("-waiting")
        .first()
    )
    coordinator = UserFactory()
    busiest.coordinators.add(coordinator)
    client.force_login(coordinator)
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/review/")
    assert response.status_code == 200 and response.context["page"].object_list
    [page_query] = [
        q["sql"]
        for q in captured.captured_queries
        if "ORDER BY" in q["sql"] and "status_changed_at" in q["sql"] and "LIMIT" in q["sql"]
    ]
    assert f'"association_id" IN ({busiest.pk})' in page_query
    assert "application_waiting_idx" in plan(page_query)


@pytest.mark.django_db(transaction=True)
def test_after_a_load_a_region_and_a_direction_are_counted_from_their_indexes_alone():
    """Run outside a transaction, as from the shell, the load vacuums what it wrote: the count behind
    a filtered directory then reads a region's ids and a direction's organisations from their
    indexes alone, in id order, instead of filtering every organisation (21 -> 3 ms at 350k)."""
    call_command("generate_load_data", organisations=5000, projects=0, stdout=io.StringIO())
    page, queries = page_with_queries({"region": "77", "direction": "robotics"})
    expected = set(
        Organisation.objects.filter(
            memberships__status="active", region__code="77", directions__slug="robotics"
        ).values_list("pk", flat=True)
    )
    assert page.extra["count"] == min(len(expected), DIRECTORY_COUNT_CAP) > 0
    shown = plan(next(sql for sql in queries if sql.startswith("SELECT COUNT(*)")))
    assert "Index Only Scan using org_directions_direction_org_idx" in shown, shown
