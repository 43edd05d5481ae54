from unittest import mock

import pytest
from django.db.utils import OperationalError

pytestmark = pytest.mark.django_db


def test_it_answers_200_with_json_when_everything_answers(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "redis": "not configured"},
        "details": {"notifications": {"failed": 0, "long_pending": 0}},
    }


def test_it_answers_503_when_the_database_is_down(client):
    with mock.patch("cluster_portal.views.connection.cursor", side_effect=OperationalError("down")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "down"


def test_it_answers_503_when_redis_is_down(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "redis": "down"}


@pytest.mark.redis
def test_it_checks_the_real_redis(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["redis"] == "ok"


def test_it_refuses_post(client):
    assert client.post("/healthz").status_code == 405


def test_the_favicon_is_found_where_browsers_look_for_it(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith("icons/favicon.png")


def test_a_page_during_a_database_outage_answers_503_with_retry_after(monkeypatch, db):
    from django.db import OperationalError
    from django.db.backends.utils import CursorWrapper
    from django.test import Client

    def refuse(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(CursorWrapper, "execute", refuse)
    response = Client(raise_request_exception=False).get("/projects/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "Портал временно недоступен" in response.content.decode()


def test_any_other_server_error_stays_a_500(rf):
    from cluster_portal.views import server_error

    try:
        raise ValueError("a bug")
    except ValueError:
        response = server_error(rf.get("/"))
    assert response.status_code == 500
