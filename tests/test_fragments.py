"""Cached fragments of list pages (core/fragments.py) and filter options (associations/choices.py):
drawn once, shown fresh at once after a change, drawn directly when the cache is down."""

from datetime import UTC
from unittest import mock

import pytest
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import translation

from applications.models import ApplicationStatus, MembershipApplication
from core import fragments, versioned_cache
from members.models import Direction, Region
from projects.services import project_change_stage

from .factories import ProjectFactory

pytestmark = pytest.mark.django_db


def drawn_templates(client, path: str, **params) -> tuple[str, list[str]]:
    """The page's HTML and the fragment templates drawn while answering it."""
    names = []
    real = fragments.render_to_string

    def spy(template_name, context=None, *args, **kwargs):
        names.append(template_name)
        return real(template_name, context, *args, **kwargs)

    with mock.patch.object(fragments, "render_to_string", side_effect=spy):
        response = client.get(path, params)
    assert response.status_code == 200
    return response.content.decode(), names


def results(html: str) -> str:
    return html.split('id="project-results"')[1].split("</div>\n  <nav")[0]


def test_project_cards_are_drawn_once_and_show_a_change_at_once(client, world):
    ProjectFactory(association=world.additive, title="Вторая установка")
    html, drawn = drawn_templates(client, "/projects/")
    assert "Гранульный принтер" in html and drawn.count("projects/includes/_project_card.html") == 2
    again, drawn = drawn_templates(client, "/projects/")
    assert results(again) == results(html) and drawn == []  # both cards from the cache

    world.project.title = "Гранульный принтер 2.0"
    world.project.save()  # post_save bumps "projects"
    html, drawn = drawn_templates(client, "/projects/")
    assert "Гранульный принтер 2.0" in html and len(drawn) == 2

    # A decide-once stage change writes with a conditional UPDATE: it bumps the group itself.
    project_change_stage(project=world.project, user=world.bob, stage="development")
    html, _ = drawn_templates(client, "/projects/", view="board")
    board_column = html.split('id="column-development"')[1].split("</section>")[0]
    assert "Гранульный принтер 2.0" in board_column


def test_an_association_renamed_shows_on_the_project_cards_at_once(client, world):
    drawn_templates(client, "/projects/")
    world.additive.name = "Аддитивные технологии"
    world.additive.save()
    html, drawn = drawn_templates(client, "/projects/")
    assert "Аддитивные технологии" in html and drawn


def test_directory_rows_show_a_new_direction_at_once(client, world):
    client.force_login(world.dave)
    html, drawn = drawn_templates(client, "/members/")
    assert "ООО «Гранула»" in html and drawn
    assert drawn_templates(client, "/members/")[1] == []

    robotics = Direction.objects.create(slug="robotics-x", name="Робототехника X", name_en="Robotics X")
    world.member_org.directions.add(robotics)  # m2m_changed bumps "organisations"
    html, drawn = drawn_templates(client, "/members/")
    assert "Робототехника X" in html and drawn


def test_fragments_are_kept_per_language(world):
    def card(language: str) -> str:
        with translation.override(language):
            [(_project, html)] = fragments.rendered_each(
                [world.project], "projects/includes/_project_card.html", as_name="project", groups=("projects",)
            )
        return html

    assert "Гранульный принтер" in card("ru")
    assert world.project.title_en in card("en") and "Гранульный принтер" not in card("en")


def test_directory_rows_are_drawn_with_their_directions_when_the_cache_is_down(client, world):
    robotics = Direction.objects.create(slug="robotics-y", name="Робототехника Y", name_en="Robotics Y")
    world.member_org.directions.add(robotics)
    client.force_login(world.dave)
    with mock.patch.object(cache, "get_many", side_effect=ConnectionError("down")):
        html, drawn = drawn_templates(client, "/members/")
    assert "Робототехника Y" in html and drawn


