"""The OpenAPI schema validates, and a property-based run against it finds no server error and no
answer that breaks it (schemathesis through its Python API, bounded in examples and time)."""

import time

import pytest
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings

pytestmark = pytest.mark.django_db

# Examples per operation and per caller: 17 operations × 2 callers × this stays well under a minute.
EXAMPLES = 15
TIME_BUDGET = 90  # seconds, asserted: about 10 s on SQLite, 25 s on PostgreSQL when the machine is idle


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    settings.API_THROTTLE_ANON = settings.API_THROTTLE_TOKEN = "100000/min"


def test_the_schema_is_valid_openapi_3_1(client, world):
    from openapi_spec_validator import validate

    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"] == "3.1.0"
    validate(schema)
    assert "/api/v1/projects/" in schema["paths"] and "/api/v1/review/applications/" in schema["paths"]
    projects = schema["paths"]["/api/v1/projects/"]["get"]
    names = {p["name"] for p in projects["parameters"]}
    assert {"q", "association", "direction", "stage", "region", "cursor", "limit"} <= names
    assert {"200", "304", "400", "401", "403", "404", "429"} <= set(projects["responses"])
    assert set(schema["components"]["securitySchemes"]) == {"accessToken", "cookieAuth"}
    assert {} in projects["security"]
    assert {} not in schema["paths"]["/api/v1/me/applications/"]["get"]["security"]


def test_the_schema_speaks_the_callers_language(client, world):
    english = client.get("/api/schema/?format=json&lang=en").json()
    russian = client.get("/api/schema/?format=json", HTTP_ACCEPT_LANGUAGE="ru").json()
    assert english["paths"]["/api/v1/projects/"]["get"]["summary"] == "Joint projects"
    assert russian["paths"]["/api/v1/projects/"]["get"]["summary"] == "Совместные проекты"


def test_the_documentation_page_loads_swagger_from_static_files(client, world):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "/static/js/api-docs.js" in html
    assert 'data-schema-url="/api/schema/?format=json&amp;lang=ru"' in html
    assert "<script>" not in html and "style=" not in html and "cdn" not in html.lower()


@pytest.fixture
def keep_the_test_connection():
    """Requests straight to the WSGI application would close the test's database connection when they
    end, as Django does after each request; the test client leaves it open, and so do these."""
    from django.core import signals
    from django.db import close_old_connections

    for signal in (signals.request_started, signals.request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (signals.request_started, signals.request_finished):
        signal.connect(close_old_connections)


@pytest.mark.schemathesis
def test_no_server_error_and_no_answer_outside_the_schema(world, keep_the_test_connection):
    """Every operation, as a visitor and as an administrator's token with every scope."""
    import schemathesis
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    from api.services import token_create
    from cluster_portal.wsgi import application

    _, secret = token_create(user=world.admin, name="fuzz", scopes=["read", "own", "review"], expires_in_days=1)
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    checks = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == 16
    started = time.monotonic()
    for headers in ({}, {"Authorization": f"Bearer {secret}"}):
        for operation in operations:
            fuzz(operation, headers=headers, checks=checks)
    assert time.monotonic() - started < TIME_BUDGET


def fuzz(operation, *, headers: dict, checks: list) -> None:
    """EXAMPLES generated requests to one operation (the same ones each run), each answer checked."""

    @given(case=operation.as_strategy())
    @hypothesis_settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        case.call_and_validate(headers=headers, checks=checks)

    run()
