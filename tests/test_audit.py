"""The audit log: changes through a page, a service, the admin and a decide-once step; who reads what."""

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from applications.models import MembershipApplication
from applications.services import application_take_into_review
from associations.models import AssociationMembership
from audit.selectors import changes_of
from core import audit
from members.models import Organisation
from members.services import organisation_update

from .factories import ApplicationFactory, MembershipFactory, OrganisationFactory, ProjectFactory


@pytest.fixture(autouse=True)
def _fresh_log(world):
    """The world's own creation is logged too; each test starts from an empty log."""
    LogEntry.objects.all().delete()


def _entries(obj):
    return LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk)


def _profile(organisation, **changes) -> dict:
    data = {
        name: getattr(organisation, name)
        for name in ("legal_form", "kind", "inn", "ogrn", "kpp", "full_name", "short_name", "city", "email", "size")
    }
    data.update(region=organisation.region_id, show_email="on", **changes)
    return data


def test_a_change_through_a_page_leaves_one_entry_with_old_and_new_values(client, world):
    organisation = world.applicant_org
    client.force_login(world.alice)

    response = client.post(
        reverse("members:organisation-edit", args=[organisation.pk]), _profile(organisation, city="Зеленоград")
    )

    assert response.status_code == 302
    (entry,) = _entries(organisation)
    assert entry.action == LogEntry.Action.UPDATE
    assert entry.changes == {"city": ["Москва", "Зеленоград"]}
    assert entry.actor == world.alice


def test_a_change_through_a_service_names_the_person_who_asked(world):
    organisation = world.applicant_org

    organisation_update(organisation=organisation, user=world.carol, directions=[], short_name="ООО «Аддитив Про»")

    (entry,) = _entries(organisation)
    assert entry.changes == {"short_name": ["ООО «Аддитив»", "ООО «Аддитив Про»"]}
    assert entry.actor == world.carol


def test_a_change_through_the_admin_leaves_one_entry(client, world):
    membership = AssociationMembership.objects.get(organisation=world.member_org)
    client.force_login(world.admin)
    data = {
        "organisation": membership.organisation_id,
        "association": membership.association_id,
        "role": "partner",
        "status": "active",
        "since": membership.since.isoformat(),
        "ended_on": "",
    }

    response = client.post(reverse("admin:associations_associationmembership_change", args=[membership.pk]), data)

    assert response.status_code == 302, response.content[:2000]
    (entry,) = _entries(membership)
    assert entry.changes == {"role": ["participant", "partner"]}
    assert entry.actor == world.admin


def test_a_decide_once_step_is_recorded_with_its_actor(world):
    application = world.application
    application_take_into_review(application=application, reviewer=world.bob)
    LogEntry.objects.all().delete()

    application.approve(by=world.bob, comment="Добро пожаловать")

    status = [e for e in _entries(application) if "status" in e.changes]
    assert len(status) == 1
    assert status[0].changes["status"] == ["in_review", "approved"]
    assert status[0].actor == world.bob
    assert status[0].changes["decided_by"][1] == str(world.bob)
    membership = AssociationMembership.objects.get(organisation=world.applicant_org, association=world.additive)
    assert _entries(membership).get().actor == world.bob


def test_a_refused_step_writes_nothing(world):
    from core.transitions import Refused, change_once

    stale = MembershipApplication.objects.get(pk=world.application.pk)
    with pytest.raises(Refused):
        change_once(stale, expected={"status": "draft"}, values={"status": "withdrawn"}, actor=world.alice)
    assert not _entries(stale).exists()


def test_unaudited_models_and_unchanged_values_write_nothing(world):
    assert audit.record_change(world.alice, old={"email": "x"}) is None
    organisation = world.member_org
    assert audit.record_change(organisation, old={"city": organisation.city}) is None


# The page /history/


@pytest.fixture
def history(world):
    """One entry about each association's application, and one about an organisation."""
    other = ApplicationFactory(association=world.photonics, status="submitted")
    LogEntry.objects.all().delete()
    with audit.acting_as(world.admin):
        other.motivation = "Другое"
        other.save()
        world.application.motivation = "Новое"
        world.application.save()
        organisation_update(organisation=world.member_org, user=world.dave, directions=[], city="Химки")
    return other