def test_review_rows_show_a_reviewer_and_a_renamed_organisation_at_once(client, world):
    client.force_login(world.bob)
    html, drawn = drawn_templates(client, "/review/")
    assert "ООО «Аддитив»" in html and drawn
    assert drawn_templates(client, "/review/")[1] == []

    MembershipApplication.objects.filter(pk=world.application.pk).update(
        status=ApplicationStatus.IN_REVIEW, assigned_to=world.bob
    )  # an UPDATE, as the decide-once step writes: it says so (the page), the row's key holds the rest
    versioned_cache.model_changed(MembershipApplication)
    html, drawn = drawn_templates(client, "/review/")
    assert "Борисов" in html and drawn

    world.applicant_org.short_name = "ООО «Аддитив-Про»"
    world.applicant_org.save()
    html, drawn = drawn_templates(client, "/review/")
    assert "ООО «Аддитив-Про»" in html and drawn


def test_fragments_are_drawn_directly_when_the_cache_is_down(client, world):
    with mock.patch.object(cache, "get_many", side_effect=ConnectionError("down")):
        html, drawn = drawn_templates(client, "/projects/")
    assert "Гранульный принтер" in html and drawn == ["projects/includes/_project_card.html"]
    with mock.patch.object(cache, "set_many", side_effect=ConnectionError("down")):
        html, _ = drawn_templates(client, "/projects/")
    assert "Гранульный принтер" in html


def test_a_cached_fragment_is_the_template_s_own_output(world):
    [(project, card)] = fragments.rendered_each(
        [world.project], "projects/includes/_project_card.html", as_name="project", groups=("projects",)
    )
    assert card == render_to_string("projects/includes/_project_card.html", {"project": world.project})


def test_filter_options_are_cached_and_a_new_region_shows_at_once(client, world):
    client.get("/projects/")
    response = client.get("/projects/")
    assert response.content.decode().count('<option value="77"') == 1
    Region.objects.create(code="00", name="Тестовый регион", name_en="Test region")
    html = client.get("/projects/").content.decode()
    assert '<option value="00">Тестовый регион</option>' in html


def test_filter_options_keep_the_chosen_value(client, world):
    html = client.get("/projects/", {"region": "77", "stage": "idea"}).content.decode()
    assert '<option value="77" selected>' in html and '<option value="idea" selected>' in html
    client.force_login(world.bob)
    html = client.get("/review/", {"region": "77"}).content.decode()
    assert '<option value="77" selected>' in html
    assert '<select name="region" class="form-select" id="id_region">' in html


@pytest.mark.parametrize("value", ["", "b", None])
def test_quick_select_writes_what_django_s_select_writes(value):
    from django import forms
    from django.test.html import parse_html

    from core.forms import QuickSelect

    choices = [("", "Любой"), ("a", "Ааа & <б>"), ("Группа", [("b", "Бэ"), ("c", "Цэ")])]
    attrs = {"class": "form-select", "id": "id_x", "required": True, "disabled": False}
    quick = QuickSelect(attrs=attrs, choices=choices).render("x", value)
    django = forms.Select(attrs=attrs, choices=choices).render("x", value)
    assert parse_html(quick) == parse_html(django)


