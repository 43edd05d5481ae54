"""core.db.replica: anonymous reads of public pages go to the replica, everything else to the primary.

The test database has no second server; the replica's alias is pointed at the primary, and the
router's answers are recorded, which is what decides where a query goes.
"""

import pytest
from django.test import override_settings
from django.urls import reverse

from core.db import replica
from members.models import Organisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def routed(monkeypatch):
    """The replica configured (as the primary's alias); yields the router's read decisions."""
    decisions = []
    original = replica.ReplicaRouter.db_for_read

    def recording(self, model, **hints):
        decisions.append(original(self, model, **hints))
        return decisions[-1]

    monkeypatch.setattr(replica, "REPLICA", "default")
    monkeypatch.setattr(replica, "replica_configured", lambda: True)
    monkeypatch.setattr(replica.ReplicaRouter, "db_for_read", recording)
    return decisions


def test_without_a_replica_every_read_stays_on_the_primary():
    router = replica.ReplicaRouter()
    token = replica._reading_from_replica.set(True)
    try:
        assert router.db_for_read(Organisation) is None
    finally:
        replica._reading_from_replica.reset(token)
    assert router.db_for_write(Organisation) == "default"
    assert router.allow_migrate("default", "members") and not router.allow_migrate("replica", "members")


@override_settings(REPLICA_READ_PAGES=["pages:association-list"])
def test_an_anonymous_public_page_reads_from_the_replica(client, world, routed):
    assert client.get(reverse("pages:association-list")).status_code == 200
    assert "default" in routed  # the replica's alias was chosen for the page's reads
    assert replica.reading_from_replica() is False  # the mark ends with the request


@override_settings(REPLICA_READ_PAGES=["pages:association-list"])
def test_a_signed_in_user_other_pages_and_writes_use_the_primary(client, world, routed):
    client.force_login(world.alice)
    assert client.get(reverse("pages:association-list")).status_code == 200
    assert set(routed) == {None}
    client.logout()
    routed.clear()
    client.get(reverse("projects:project-list"))
    assert set(routed) <= {None}
    routed.clear()
    client.post(reverse("pages:association-list"))
    assert set(routed) <= {None}
