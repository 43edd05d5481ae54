"""Bad input answers 400 or is left out, never a server error (finding 4), tried by hypothesis.

For every list page, every GET parameter it reads (its FilterSet's fields, plus the cursor, page and
sort parameters) gets arbitrary text (NUL and other control characters included, surrogates
excluded), huge strings, raw bytes (percent-encoded), numbers and crafted cursors. Every form is
posted arbitrary values for its fields, signed in as someone who may use it. Each asserts a status
below 500. Bounded: the whole module runs in about a minute.
"""

import base64
import json
import re
from urllib.parse import quote, quote_from_bytes

import django_filters
import pytest
from django.apps import apps
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from applications.filters import ReviewFilterSet
from applications.forms import (
    ApplicationEditForm,
    ApplicationForm,
    ApplicationResponseForm,
    BulkDecisionForm,
    ReviewDecisionForm,
    WithdrawForm,
)
from applications.models import ApplicationStatus, MembershipApplication
from associations.directory import DirectoryFilterSet
from associations.models import AssociationMembership
from members.forms import InvitationForm, JoinRequestForm, OrganisationForm
from projects.forms import (
    MilestoneForm,
    ParticipantForm,
    ParticipationDecisionForm,
    ParticipationRequestForm,
    ProjectForm,
    StageForm,
)
from projects.selectors import ProjectFilterSet

from .factories import ApplicationFactory

# The list pages, with the FilterSet whose fields they read and who looks at them.
LIST_PAGES = {
    "/projects/": (ProjectFilterSet, None),
    "/members/": (DirectoryFilterSet, "dave"),
    "/review/": (ReviewFilterSet, "bob"),
    # The API's lists read the same FilterSets, and their own cursor.
    "/api/v1/projects/": (ProjectFilterSet, None),
    "/api/v1/organisations/": (DirectoryFilterSet, "dave"),
    "/api/v1/review/applications/": (ReviewFilterSet, "bob"),
}
PAGING_PARAMETERS = ("after", "before", "page", "sort", "view", "format", "cursor", "lang")

PROFILE = dict(
    deadline=None, database=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

# Values: text without surrogates (which cannot be encoded), huge strings, numbers, raw bytes, cursors.
texts = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
huge = st.builds(lambda ch, n: ch * n, st.characters(exclude_categories=("Cs",)), st.integers(1_000, 100_000))
numbers = st.one_of(st.integers(), st.floats(allow_nan=True, allow_infinity=True)).map(str)
special = st.sampled_from(["\x00", "²", "٣", "-1", "0", "1e309", "NaN", "last", "W251bGwsIG51bGxd", "[]", "{}"])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts,
    lambda inner: st.lists(inner, max_size=3),
    max_leaves=6,
)
cursors = json_values.map(lambda v: base64.urlsafe_b64encode(json.dumps(v).encode()).decode().rstrip("="))
text_values = st.one_of(texts, huge, numbers, special, cursors)
# Raw bytes go into the query string percent-encoded as they are (not necessarily UTF-8).
encoded_values = st.one_of(text_values.map(lambda v: quote(v, safe="")), st.binary(max_size=40).map(quote_from_bytes))


def list_parameters(filterset) -> list[str]:
    return sorted({*filterset.base_filters, *PAGING_PARAMETERS})


def test_every_filterset_of_the_portal_is_tried():
    """A new list page's FilterSet must be added to LIST_PAGES (and so to the property test)."""
    portal_apps = {config.name for config in apps.get_app_configs() if "site-packages" not in config.path}

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    ours = {cls for cls in subclasses(django_filters.FilterSet) if cls.__module__.split(".")[0] in portal_apps}
    ours = {cls for cls in ours if cls.__module__.split(".")[0] != "core"}  # PortalFilterSet, the base
    assert ours <= {filterset for filterset, _ in LIST_PAGES.values()}, ours


@pytest.mark.django_db
@pytest.mark.parametrize("path", sorted(LIST_PAGES))
@settings(max_examples=20, **PROFILE)
@given(data=st.data())
def test_list_pages_never_fail_on_their_parameters(client, world, path, data):
    filterset, who = LIST_PAGES[path]
    if who:
        client.force_login(world[who])
    names = list_parameters(filterset)
    chosen = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=4), label="parameters")
    pairs = [(quote(name), data.draw(encoded_values, label=name)) for name in chosen]
    response = client.get(f"{path}?{'&'.join(f'{k}={v}' for k, v in pairs)}")
    assert response.status_code < 500, pairs


# Forms: (URL builder, who signs in, the form classes whose fields are posted).