def test_the_directory_body_is_kept_per_query_and_shows_a_new_member_at_once(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .factories import MembershipFactory, OrganisationFactory

    client.force_login(world.dave)
    first = client.get("/members/", {"q": "Гранула"}).content.decode()
    assert "ООО «Гранула»" in first
    with CaptureQueriesContext(connection) as captured:
        again = client.get("/members/", {"q": "Гранула"}).content.decode()
    assert not any('FROM "members_organisation"' in q["sql"] for q in captured.captured_queries)
    assert again.split('id="directory-filters"')[1] == first.split('id="directory-filters"')[1]

    MembershipFactory(organisation=OrganisationFactory(short_name="ООО «Гранула-Север»"), association=world.additive)
    assert "ООО «Гранула-Север»" in client.get("/members/", {"q": "Гранула"}).content.decode()


def test_the_directory_body_keeps_the_export_links_to_staff(client, world):
    client.force_login(world.dave)
    assert 'id="export-links"' not in client.get("/members/").content.decode()
    client.force_login(world.staff)
    assert 'id="export-links"' in client.get("/members/").content.decode()
    client.force_login(world.dave)
    assert 'id="export-links"' not in client.get("/members/").content.decode()


def test_the_project_list_body_is_kept_per_visibility_scope(client, world):
    """A members-only project is listed to a member and never, from the cache, to a visitor or a
    signed-in person who is not a member."""
    from .factories import UserFactory

    ProjectFactory(association=world.additive, title="Закрытая установка", visibility="members")
    client.force_login(world.dave)  # a member organisation's representative
    assert "Закрытая установка" in client.get("/projects/", {"sort": "title"}).content.decode()
    client.force_login(UserFactory())
    assert "Закрытая установка" not in client.get("/projects/", {"sort": "title"}).content.decode()
    client.logout()
    assert "Закрытая установка" not in client.get("/projects/", {"sort": "title"}).content.decode()
    client.force_login(world.staff)
    page = client.get("/projects/", {"sort": "title"}).content.decode()
    assert "Закрытая установка" in page and 'id="export-links"' in page


def test_the_project_list_body_shows_a_new_project_at_once(client, world):
    client.force_login(world.dave)
    assert "Новая линия" not in client.get("/projects/", {"view": "board"}).content.decode()
    ProjectFactory(association=world.additive, title="Новая линия")
    assert "Новая линия" in client.get("/projects/", {"view": "board"}).content.decode()


# Forms drawn without one template per option, and pages kept whole below their heading


def test_check_options_write_what_crispy_s_template_writes(world):
    """The override of crispy-bootstrap5's checkbox list writes the package's markup: checked,
    disabled, a group's name, the errors inside the last option."""
    from pathlib import Path

    import crispy_bootstrap5
    from django import forms
    from django.template import Context, Engine
    from django.template.loader import get_template
    from django.test.html import parse_html

    from applications.forms import AssociationCheckboxes

    class Form(forms.Form):
        choice = forms.MultipleChoiceField(
            choices=[("a", "Ааа & <б>"), ("Группа", [("b", "Бэ"), ("c", "Цэ")])],
            widget=AssociationCheckboxes,
        )

    package = Path(crispy_bootstrap5.__file__).parent / "templates/bootstrap5/layout/radio_checkbox_select.html"
    original = Engine.get_default().from_string(package.read_text())
    for data in ({"choice": ["b"]}, {"choice": ["zzz"]}):  # chosen; an error
        form = Form(data)
        form.fields["choice"].widget.unavailable = frozenset({"c"})
        form.is_valid()
        for inline_class in ("", "inline"):
            context = {"field": form["choice"], "inline_class": inline_class, "field_class": "x"}
            ours = get_template("bootstrap5/layout/radio_checkbox_select.html").render(context)
            theirs = original.render(Context(context))
            assert parse_html(ours) == parse_html(theirs)
    assert "disabled" in ours and "is-invalid" in ours


def test_the_application_form_draws_its_options_without_a_query_and_shows_a_new_direction(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from applications.forms import ApplicationForm

    translation.activate("ru")
    ApplicationForm(user=world.dave)  # the cached choices are computed
    with CaptureQueriesContext(connection) as captured:
        form = ApplicationForm(user=world.dave)
    asked = len(captured)
    with CaptureQueriesContext(connection) as captured:
        html = str(form["associations"]) + str(form["directions"]) + str(form["organisation"])
    assert len(captured) == 0 and asked <= 3  # the organisations, its memberships, its applications
    assert "Фотоника" in html and "ООО «Гранула»" in html

    Direction.objects.create(slug="quantum", name="Квантовые технологии", name_en="Quantum")
    assert "Квантовые технологии" in str(ApplicationForm(user=world.dave)["directions"])
    # dave's organisation is a member of «3D-печать»: drawn disabled, the reason above the form.
    page = client_page(client, world.dave, "/cabinet/applications/new/")
    assert f'value="{world.additive.pk}" id="id_associations_0" disabled>' in page
    assert "уже является участником" in page.split('id="unavailable-associations"')[1].split("</div>")[0]


def client_page(client, user, path: str) -> str:
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_waiting_step_changes_whenever_the_waiting_time_in_words_may(settings):
    """The review queue's rows are kept while their key holds; the key has `waiting_step` instead of
    the words themselves: two moments with the same step must show the same words."""
    import random
    from datetime import datetime, timedelta

    from applications.views.review import waiting_step
    from core.templatetags.typography import elapsed

    rng = random.Random(14)
    since = datetime(2026, 1, 31, 13, 17, 41, tzinfo=UTC)
    for _ in range(3000):
        waited = timedelta(seconds=rng.randrange(0, 800 * 86400))
        first = since + waited
        second = first + timedelta(seconds=rng.choice([1, 30, 59, 600, 3599, 3600, 86399, 86400, 7 * 86400]))
        if waiting_step(since, first) == waiting_step(since, second):
            assert elapsed(since, first) == elapsed(since, second), (waited, second - first)


def test_the_organisation_page_is_kept_per_reader_s_view_and_shows_a_change_at_once(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from .factories import MembershipFactory

    world.member_org.email = "secret@granula.example"
    world.member_org.show_email = False
    world.member_org.save()
    path = f"/members/{world.member_org.pk}/"
    own = client_page(client, world.dave, path)  # its owner: the hidden e-mail and the suggestions
    assert "secret@granula.example" in own and 'id="suggestions"' in own
    with CaptureQueriesContext(connection) as captured:
        again = client.get(path).content.decode()
    assert again.split("<h1>")[1] == own.split("<h1>")[1]
    assert len(captured) <= 7, [
        q["sql"][:90] for q in captured
    ]  # session, user, the directory's check, the organisation, the reader's view

    other = client_page(client, world.bob, path)  # a coordinator: neither
    assert "secret@granula.example" not in other and 'id="suggestions"' not in other

    MembershipFactory(organisation=world.member_org, association=world.photonics)
    assert "Фотоника" in client_page(client, world.bob, path).split('id="associations-heading"')[1]
    world.project.title = "Гранульный принтер 3.0"
    world.project.save()
    assert "Гранульный принтер 3.0" in client_page(client, world.bob, path)


def test_the_review_filters_are_kept_per_overseen_associations_and_follow_a_rename(client, world):
    def association_options(user, **params) -> str:
        client.force_login(user)
        page = client.get("/review/", params).content.decode()
        return page.split('name="association"')[1].split("</select>")[0]

    assert "3D-печать" in association_options(world.bob) and "Фотоника" not in association_options(world.bob)
    # erin coordinates «Фотоника» only: the form kept for bob is not hers.
    assert "Фотоника" in association_options(world.erin) and "3D-печать" not in association_options(world.erin)
    staff = association_options(world.staff)
    assert "Фотоника" in staff and "3D-печать" in staff
    chosen = association_options(world.bob, association=world.additive.pk, page=2)
    assert f'value="{world.additive.pk}" selected' in chosen
    world.additive.name = "Аддитивные технологии"
    world.additive.save()
    assert "Аддитивные технологии" in association_options(world.bob)


def test_the_application_form_is_drawn_once_per_content_with_its_own_token(client, world):
    import re

    from .factories import AssociationFactory

    client.force_login(world.dave)
    first = client.get("/cabinet/applications/new/").content.decode()
    second = client.get("/cabinet/applications/new/").content.decode()
    tokens = [re.search(r'name="form_token" value="([0-9a-f]{32})"', page).group(1) for page in (first, second)]
    assert tokens[0] != tokens[1] and "form-token-placeholder" not in second
    unmasked = [re.sub(r'name="csrfmiddlewaretoken" value="\w+"', "", page) for page in (first, second)]
    assert unmasked[1].replace(tokens[1], tokens[0]) == unmasked[0]

    # What the form shows is its key: a new association, a chosen one, a membership ended.
    AssociationFactory(name="Квантовые сенсоры", slug="quantum")
    assert "Квантовые сенсоры" in client.get("/cabinet/applications/new/").content.decode()
    chosen = client.get("/cabinet/applications/new/", {"association": "photonics"}).content.decode()
    assert re.search(rf'value="{world.photonics.pk}" id="id_associations_\d+" checked', chosen)
    world.member_org.memberships.all().delete()
    page = client.get("/cabinet/applications/new/").content.decode()
    assert not re.search(rf'value="{world.additive.pk}" id="id_associations_\d+" disabled', page)


def test_the_review_queue_reads_its_rows_whole_only_to_draw_them(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def organisation_reads(captured) -> list:
        return [q for q in captured.captured_queries if '"members_organisation"."inn"' in q["sql"]]

    client.force_login(world.bob)
    with CaptureQueriesContext(connection) as first:
        html = client.get("/review/").content.decode()
    with CaptureQueriesContext(connection) as second:
        again = client.get("/review/").content.decode()
    assert len(organisation_reads(first)) == 1 and organisation_reads(second) == []
    assert world.applicant_org.inn in html and again.split("<tbody>")[1] == html.split("<tbody>")[1]


def test_a_row_gone_between_the_narrow_and_the_whole_read_is_left_out(world):
    """The review queue reads its page narrow, then whole only the rows it draws: an application
    deleted in between is left out of the table rather than failing the page."""
    from applications.views.review import queue_rows

    from .factories import ApplicationFactory

    other = ApplicationFactory(association=world.additive, status=ApplicationStatus.SUBMITTED)
    narrow = list(MembershipApplication.objects.filter(pk__in=[world.application.pk, other.pk]).order_by("pk"))
    other.delete()
    rows = queue_rows(narrow, can_decide=True, complete=MembershipApplication.objects.all())
    assert [application.pk for application, _row in rows] == [world.application.pk]
    assert world.applicant_org.short_name in str(rows[0][1])


def test_the_cabinet_s_lists_are_kept_per_user_and_show_every_change_at_once(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from applications.services import application_take_into_review
    from core import versioned_cache
    from members.models import JoinRequest, Representative

    def row(html: str) -> str:
        return html.split(f'data-application="{world.application.pk}"')[1].split("</tr>")[0]

    first = client_page(client, world.alice, "/cabinet/")
    assert "Подана" in row(first) and "ООО «Аддитив»" in first
    with CaptureQueriesContext(connection) as captured:
        again = client.get("/cabinet/").content.decode()
    assert again.split("<h1>")[1] == first.split("<h1>")[1]
    # the session, the user and the layout's coordinator check (permissions are read live)
    assert len(captured) <= 3, [q["sql"][:90] for q in captured]

    # Another user's cabinet is their own, not the first one's.
    assert "ООО «Аддитив»" not in client_page(client, world.dave, "/cabinet/").split('id="organisations-heading"')[1]

    application_take_into_review(application=world.application, reviewer=world.bob)  # an UPDATE: no signal
    assert "На рассмотрении" in row(client_page(client, world.alice, "/cabinet/"))

    JoinRequest.objects.create(organisation=world.applicant_org, user=world.erin)
    assert "erin@example.com" in client_page(client, world.alice, "/cabinet/")
    world.erin.last_name = "Светлова"
    world.erin.save()
    assert "Светлова" in client_page(client, world.alice, "/cabinet/")

    world.applicant_org.short_name = "ООО «Аддитив Плюс»"
    world.applicant_org.save()
    assert "ООО «Аддитив Плюс»" in row(client_page(client, world.alice, "/cabinet/"))

    assert "ООО «Аддитив Плюс»" in client_page(client, world.carol, "/cabinet/")
    Representative.objects.filter(user=world.carol).delete()
    assert "ООО «Аддитив Плюс»" not in client_page(client, world.carol, "/cabinet/")

    # A sign-in writes the user's last_login: no other cabinet is drawn anew for it.
    before = versioned_cache.versions(["applications"])
    client.force_login(world.bob)
    assert versioned_cache.versions(["applications"]) == before


def test_the_cabinet_is_drawn_directly_when_the_cache_is_down(client, world):
    from django.core.cache import cache

    client.force_login(world.alice)
    with mock.patch.object(cache, "get_many", side_effect=ConnectionError("down")):
        response = client.get("/cabinet/")
    assert response.status_code == 200 and "ООО «Аддитив»" in response.content.decode()
