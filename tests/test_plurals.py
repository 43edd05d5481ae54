"""Every count the portal shows agrees with its number in Russian: one, few and many forms.

Each phrase is rendered for 1, 2, 5, 11, 21 and 22 through the template, template tag or
function the pages themselves use (never a copy of the strings), and compared with what a
Russian editor would write.
"""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import strip_tags

from applications.forms import ApplicationForm
from applications.views.cabinet import _submitted_message
from applications.views.review import _decided_message
from core.documents import PDF, DocumentPolicy, check_uploads
from core.pagination import Page
from notifications.models import Notification
from notifications.services import render_notification

from .factories import AssociationFactory, UserFactory

COUNTS = (1, 2, 5, 11, 21, 22)


def forms(one: str, few: str, many: str) -> dict[int, str]:
    """The expected phrase for each count: 1 and 21 take `one`, 2 and 22 `few`, 5 and 11 `many`."""
    return {1: one, 2: few, 5: many, 11: many, 21: one, 22: few}


def text(html: str) -> str:
    return " ".join(strip_tags(html).replace("\xa0", " ").split())


def element(html: str, element_id: str) -> str:
    """The text of the element with this id (its tag's first closing tag ends it)."""
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</(p|div|span|li)>', html, re.S)
    assert match, f"#{element_id} is not on the page"
    return text(match.group(1))


@pytest.fixture(autouse=True)
def russian():
    with translation.override("ru"):
        yield


def page_request():
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    return request


@pytest.mark.parametrize("n", COUNTS)
def test_it_counts_unread_notifications_in_the_menu(client, db, n):
    expected = forms("непрочитанное уведомление", "непрочитанных уведомления", "непрочитанных уведомлений")
    user = UserFactory()
    Notification.objects.bulk_create(
        Notification(recipient=user, kind="application_approved", params={}) for _ in range(n)
    )
    client.force_login(user)
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert element(html, "unread-count") == f"{n} {expected[n]}"


@pytest.mark.parametrize("n", COUNTS)
def test_it_counts_the_applications_submitted_and_the_drafts_saved(n):
    submitted = forms(
        f"{n} заявка отправлена координаторам на рассмотрение.",
        f"{n} заявки отправлены координаторам на рассмотрение.",
        f"{n} заявок отправлено координаторам на рассмотрение.",
    )
    drafts = forms(
        f"Сохранён {n} черновик заявки. Подайте его, когда заполните полностью.",
        f"Сохранены {n} черновика заявок. Подайте их, когда заполните полностью.",
        f"Сохранено {n} черновиков заявок. Подайте их, когда заполните полностью.",
    )
    assert _submitted_message(ApplicationForm.SUBMIT, n) == submitted[n]
    assert _submitted_message(ApplicationForm.DRAFT, n) == drafts[n]


@pytest.mark.parametrize("n", COUNTS)
def test_it_counts_the_applications_decided_at_once(n):
    expected = forms(f"по {n} заявке", f"по {n} заявкам", f"по {n} заявкам")
    assert _decided_message(n) == f"Решение принято {expected[n]}."


@pytest.mark.parametrize("n", COUNTS)
def test_it_counts_the_files_a_document_field_accepts(n):
    policy = DocumentPolicy(types=(PDF,), max_size=1024 * 1024, max_count=n)
    expected = forms(f"Не более {n} файла,", f"Не более {n} файлов,", f"Не более {n} файлов,")
    expected[1] = "Один файл"
    assert policy.help_text().startswith(expected[1 if n == 1 else n])
    if n > 1:
        with pytest.raises(ValidationError) as refused:
            check_uploads([], policy, already_attached=n + 1)
        too_many = forms(f"не более {n} файла", f"не более {n} файлов", f"не более {n} файлов")
        assert f"К заявке можно приложить {too_many[n]} (уже приложено: {n + 1})." in refused.value.messages


@pytest.mark.parametrize("n", COUNTS)
@pytest.mark.parametrize(
    ("template", "context", "one", "few", "many"),
    [
        ("associations/includes/_directory_body.html", {}, "организация", "организации", "организаций"),
        ("projects/includes/_project_list_body.html", {"view": "list"}, "проект", "проекта", "проектов"),
    ],
)
def test_it_counts_the_results_of_a_search(db, n, template, context, one, few, many):
    expected = forms(one, few, many)
    page = Page(items=[], extra={"count": n, "more": False})
    html = render_to_string(template, {"page": page, "filters": {}, **context}, request=page_request())
    assert element(html, "result-count") == f"{n} {expected[n]}"


