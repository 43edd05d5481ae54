"""The dashboard (/dashboard/): each figure's numbers against hand-built data, who sees what,
bad filters, and a query count that does not grow with the data.

The period is 5 October – 1 November 2026: four weeks starting on Mondays 5, 12, 19 and 26 October.
"""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.models import ApplicationStatus, MembershipApplication
from dashboard.forms import DashboardFilterForm
from dashboard.selectors import (
    SQLITE_DECISIONS_PER_ASSOCIATION,
    Filters,
    _decision_times_in_python,
    applications_per_week,
    dashboard_associations,
    decision_times,
    members_by_region,
    members_per_association,
    notifications_state,
    percentile_cont,
    projects_by_stage,
)
from members.models import Region
from notifications.models import Notification

from .factories import ApplicationFactory, MembershipFactory, OrganisationFactory, ProjectFactory, region

pytestmark = pytest.mark.django_db

URL = "/dashboard/"
PERIOD = {"date_from": "2026-10-05", "date_to": "2026-11-01"}


def at(day: str, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.fromisoformat(f"{day}T{hour:02d}:00"))


def application(association, status, submitted: str, decided: str | None = None):
    return ApplicationFactory(
        association=association,
        status=status,
        submitted_at=at(submitted),
        decided_at=at(decided) if decided else None,
    )


@pytest.fixture
def data(world):
    """Applications, decisions, memberships, projects and notifications of both associations."""
    A, P = ApplicationStatus, world.photonics
    additive = world.additive
    application(additive, A.APPROVED, "2026-10-05", "2026-10-07")  # 2 days
    application(additive, A.REJECTED, "2026-10-06", "2026-10-10")  # 4 days
    application(additive, A.APPROVED, "2026-10-12", "2026-10-22")  # 10 days
    application(additive, A.WITHDRAWN, "2026-10-13")
    application(additive, A.SUBMITTED, "2026-10-26")
    application(additive, A.IN_REVIEW, "2026-10-27")
    application(additive, A.APPROVED, "2026-09-01", "2026-09-03")  # before the period
    application(P, A.APPROVED, "2026-10-19", "2026-10-20")  # 1 day
    application(P, A.REJECTED, "2026-10-19", "2026-10-27")  # 8 days
    # Members: «Гранула» (77, world) in both; 50 and 78 in 3D printing; a suspended one is not counted.
    MembershipFactory(association=P, organisation=world.member_org)
    MembershipFactory(association=additive, organisation=OrganisationFactory(region=region("50")))
    MembershipFactory(association=additive, organisation=OrganisationFactory(region=region("78")))
    MembershipFactory(association=additive, organisation=OrganisationFactory(region=region("78")), status="suspended")
    MembershipFactory(association=P, organisation=OrganisationFactory(region=region("77")))
    # Projects: «Гранульный принтер» (idea, world) and these.
    ProjectFactory(association=additive, stage="development", visibility="staff")
    ProjectFactory(association=P, stage="replication")
    ProjectFactory(association=P, stage="replication")
    # Notifications: 3 waiting (pending or sending), 1 failed in the period, 1 failed before it, 1 sent.
    for status, created in [
        ("pending", "2026-08-01"),
        ("pending", "2026-10-10"),
        ("sending", "2026-10-11"),
        ("failed", "2026-10-12"),
        ("failed", "2026-09-12"),
        ("sent", "2026-10-12"),
    ]:
        Notification.objects.create(
            email="x@example.com", kind="application_submitted", email_status=status, created_at=at(created)
        )
    return world


def period(association=None) -> Filters:
    return Filters(start=datetime(2026, 10, 5).date(), end=datetime(2026, 11, 1).date(), association=association)


def table(figure) -> dict:
    return {label: values for label, values in figure.rows}


# The figures


def test_it_counts_applications_per_week_by_outcome(data):
    figure = applications_per_week(data.staff, period())
    assert figure.labels == ["05.10.2026", "12.10.2026", "19.10.2026", "26.10.2026"]
    assert [s.label for s in figure.series] == ["Одобрена", "Отклонена", "Отозвана", "Ещё не решена"]
    # approved, rejected, withdrawn, not decided yet
    assert [values for _label, values in figure.rows] == [[1, 1, 0, 0], [1, 0, 1, 0], [1, 1, 0, 0], [0, 0, 0, 2]]


def test_it_computes_decision_times_per_association(data):
    figure = decision_times(data.staff, period())
    # 3D printing: 2, 4, 10 days → median 4, 90th percentile 4 + 0.8 × 6 = 8.8; photonics: 1, 8 → 4.5, 7.3.
    assert table(figure) == {"3D-печать": [4.0, 8.8, 3], "Фотоника": [4.5, 7.3, 2]}
    assert [s.chart for s in figure.series] == [True, True, False]  # the count is in the table only