def test_a_coordinator_reads_only_the_entries_of_their_associations(client, world, history):
    client.force_login(world.bob)

    response = client.get(reverse("audit:history"))

    assert response.status_code == 200
    shown = {(e.content_type.model, e.object_id) for e in response.context["page"]}
    assert ("membershipapplication", world.application.pk) in shown
    assert ("membershipapplication", history.pk) not in shown
    assert ("organisation", world.member_org.pk) not in shown
    response = client.get(reverse("audit:history"), {"object": history.pk, "type": "application"})
    assert list(response.context["page"]) == []


def test_members_and_visitors_cannot_read_the_history(client, world):
    assert client.get(reverse("audit:history")).status_code == 302
    client.force_login(world.alice)
    assert client.get(reverse("audit:history")).status_code == 403
    assert b'id="nav-history"' not in client.get(reverse("pages:cabinet")).content


def test_the_account_menu_links_the_history_for_those_who_may_read_it(client, world):
    from core.permissions import may_read_history, may_use_staff_tools

    for name in ("alice", "bob", "erin", "dave", "charlie", "staff", "admin"):
        user = world[name]
        # the layout answers one from the other (core.context_processors)
        assert may_read_history(user) == may_use_staff_tools(user), name
    client.force_login(world.bob)
    assert b'id="nav-history"' in client.get(reverse("pages:cabinet")).content


def test_the_filters_narrow_the_list(client, world, history):
    client.force_login(world.staff)
    url = reverse("audit:history")

    def shown(**params):
        return [(e.content_type.model, e.object_id) for e in client.get(url, params).context["page"]]

    assert ("organisation", world.member_org.pk) in shown()
    assert shown(type="organisation") == [("organisation", world.member_org.pk)]
    assert shown(object="Гранула") == [("organisation", world.member_org.pk)]
    assert shown(user="dave@") == [("organisation", world.member_org.pk)]
    assert ("organisation", world.member_org.pk) not in shown(user=world.admin.email)
    assert shown(date_from="2000-01-01", date_to="2000-01-02") == []
    assert len(shown(type="nonsense", date_from="yesterday")) == len(shown())


def test_each_entry_shows_who_when_and_the_translated_field_names(client, world, history):
    client.force_login(world.admin)
    with translation.override("ru"):
        text = client.get(
            reverse("audit:history"), {"type": "organisation"}, HTTP_ACCEPT_LANGUAGE="ru"
        ).content.decode()
    assert "Москва → Химки" in text
    assert world.dave.short_display_name in text
    entry = LogEntry(content_type=ContentType.objects.get_for_model(Organisation), changes={"size": ["small", "large"]})
    with translation.override("en"):
        (change,) = changes_of(entry)
    assert (change.field, change.old, change.new) == ("enterprise category", "Small enterprise", "Large enterprise")
    entry.changes = {"directions": {"type": "m2m", "operation": "add", "objects": ["Фотоника"]}, "gone": ["a", "None"]}
    first, second = changes_of(entry)
    assert (first.old, first.new, second.field, second.new) == ("—", "Фотоника", "gone", "—")


def test_the_history_page_runs_a_fixed_number_of_queries(client, world):
    client.force_login(world.admin)
    url = reverse("audit:history")

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    count()  # the content types of the audited models are cached once per process
    for _n in range(3):
        ProjectFactory(association=world.additive, lead_organisation=OrganisationFactory())
        MembershipFactory(association=world.photonics)
    few = count()
    for _n in range(30):
        MembershipFactory(association=world.photonics)
        ProjectFactory(association=world.additive, lead_organisation=OrganisationFactory())
    # the session, the user, the page of entries with their actors and types (the unread notifications'
    # count was cached by the first request: notifications/unread.py)
    assert count() == few == 3


def test_nothing_is_recorded_while_the_log_is_paused(world):
    application = world.application
    with audit.paused():
        application.take_into_review(by=world.bob)
        audit.record_many([(world.member_org, audit.UPDATE, {"city": ["a", "b"]})])
        organisation_update(organisation=world.member_org, user=world.dave, directions=[], city="Химки")
    assert not LogEntry.objects.exists()