def _draft(world):
    """alice's draft to «Фотоника» (one per test: hypothesis runs its examples in one database)."""
    found = MembershipApplication.objects.filter(organisation=world.applicant_org, association=world.photonics)
    return found.first() or ApplicationFactory(
        organisation=world.applicant_org,
        association=world.photonics,
        applicant=world.alice,
        status=ApplicationStatus.DRAFT,
    )


def _photonics_member(world):
    AssociationMembership.objects.get_or_create(
        organisation=world.applicant_org, association=world.photonics, defaults={"status": "active"}
    )
    return reverse("projects:participation-request", args=["pellet"])


FORMS = {
    "apply": (lambda w: reverse("applications:apply"), "alice", [ApplicationForm, OrganisationForm]),
    "application-create": (
        lambda w: reverse("applications:application-create"),
        "alice",
        [ApplicationForm, OrganisationForm],
    ),
    "application-edit": (
        lambda w: reverse("applications:application-edit", args=[_draft(w).pk]),
        "alice",
        [ApplicationEditForm],
    ),
    "application-withdraw": (
        lambda w: reverse("applications:application-withdraw", args=[w.application.pk]),
        "alice",
        [WithdrawForm],
    ),
    "application-respond": (
        lambda w: reverse("applications:application-respond", args=[w.application.pk]),
        "alice",
        [ApplicationResponseForm],
    ),
    "review-action": (
        lambda w: reverse("applications:review-action", args=[w.application.pk, "reject"]),
        "bob",
        [ReviewDecisionForm],
    ),
    "review-bulk": (lambda w: reverse("applications:review-bulk"), "bob", [BulkDecisionForm]),
    "organisation-create": (lambda w: reverse("members:organisation-create"), "charlie", [OrganisationForm]),
    "organisation-edit": (
        lambda w: reverse("members:organisation-edit", args=[w.applicant_org.pk]),
        "alice",
        [OrganisationForm],
    ),
    "organisation-invite": (
        lambda w: reverse("members:organisation-invite", args=[w.applicant_org.pk]),
        "alice",
        [InvitationForm],
    ),
    "join-request-create": (lambda w: reverse("members:join-request-create"), "charlie", [JoinRequestForm]),
    "project-create": (lambda w: reverse("projects:project-create"), "bob", [ProjectForm]),
    "project-edit": (lambda w: reverse("projects:project-edit", args=["pellet"]), "bob", [ProjectForm]),
    "project-stage": (lambda w: reverse("projects:project-stage", args=["pellet"]), "bob", [StageForm]),
    "participant-add": (lambda w: reverse("projects:participant-add", args=["pellet"]), "bob", [ParticipantForm]),
    "milestone-add": (lambda w: reverse("projects:milestone-add", args=["pellet"]), "bob", [MilestoneForm]),
    "participation-request": (
        _photonics_member,
        "alice",
        [ParticipationRequestForm],
    ),
    "participation-decide": (
        lambda w: reverse("projects:participation-decide", args=["pellet", 999999]),
        "bob",
        [ParticipationDecisionForm],
    ),
    "profile": (lambda w: reverse("accounts:profile"), "alice", []),
    # Pages of other parts whose fields are read from the page itself (see `page_fields`).
    "privacy-consent": (lambda w: reverse("privacy:consent"), "alice", []),
    "privacy-delete": (lambda w: reverse("privacy:delete"), "alice", []),
    "api-tokens": (lambda w: reverse("api-tokens:list"), "alice", []),
}


_FIELDS: dict[str, list[str]] = {}


def form_fields(form_classes, page: str = "") -> list[str]:
    """The fields of the form classes, and those the page's HTML names (its inputs, selects, text areas)."""
    names = {"csrfmiddlewaretoken", "next", "query"}
    for form_class in form_classes:
        names |= set(form_class.base_fields)
    names |= set(re.findall(r'<(?:input|select|textarea)\b[^>]*\bname="([^"]+)"', page))
    return sorted(names)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(FORMS))
@settings(max_examples=8, **PROFILE)
@given(data=st.data())
def test_forms_never_fail_on_what_is_posted(client, world, name, data):
    build, who, form_classes = FORMS[name]
    client.force_login(world[who])
    url = build(world)
    if name not in _FIELDS:  # read once: the page may change with what the examples post
        shown = client.get(url)
        _FIELDS[name] = form_fields(form_classes, shown.content.decode() if shown.status_code == 200 else "")
    fields = _FIELDS[name]
    chosen = data.draw(st.lists(st.sampled_from(fields), min_size=1, max_size=len(fields)), label="fields")
    pairs = [(quote(field), data.draw(encoded_values, label=field)) for field in chosen]
    body = "&".join(f"{k}={v}" for k, v in pairs)
    response = client.post(url, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code < 500, (url, pairs)