@pytest.mark.postgres
def test_it_computes_the_percentiles_in_postgresql(data):
    with CaptureQueriesContext(connection) as queries:
        figure = decision_times(data.staff, period())
    assert len(queries) == 1
    assert "PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY" in queries[0]["sql"]
    assert table(figure) == {"3D-печать": [4.0, 8.8, 3], "Фотоника": [4.5, 7.3, 2]}
    assert figure.notes == []


def test_it_computes_the_same_percentiles_without_postgresql(data):
    """The SQLite fallback (any database can run it): one query, the latest decisions of each association."""
    from django.db.models import DurationField, ExpressionWrapper, F

    decided = MembershipApplication.objects.filter(
        status__in=("approved", "rejected"), decided_at__gte=period().since, decided_at__lt=period().until
    )
    duration = ExpressionWrapper(F("decided_at") - F("submitted_at"), output_field=DurationField())
    with CaptureQueriesContext(connection) as queries:
        rows = _decision_times_in_python(decided, duration)
    assert len(queries) == 1
    assert rows == [("3D-печать", 3, 4.0, 8.8), ("Фотоника", 2, 4.5, 7.3)]


def test_it_interpolates_percentiles_as_postgresql_does():
    assert percentile_cont([5.0], 0.9) == 5.0
    assert percentile_cont([1.0, 2.0, 3.0, 4.0], 0.5) == 2.5
    assert percentile_cont([0.0, 10.0], 0.9) == 9.0
    assert SQLITE_DECISIONS_PER_ASSOCIATION >= 100


def test_it_counts_members_per_association_and_region(data):
    assert table(members_per_association(data.staff, period())) == {"3D-печать": [3], "Фотоника": [2]}
    # Distinct organisations: «Гранула» in both associations counts once.
    assert table(members_by_region(data.staff, period())) == {
        "Москва": [2],
        "Московская область": [1],
        "Санкт-Петербург": [1],
    }


def test_it_folds_regions_beyond_the_top_ten_into_other(world):
    codes = list(Region.objects.exclude(code="77").order_by("code").values_list("code", flat=True)[:11])
    for i, code in enumerate(codes):
        for _ in range(2 if i < 9 else 1):
            MembershipFactory(association=world.additive, organisation=OrganisationFactory(region=region(code)))
    figure = members_by_region(world.staff, period())
    assert len(figure.labels) == 11 and figure.labels[-1] == "Другие регионы"
    # 9 regions with 2 members; then, of the three with 1 (by code), the first; the other two together.
    values = figure.series[0].values
    assert values[:9] == [2] * 9 and values[9:] == [1, 2]
    assert figure.labels[9] == Region.objects.get(code=codes[9]).name


def test_it_counts_projects_by_stage(data):
    figure = projects_by_stage(data.staff, period())
    assert [s.label for s in figure.series] == [
        "Идея",
        "Разработка",
        "Продвижение",
        "Тиражирование",
        "Завершён",
        "Приостановлен",
    ]
    assert table(figure) == {"3D-печать": [1, 1, 0, 0, 0, 0], "Фотоника": [0, 0, 0, 2, 0, 0]}


def test_it_counts_pending_and_failed_notifications(data):
    assert table(notifications_state(data.staff, period())) == {"В ожидании": [3], "Ошибка": [1]}


def test_it_limits_figures_to_the_chosen_association(data):
    chosen = period(association=data.photonics)
    assert table(decision_times(data.staff, chosen)) == {"Фотоника": [4.5, 7.3, 2]}
    assert table(members_by_region(data.staff, chosen)) == {"Москва": [2]}
    assert table(projects_by_stage(data.staff, chosen)) == {"Фотоника": [0, 0, 0, 2, 0, 0]}
    assert [v for _l, v in applications_per_week(data.staff, chosen).rows][2] == [1, 1, 0, 0]


# Who sees what


def test_it_shows_a_coordinator_only_their_associations(client, data):
    client.force_login(data.bob)
    response = client.get(URL, PERIOD)
    assert response.status_code == 200
    figures = {f.key: f for f in response.context["figures"]}
    assert "notifications" not in figures  # notifications belong to no association
    assert table(figures["decision-times"]) == {"3D-печать": [4.0, 8.8, 3]}
    assert table(figures["members"]) == {"3D-печать": [3]}
    assert table(figures["regions"]) == {"Москва": [1], "Московская область": [1], "Санкт-Петербург": [1]}
    assert table(figures["projects"]) == {"3D-печать": [1, 1, 0, 0, 0, 0]}
    assert [v for _l, v in figures["applications"].rows][2] == [0, 0, 0, 0]
    # The association filter offers only theirs, and another association's slug is left out.
    assert [a.slug for a in response.context["form"].fields["association"].queryset] == ["additive"]
    response = client.get(URL, {**PERIOD, "association": "photonics"})
    assert response.context["filters"].association is None
    assert table({f.key: f for f in response.context["figures"]}["members"]) == {"3D-печать": [3]}


