import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from accounts.models import User
from applications.models import ApplicationStatus, MembershipApplication
from associations.models import Association, AssociationMembership
from members.models import Organisation
from members.validators import validate_inn, validate_ogrn
from notifications.models import Notification
from projects.models import Project, ProjectParticipant, Stage, StageChange, Visibility

pytestmark = pytest.mark.django_db

MODELS = [
    User,
    Organisation,
    Association,
    AssociationMembership,
    MembershipApplication,
    Project,
    ProjectParticipant,
    StageChange,
]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True  # demo accounts with the demo password are for DEBUG only
    call_command("seed_demo", verbosity=0)


def test_running_it_twice_changes_nothing(seeded):
    before = counts()
    call_command("seed_demo", verbosity=0)
    assert counts() == before


def test_it_loads_the_article(seeded):
    assert Association.objects.count() == 14
    assert Project.objects.count() == 36
    members = Organisation.objects.filter(memberships__status="active").distinct().count()
    assert members > 850
    printing = Association.objects.get(slug="3d-printing-industrial-design")
    participants = printing.memberships.filter(role="participant", status="active")
    assert participants.count() == 35
    assert participants.filter(organisation__region__code="77").count() == 35
    partners = set(printing.memberships.filter(role="partner").values_list("organisation__short_name", flat=True))
    assert {"Московский политех", "Корпорация развития Зеленограда"} <= partners
    assert Association.objects.get(slug="photonics").memberships.filter(status="active").count() == 39
    pellet = Project.objects.get(slug="pellet-printer")
    assert pellet.association == printing
    assert pellet.title == "Гранульный 3D-принтер для крупногабаритных изделий"
    assert pellet.lead_organisation.short_name == "ООО «ГранулаПринт»"
    assert Project.objects.filter(slug="passive-photonic-ics", association__slug="photonics").exists()


def test_it_covers_every_status_stage_and_visibility(seeded):
    assert set(MembershipApplication.objects.values_list("status", flat=True)) == set(ApplicationStatus.values)
    assert set(Project.objects.values_list("stage", flat=True)) == set(Stage.values)
    assert set(Project.objects.values_list("visibility", flat=True)) == set(Visibility.values)


def test_generated_organisations_carry_valid_identifiers(seeded):
    for inn, ogrn, kpp, form in Organisation.objects.values_list("inn", "ogrn", "kpp", "legal_form"):
        validate_inn(inn)
        validate_ogrn(ogrn)
        assert (len(kpp) == 9) == (form == "legal_entity")


def test_it_refuses_demo_accounts_in_production_without_a_password(settings):
    with pytest.raises(CommandError):
        call_command("seed_demo", verbosity=0)
    assert not User.objects.exists()
    call_command("seed_demo", "--password", "a-real-secret-2026", verbosity=0)
    assert User.objects.get(email="admin@cluster.local").check_password("a-real-secret-2026")


@pytest.mark.parametrize(
    "language,texts",
    [
        ("ru", ["3D-печать и промышленный дизайн", "Фотоника", "Межотраслевые объединения"]),
        ("en", ["3D printing and industrial design", "Photonics", "Interindustry associations"]),
    ],
)
def test_pages_render_the_demo_content_in_both_languages(seeded, client, language, texts):
    client.cookies["django_language"] = language
    page = client.get("/associations/").content.decode()
    for text in texts:
        assert text in page
    detail = client.get("/associations/3d-printing-industrial-design/").content.decode()
    assert "Московский политех" in detail
    with translation.override(language):
        title = Project.objects.get(slug="pellet-printer").localized_title
    assert title in client.get("/projects/pellet-printer/").content.decode()
    assert f'lang="{language}"' in client.get("/").content.decode()


def test_home_shows_figures_computed_from_the_data(seeded, client):
    response = client.get("/")
    figures = response.context["figures"]
    assert figures["associations"] == 14
    assert (
        figures["member_organisations"] == Organisation.objects.filter(memberships__status="active").distinct().count()
    )
    # Anonymous visitors count only public projects.
    assert figures["projects"] == Project.objects.filter(visibility="public").count()


def test_staff_only_projects_stay_hidden_from_visitors(seeded, client):
    staff_only = Project.objects.filter(visibility="staff").first()
    assert client.get(f"/projects/{staff_only.slug}/").status_code == 404
    assert staff_only.title not in client.get("/projects/").content.decode()


def test_the_demo_inbox_shows_what_each_step_told_people(seeded):
    kinds = set(Notification.objects.filter(recipient__email="applicant@example.ru").values_list("kind", flat=True))
    assert {
        "application_received",
        "application_info_requested",
        "application_approved",
        "application_rejected",
    } <= kinds
    assert Notification.objects.filter(
        recipient__email="coordinator-3d@cluster.local", kind="application_submitted"
    ).exists()


def test_no_history_is_in_the_future(seeded):
    from django.utils import timezone

    from applications.models import ApplicationEvent
    from projects.models import Milestone, MilestoneState

    now, today = timezone.now(), timezone.localdate()
    assert StageChange.objects.exists()
    assert not StageChange.objects.filter(created_at__gt=now).exists()
    assert not ApplicationEvent.objects.filter(created_at__gt=now).exists()
    assert not MembershipApplication.objects.filter(submitted_at__gt=now).exists()
    assert not Project.objects.filter(created_at__gt=now).exists()
    assert not Project.objects.filter(starts_on__gt=today).exists()
    assert not Project.objects.filter(stage=Stage.COMPLETED, ends_on__gt=today).exists()
    assert not AssociationMembership.objects.filter(since__gt=today).exists()
    assert not Notification.objects.filter(created_at__gt=now).exists()
    done = Milestone.objects.filter(state=MilestoneState.DONE)
    assert done.exists() and not done.filter(completed_on__gt=today).exists()
    # Each project's stages follow one another, the last one being the project's stage now.
    for project in Project.objects.prefetch_related("stage_changes"):
        changes = list(project.stage_changes.all())
        assert [c.created_at for c in changes] == sorted(c.created_at for c in changes)
        assert changes[-1].to_stage == project.stage


def test_the_russian_project_page_is_in_russian_and_says_each_thing_once(seeded, client):
    from django.utils.html import escape

    project = Project.objects.get(slug="pellet-printer")
    page = client.get(project.get_absolute_url()).content.decode()
    assert page.count(escape(project.summary)) == 1
    assert escape(project.description) in page
    assert escape(project.summary_en) not in page and escape(project.description_en) not in page
    client.cookies["django_language"] = "en"
    page = client.get(project.get_absolute_url()).content.decode()
    assert page.count(escape(project.summary_en)) == 1 and escape(project.description_en) in page
    assert escape(project.summary) not in page