@pytest.mark.parametrize("n", COUNTS)
@pytest.mark.parametrize(
    ("template", "context", "one", "many"),
    [
        ("associations/includes/_directory_body.html", {}, "организации", "организаций"),
        ("projects/includes/_project_list_body.html", {"view": "list"}, "проекта", "проектов"),
    ],
)
def test_it_says_more_than_a_capped_count(db, n, template, context, one, many):
    expected = forms(one, many, many)
    page = Page(items=[], extra={"count": n, "more": True})
    html = render_to_string(template, {"page": page, "filters": {}, **context}, request=page_request())
    assert element(html, "result-count") == f"Более {n} {expected[n]}"


@pytest.mark.parametrize("n", COUNTS)
def test_it_counts_the_review_queue(db, n):
    expected = forms("заявка", "заявки", "заявок")
    page = SimpleNamespace(paginator=SimpleNamespace(count=n), object_list=[])
    html = render_to_string("applications/review/includes/_queue_body.html", {"page": page}, request=page_request())
    assert element(html, "queue-count") == f"{n} {expected[n]}"


@pytest.mark.parametrize("n", COUNTS)
def test_it_counts_the_cluster_on_the_home_page(db, n):
    figures = {"associations": n, "member_organisations": n, "projects": n, "regions": n, "projects_by_stage": []}
    html = render_to_string("pages/home.html", {"figures": figures}, request=page_request())
    expected = {
        "associations": forms("межотраслевое объединение", "межотраслевых объединения", "межотраслевых объединений"),
        "members": forms("организация-участник", "организации-участника", "организаций-участников"),
        "projects": forms("совместный проект", "совместных проекта", "совместных проектов"),
        "regions": forms("регион России", "региона России", "регионов России"),
    }
    for figure, phrases in expected.items():
        match = re.search(rf'data-figure="{figure}">(.*?)</p><p class="mb-0">(.*?)</p>', html, re.S)
        assert match, figure
        assert (text(match.group(1)), text(match.group(2))) == (str(n), phrases[n])


@pytest.mark.parametrize("n", COUNTS)
def test_it_counts_an_associations_members_and_projects(db, n):
    association = AssociationFactory()
    association.participant_count = association.partner_count = association.project_count = n
    html = text(render_to_string("pages/includes/_association_card.html", {"association": association}))
    participants = forms("участник", "участника", "участников")
    partners = forms("партнёр", "партнёра", "партнёров")
    projects = forms("проект", "проекта", "проектов")
    assert f"{n} {participants[n]} · {n} {partners[n]} · {n} {projects[n]}" in html


@pytest.mark.parametrize("n", COUNTS)
def test_it_counts_hours_days_and_applications_in_the_reminder_digest(db, n):
    reviewer = UserFactory(language="ru")
    item = {"id": 1, "organisation": "ООО «Аддитив»", "association": "3D-печать", "waiting_days": n, "url": "/r/1/"}
    params = {"count": n, "after_hours": n, "applications": [item]}
    mail = render_notification(Notification(recipient=reviewer, kind="application_reminder_digest", params=params))
    subject = forms(
        f"{n} заявка ожидает вашего рассмотрения",
        f"{n} заявки ожидают вашего рассмотрения",
        f"{n} заявок ожидают вашего рассмотрения",
    )
    hours = forms(f"более {n} часа:", f"более {n} часов:", f"более {n} часов:")
    days = forms(f"({n} день)", f"({n} дня)", f"({n} дней)")
    assert mail.subject == subject[n]
    for body in (text(mail.text), text(mail.html)):
        assert f"Эти заявки ожидают рассмотрения {hours[n]}" in body
        assert f"ООО «Аддитив» → 3D-печать {days[n]}" in body


@pytest.mark.parametrize("n", COUNTS)
def test_it_says_how_long_an_application_is_in_its_status(client, world, n):
    expected = forms(f"{n} минута", f"{n} минуты", f"{n} минут")
    changed = timezone.now() - timedelta(minutes=n, seconds=20)
    type(world.application).objects.filter(pk=world.application.pk).update(status_changed_at=changed)
    client.force_login(world.bob)
    html = client.get(
        reverse("applications:review-detail", args=[world.application.pk]), HTTP_ACCEPT_LANGUAGE="ru"
    ).content.decode()
    assert f"Время в этом статусе: {expected[n]}" in text(html)


def test_it_says_less_than_a_minute_rather_than_0_minutes(client, world):
    type(world.application).objects.filter(pk=world.application.pk).update(status_changed_at=timezone.now())
    client.force_login(world.bob)
    detail = text(client.get(reverse("applications:review-detail", args=[world.application.pk])).content.decode())
    queue = text(client.get(reverse("applications:review-queue")).content.decode())
    assert "Время в этом статусе: меньше минуты" in detail
    assert "меньше минуты" in queue
    assert "0 минут" not in detail + queue