def test_it_shows_staff_and_administrators_everything(client, data):
    for who in (data.staff, data.admin):
        client.force_login(who)
        response = client.get(URL, PERIOD)
        assert response.status_code == 200
        assert [f.key for f in response.context["figures"]] == [
            "applications",
            "decision-times",
            "members",
            "regions",
            "projects",
            "notifications",
        ]
        assert list(dashboard_associations(who).order_by("slug").values_list("slug", flat=True)) == [
            "additive",
            "photonics",
        ]


@pytest.mark.parametrize("who", ["alice", "dave", "charlie"])
def test_it_refuses_everyone_else(client, data, who):
    client.force_login(data[who])
    assert client.get(URL).status_code == 403


def test_it_sends_visitors_to_sign_in(client, db):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("account_login"))


def test_it_links_the_dashboard_in_the_menu_for_those_allowed(client, data):
    for who, shown in [(data.staff, True), (data.bob, True), (data.admin, True), (data.dave, False)]:
        client.force_login(who)
        assert ('id="nav-dashboard"' in client.get("/cabinet/").content.decode()) is shown


# The page


def test_it_draws_charts_from_json_and_shows_tables(client, data):
    client.force_login(data.staff)
    html = client.get(URL, PERIOD).content.decode()
    for key in ("applications", "decision-times", "members", "regions", "projects", "notifications"):
        assert f'id="chart-{key}" class="dashboard-chart" role="img"' in html
        assert f'<script id="chart-{key}-data" type="application/json">' in html
        assert f'id="table-{key}"' in html
    # Days with one decimal, counts as whole numbers, each cell naming its column (a card on a phone).
    assert '<td class="text-lg-end" data-label="Медиана, дней">4,0</td>' in html
    assert '<td class="text-lg-end" data-label="90-й процентиль, дней">8,8</td>' in html
    assert '<td class="text-lg-end" data-label="Решений">3</td>' in html
    assert "vendor/chartjs/chart.umd.min.js" in html and "js/dashboard.js" in html
    assert "<script>" not in html and " style=" not in html  # no inline script or style (CSP)


def test_it_says_when_a_figure_has_no_data(client, world):
    client.force_login(world.staff)
    html = client.get(URL, {"date_from": "2020-01-06", "date_to": "2020-01-12"}).content.decode()
    assert 'id="figure-decision-times-empty"' in html


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "2026-13-45"},
        {"date_from": "2026-11-01", "date_to": "2026-10-01"},
        {"date_from": "2019-01-01", "date_to": "2026-10-01"},
        {"period": "decade"},
        {"association": "no-such-association"},
        {"date_to": "\x00"},
    ],
)
def test_it_leaves_out_bad_filters_with_a_message(client, world, params):
    client.force_login(world.staff)
    response = client.get(URL, params)
    assert response.status_code == 200
    filters = response.context["filters"]
    today = timezone.localdate()
    assert (filters.start, filters.end) == (today - timedelta(days=27), today)
    assert filters.association is None
    assert [m.level_tag for m in response.context["messages"]] == ["warning"]


def test_it_takes_a_preset_or_dates():
    today = datetime(2026, 12, 3).date()
    from associations.models import Association

    def filters(data):
        return DashboardFilterForm(data, associations=Association.objects.none()).filters(today)

    assert (filters({"period": "year"}).start, filters({"period": "year"}).end) == (datetime(2025, 12, 4).date(), today)
    assert filters({"period": "quarter"}).start == today - timedelta(days=90)
    assert filters({"date_from": "2026-11-01"}).start == datetime(2026, 11, 1).date()
    only_end = filters({"date_to": "2026-10-31"})
    assert (only_end.start, only_end.end) == (datetime(2026, 10, 4).date(), datetime(2026, 10, 31).date())
    assert DashboardFilterForm(None, associations=Association.objects.none()).filters(today).end == today


def _build_more(world, n):
    """n more applications, decisions, members, projects and notifications."""
    for i in range(n):
        organisation = OrganisationFactory(region=region(("50", "78", "16", "66")[i % 4]))
        MembershipFactory(association=world.photonics, organisation=organisation)
        application(
            world.additive, ApplicationStatus.APPROVED, f"2026-10-{5 + i % 20:02d}", f"2026-10-{6 + i % 20:02d}"
        )
        ProjectFactory(association=world.photonics, stage=("idea", "promotion")[i % 2])
        Notification.objects.create(email="x@example.com", kind="k", email_status="failed", created_at=at("2026-10-15"))


@pytest.mark.parametrize("more", [0, 30])
def test_it_runs_the_same_queries_whatever_the_data(client, data, django_assert_num_queries, more):
    _build_more(data, more)
    client.force_login(data.staff)
    # session, user, the association chosen (1), the six figures (6), the menu's unread count and
    # review link (2), the association choices of the form (1)
    with django_assert_num_queries(12):
        response = client.get(URL, {**PERIOD, "association": "photonics"})
    assert response.status_code == 200
