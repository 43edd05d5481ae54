"""What every endpoint shares: keyset cursors, problem details, ETags, languages and throttling."""

import base64
import json
import uuid

import pytest

from api import throttling
from core.pagination import encode_cursor
from projects.models import Project

from .factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    settings.API_THROTTLE_ANON = settings.API_THROTTLE_TOKEN = "100000/min"


def raw_cursor(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def walk(client, url):
    """Every row of a list, page by page along the «next» links."""
    rows, pages = [], 0
    while url:
        body = client.get(url).json()
        rows += body["results"]
        url = body["next"]
        pages += 1
    return rows, pages


def test_cursor_pages_walk_every_row_once(client, world):
    for i in range(6):
        ProjectFactory(association=world.additive, slug=f"p{i}")
    rows, pages = walk(client, "/api/v1/projects/?limit=2&association=additive")
    assert len(rows) == 7 and len({r["slug"] for r in rows}) == 7
    assert pages == 4
    body = client.get("/api/v1/projects/?limit=2&sort=title").json()
    assert "sort=title" in body["next"] and "limit=2" in body["next"]


def test_cursor_pages_are_stable_under_inserts(client, world):
    for i in range(4):
        ProjectFactory(association=world.additive, slug=f"p{i}")
    first = client.get("/api/v1/projects/?limit=2").json()
    seen = [r["slug"] for r in first["results"]]
    ProjectFactory(association=world.additive, slug="newest")  # lands before the first page
    rest, _ = walk(client, first["next"])
    assert "newest" not in [r["slug"] for r in rest]
    assert sorted(seen + [r["slug"] for r in rest]) == sorted(
        Project.objects.exclude(slug="newest").values_list("slug", flat=True)
    )


@pytest.mark.parametrize(
    "cursor",
    [
        "zzz",
        "%%%",
        raw_cursor([1]),
        raw_cursor(["2026-01-01T00:00:00+00:00", 10**30]),
        raw_cursor(["2026-01-01T00:00:00", 1]),
        raw_cursor(["not a date", 1]),
        raw_cursor([None, 1]),
        raw_cursor({"a": 1}),
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    ],
)
def test_a_damaged_cursor_is_a_400_problem(client, world, cursor):
    response = client.get("/api/v1/projects/", {"cursor": cursor})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "urn:cluster-portal:problem:invalid-parameters"
    assert set(body) >= {"type", "title", "status", "detail"} and "cursor" in body["errors"]


def test_a_cursor_with_a_nul_in_a_text_key_is_refused(client, world):
    client.force_login(world.dave)
    cursor = raw_cursor(["a\x00b", 1])
    assert client.get("/api/v1/organisations/", {"cursor": cursor}).status_code == 400
    assert client.get("/api/v1/organisations/", {"cursor": encode_cursor(["Гранула", 1])}).status_code == 200


@pytest.mark.parametrize("limit", ["0", "101", "-1", "x", "1.5"])
def test_a_page_size_out_of_range_is_a_400_problem(client, world, limit):
    response = client.get("/api/v1/projects/", {"limit": limit})
    assert response.status_code == 400
    assert "limit" in response.json()["errors"]


def test_a_misspelt_search_gives_the_best_rows_without_a_cursor(client, world, monkeypatch):
    from core.search import SearchResult

    def fuzzy(self):
        return SearchResult(self.qs, 1, False, fuzzy=True)

    monkeypatch.setattr("projects.selectors.ProjectFilterSet.search", fuzzy)
    body = client.get("/api/v1/projects/?q=Грнульный&limit=1").json()
    assert [p["slug"] for p in body["results"]] == ["pellet"] and body["next"] is None


def test_every_error_is_a_problem(client, world):
    cases = [
        (client.get("/api/v1/no-such-thing/"), 404),
        (client.get("/api/v1/a\nb/"), 404),
        (client.post("/api/v1/projects/", {}), 405),
        (client.get("/api/v1/projects/no-such-project/"), 404),
        (client.get("/api/v1/organisations/999999/"), 401),
        (client.get("/api/v1/projects/", HTTP_ACCEPT="text/html"), 406),
    ]
    for response, status in cases:
        assert response.status_code == status
        assert response["Content-Type"] == "application/problem+json"
        body = response.json()
        assert body["status"] == status and body["title"] and body["detail"] and body["type"]


def test_a_server_error_is_a_problem_without_details(client, world, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr("api.views.project_results", broken)
    response = client.get("/api/v1/projects/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    assert b"fire" not in response.content
    assert response.json()["type"] == "urn:cluster-portal:problem:server-error"


def test_an_unchanged_answer_is_304(client, world):
    first = client.get("/api/v1/projects/")
    etag = first["ETag"]
    assert etag.startswith('"') and "Accept-Language" in first["Vary"]
    again = client.get("/api/v1/projects/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    assert client.get("/api/v1/projects/", HTTP_IF_NONE_MATCH=f'"other", W/{etag}').status_code == 304
    assert client.get("/api/v1/projects/", HTTP_IF_NONE_MATCH="*").status_code == 304
    ProjectFactory(association=world.additive, slug="new")
    changed = client.get("/api/v1/projects/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert client.head("/api/v1/projects/").status_code == 200


def test_accept_language_picks_the_language_of_the_fields(client, world):
    ru = client.get("/api/v1/associations/additive/", HTTP_ACCEPT_LANGUAGE="ru")
    en = client.get("/api/v1/associations/additive/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9")
    assert (ru.json()["name"], ru["Content-Language"]) == ("3D-печать", "ru")
    assert (en.json()["name"], en["Content-Language"]) == ("3D printing", "en")
    assert ru["ETag"] != en["ETag"]
    assert (
        client.get("/api/v1/projects/", HTTP_ACCEPT_LANGUAGE="de, en;q=0.5").json()["results"][0]["stage_label"]
        == "Idea"
    )
    # Without the header (or with only unknown languages) the portal's default, Russian.
    assert client.get("/api/v1/associations/additive/", HTTP_ACCEPT_LANGUAGE="de").json()["name"] == "3D-печать"
    problem = client.get("/api/v1/nowhere/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert problem["title"] == "Not found"


def test_the_browser_session_reads_without_a_token(client, world):
    client.force_login(world.alice)
    assert client.get("/api/v1/me/applications/").status_code == 200


@pytest.fixture
def fresh_throttle_keys(monkeypatch):
    """Throttle keys of this test alone: the cache (Redis in CI) outlives test databases."""
    run = uuid.uuid4().hex
    for cls in (throttling.AnonAddressThrottle, throttling.CallerThrottle):
        monkeypatch.setattr(cls, "cache_format", f"throttle_{run}_%(scope)s_%(ident)s")


def test_anonymous_callers_are_throttled_per_address(client, world, settings, fresh_throttle_keys):
    settings.API_THROTTLE_ANON = "2/min"
    assert [client.get("/api/v1/regions/").status_code for _ in range(2)] == [200, 200]
    response = client.get("/api/v1/regions/")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response["Content-Type"] == "application/problem+json"
    assert client.get("/api/v1/regions/", REMOTE_ADDR="192.0.2.7").status_code == 200


def test_tokens_are_throttled_each_on_its_own(client, world, settings, fresh_throttle_keys):
    from api.services import token_create

    settings.API_THROTTLE_TOKEN = "1/min"
    _, first = token_create(user=world.alice, name="a", scopes=["read"], expires_in_days=1)
    _, second = token_create(user=world.alice, name="b", scopes=["read"], expires_in_days=1)
    assert client.get("/api/v1/regions/", HTTP_AUTHORIZATION=f"Bearer {first}").status_code == 200
    assert client.get("/api/v1/regions/", HTTP_AUTHORIZATION=f"Bearer {first}").status_code == 429
    assert client.get("/api/v1/regions/", HTTP_AUTHORIZATION=f"Bearer {second}").status_code == 200
    client.force_login(world.dave)
    assert client.get("/api/v1/regions/").status_code == 200
    assert client.get("/api/v1/regions/").status_code == 429


def test_throttling_lets_requests_through_when_the_cache_fails(client, world, settings, monkeypatch):
    class DownCache:
        def get(self, *args, **kwargs):
            raise ConnectionError("Redis is down")

        set = get

    settings.API_THROTTLE_ANON = "1/min"
    monkeypatch.setattr(throttling.AnonAddressThrottle, "cache", DownCache())
    assert [client.get("/api/v1/regions/").status_code for _ in range(3)] == [200, 200, 200]


def test_the_index_names_the_schema_and_the_docs(client, world):
    body = client.get("/api/v1/").json()
    assert body["schema"].endswith("/api/schema/") and body["docs"].endswith("/api/docs/")
