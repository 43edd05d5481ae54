"""The organisation import: the file readers, the row checks, the writes, the command and the admin upload."""

import csv
import io
import random
from datetime import timedelta

import pytest
from auditlog.models import LogEntry
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import Workbook, load_workbook

from associations.models import AssociationMembership
from imports.models import ImportJob, ImportStatus
from imports.reader import COLUMNS, ImportFileError, read_rows
from imports.services import organisations_import
from members.identifiers import make_inn, make_kpp, make_ogrn
from members.models import Direction, Organisation

from .factories import ApplicationFactory, AssociationFactory, OrganisationFactory

_rng = random.Random(10)
HEADER = ["legal_form", "inn", "ogrn", "kpp", "full_name", "short_name", "region", "city", "email", "directions"]


def _entity(**values):
    row = {
        "legal_form": "legal_entity",
        "inn": make_inn(_rng),
        "ogrn": make_ogrn(_rng),
        "kpp": make_kpp(_rng),
        "full_name": "Общество с ограниченной ответственностью «Тест»",
        "short_name": "ООО «Тест»",
        "region": "77",
        "city": "Москва",
        "email": "info@test.example",
        "directions": "photonics",
    }
    return {**row, **values}


def _sole_trader(**values):
    row = {
        "legal_form": "sole_trader",
        "inn": make_inn(_rng, sole_trader=True),
        "ogrn": make_ogrn(_rng, sole_trader=True),
        "kpp": "",
        "full_name": "Индивидуальный предприниматель Петров Пётр Петрович",
        "short_name": "ИП Петров П. П.",
        "region": "50",
        "city": "Химки",
        "email": "petrov@test.example",
        "directions": "",
    }
    return {**row, **values}


def _csv(rows, header=HEADER, delimiter=";", bom=True) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in HEADER])
    return (("\ufeff" if bom else "") + out.getvalue()).encode()


def _xlsx(rows, header=HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(name, "") for name in HEADER])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture(autouse=True)
def _english():
    """The reports are read in English here (the portal's default is Russian)."""
    with translation.override("en"):
        yield


def _import(data: bytes, **kwargs):
    return organisations_import(rows=read_rows(data), **kwargs)


def _by_row(result):
    return {(issue.row, issue.field): issue.message for issue in result.issues}


@pytest.fixture
def mixed(world):
    """A file of nine rows: three valid (one of them an existing ИНН), six refused for a named reason."""
    existing = world.member_org
    rows = [
        _entity(short_name="ООО «Первая»"),  # 2 valid, new
        _entity(inn="7707083894"),  # 3 bad ИНН check digit
        _entity(ogrn="1027700132194"),  # 4 bad ОГРН check digit
        _sole_trader(kpp="773601001"),  # 5 a КПП on an ИП
        _entity(region="99"),  # 6 unknown region
        _sole_trader(short_name="ИП Петров"),  # 7 valid, new
        _entity(
            inn=existing.inn, ogrn=existing.ogrn, kpp=existing.kpp, short_name="ООО «Гранула Плюс»"
        ),  # 8 existing ИНН: updated
    ]
    rows.append(dict(rows[0], ogrn=make_ogrn(_rng)))  # 9 duplicate ИНН of row 2
    rows.append(dict(_entity(), ogrn=rows[5]["ogrn"], legal_form="sole_trader"))  # 10 refused (ИП with a 10-digit ИНН)
    return rows


def test_it_imports_the_valid_rows_and_names_each_refused_one(world, mixed):
    before = Organisation.objects.count()

    result = _import(_csv(mixed), actor=world.admin)

    issues = _by_row(result)
    assert "check digit" in issues[(3, "inn")]
    assert "check digit" in issues[(4, "ogrn")]
    assert "no KPP" in issues[(5, "kpp")]
    assert "region code “99”" in issues[(6, "region")]
    assert "row 2" in issues[(9, "inn")]
    assert (10, "inn") in issues
    assert {issue.row for issue in result.issues} == {3, 4, 5, 6, 9, 10}
    assert result.summary() == {
        "dry_run": False,
        "total": 9,
        "created": 2,
        "updated": 1,
        "unchanged": 0,
        "invalid": 6,
        "memberships": 0,
    }
    assert Organisation.objects.count() == before + 2
    first = Organisation.objects.get(inn=mixed[0]["inn"])
    assert first.sort_name == "первая"
    assert list(first.directions.values_list("slug", flat=True)) == ["photonics"]
    assert Organisation.objects.get(inn=mixed[5]["inn"]).kind == "sole_trader"
    world.member_org.refresh_from_db()
    assert world.member_org.short_name == "ООО «Гранула Плюс»"
    for row in (mixed[1], mixed[2], mixed[3], mixed[4]):
        assert not Organisation.objects.filter(inn=row["inn"]).exists()


def test_it_writes_one_audit_entry_per_created_or_changed_organisation(world, mixed):
    LogEntry.objects.all().delete()

    _import(_csv(mixed), actor=world.admin)

    entries = LogEntry.objects.order_by("pk")
    assert entries.count() == 3
    assert {e.actor_id for e in entries} == {world.admin.pk}
    update = entries.get(object_id=world.member_org.pk)
    assert update.changes["short_name"] == ["ООО «Гранула»", "ООО «Гранула Плюс»"]


def test_a_dry_run_reports_and_writes_nothing(world, mixed):
    before = Organisation.objects.count(), LogEntry.objects.count()

    result = _import(_csv(mixed), dry_run=True)

    assert result.created == 2 and result.updated == 1 and result.invalid == 6
    assert (Organisation.objects.count(), LogEntry.objects.count()) == before
    world.member_org.refresh_from_db()
    assert world.member_org.short_name == "ООО «Гранула»"


def test_importing_the_same_file_again_changes_nothing(world):
    data = _xlsx([_entity(), _sole_trader(), _entity(directions="photonics;robotics")])
    _import(data)
    entries = LogEntry.objects.count()
    snapshot = list(Organisation.objects.order_by("pk").values())

    result = _import(data)

    assert (result.created, result.updated, result.unchanged) == (0, 0, 3)
    assert list(Organisation.objects.order_by("pk").values()) == snapshot
    assert LogEntry.objects.count() == entries


def test_it_reads_russian_headers_commas_and_no_bom():
    ru = [COLUMNS[name] for name in HEADER]
    rows = read_rows(_csv([_entity()], header=ru, delimiter=",", bom=False))
    assert rows[0][0] == 2
    assert rows[0][1]["inn"] and rows[0][1]["region"] == "77"


def test_it_reads_identifiers_that_a_spreadsheet_holds_as_numbers():
    workbook = Workbook()
    workbook.active.append(HEADER)
    workbook.active.append(["legal_entity", 7707083893, 1027700132195, 773601001, "Ф", "К", 7, "Москва", "a@b.ru", ""])
    out = io.BytesIO()
    workbook.save(out)
    row = read_rows(out.getvalue())[0][1]
    assert (row["inn"], row["kpp"], row["region"]) == ("7707083893", "773601001", "07")


@pytest.mark.parametrize(
    "data, message",
    [
        (b"%PDF-1.7 not a table", "Unknown columns"),
        (b"\x00\x01\x02\xff\xfe", "neither XLSX nor CSV"),
        (b"PK\x03\x04broken zip", "not a readable XLSX"),
        (b"   ", "empty"),
        (b"inn;ogrn\n1;2\n", "Required columns are missing"),
        (b"inn;inn;ogrn\n", "Columns appear twice"),
        (b"\n\n", "empty"),
    ],
)
def test_a_broken_file_gives_one_clear_error(data, message):
    with pytest.raises(ImportFileError, match=message):
        read_rows(data)


def test_named_associations_become_memberships_unless_blocked(world):
    archived = AssociationFactory(slug="old", status="archived")
    blocked = OrganisationFactory()
    ApplicationFactory(organisation=blocked, association=world.photonics, status="submitted")
    rows = [
        _entity(associations="additive;photonics"),
        _entity(inn=blocked.inn, ogrn=blocked.ogrn, kpp=blocked.kpp, associations="photonics;old"),
        _entity(inn=world.member_org.inn, ogrn=world.member_org.ogrn, associations="additive"),
        _entity(associations="nowhere"),
    ]
    header = [*HEADER, "associations"]
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(name, "") for name in header])

    result = _import(out.getvalue().encode(), actor=world.admin)

    new = Organisation.objects.get(inn=rows[0]["inn"])
    assert set(new.memberships.values_list("association__slug", flat=True)) == {"additive", "photonics"}
    assert not blocked.memberships.exists()
    messages = _by_row(result)
    row_3 = [i.message for i in result.issues if i.row == 3]
    assert "open application to “photonics”" in row_3[0] and "“old” is archived" in row_3[1]
    assert result.memberships == 2
    assert "Unknown associations: nowhere" in messages[(5, "associations")]
    assert [i.skipped for i in result.issues if i.row == 3] == [True, True]
    assert archived.memberships.count() == 0
    assert AssociationMembership.objects.filter(organisation=world.member_org, status="active").count() == 1


def test_the_command_imports_prints_a_summary_and_writes_the_report(world, mixed, tmp_path):
    path = tmp_path / "orgs.csv"
    path.write_bytes(_csv(mixed))
    report = tmp_path / "report.csv"
    out, err = io.StringIO(), io.StringIO()

    call_command(
        "import_organisations",
        str(path),
        "--report",
        str(report),
        "--actor",
        "admin@example.com",
        stdout=out,
        stderr=err,
    )

    assert "9 rows: 2 created, 1 updated, 0 unchanged, 6 not imported" in out.getvalue()
    assert "row 3" in out.getvalue()
    assert "9/9 rows (100%)" in err.getvalue()
    text = report.read_text(encoding="utf-8")
    assert text.startswith("\ufeff")
    assert len(text.strip().splitlines()) == 1 + 7  # the header, one line per refusal (row 10 has two)


def test_the_command_dry_run_and_its_errors(world, mixed, tmp_path):
    path = tmp_path / "orgs.xlsx"
    path.write_bytes(_xlsx(mixed))
    before = Organisation.objects.count()
    out = io.StringIO()
    call_command("import_organisations", str(path), "--dry-run", "--no-progress", stdout=out)
    assert out.getvalue().startswith("dry run, nothing written: 9 rows: 2 created")
    assert Organisation.objects.count() == before

    (tmp_path / "bad.txt").write_text("hello;world\n")
    with pytest.raises(CommandError, match="Unknown columns: hello, world"):
        call_command("import_organisations", str(tmp_path / "bad.txt"))
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_organisations", str(tmp_path / "missing.csv"))
    with pytest.raises(CommandError, match="no user"):
        call_command("import_organisations", str(path), "--actor", "nobody@example.com")


def test_the_progress_bar_redraws_in_place_on_a_terminal():
    from imports.management.commands.import_organisations import ProgressBar

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    bar = ProgressBar(stream, width=10)
    bar(5, 10)
    bar(10, 10)
    assert stream.getvalue() == "\r[#####.....] 5/10  50%\r[##########] 10/10 100%\n"


# The admin upload: form → task → progress endpoint → report


@pytest.fixture
def _eager_celery():
    from cluster_portal.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


def test_an_administrator_uploads_and_follows_the_job_to_its_report(
    client, world, mixed, _eager_celery, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.admin)
    form = client.get(reverse("admin:imports_importjob_add")).content.decode()
    assert reverse("admin:imports_importjob_template", args=["ru.xlsx"]) in form
    upload = SimpleUploadedFile("orgs.xlsx", _xlsx(mixed))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:imports_importjob_add"), {"file": upload})
    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:imports_importjob_change", args=[job.pk])
    assert job.status == ImportStatus.DONE and job.created_by == world.admin
    assert (job.rows_done, job.rows_total) == (9, 9)
    assert job.summary["created"] == 2 and {issue["row"] for issue in job.report} == {3, 4, 5, 6, 9, 10}

    status = client.get(reverse("admin:imports_importjob_status", args=[job.pk])).json()
    assert status["finished"] and status["percent"] == 100 and status["rows_done"] == 9

    page = client.get(job.get_absolute_url())
    assert b'<progress id="import-progress"' in page.content
    assert b"js/import_progress.js" in page.content
    assert page.content.count(b"<tr><td>") == len(job.report)

    report = client.get(reverse("admin:imports_importjob_report", args=[job.pk]))
    assert report["Content-Type"].startswith("text/csv")
    assert len(report.content.decode("utf-8-sig").strip().splitlines()) == 1 + len(job.report)
    assert LogEntry.objects.filter(actor=world.admin).count() == 3


def test_a_broken_upload_is_refused_on_the_form(client, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(world.admin)
    response = client.post(
        reverse("admin:imports_importjob_add"), {"file": SimpleUploadedFile("x.csv", b"foo;bar\n1;2\n")}
    )
    assert response.status_code == 200
    assert "Неизвестные столбцы: foo, bar" in response.content.decode()  # the admin speaks the portal's Russian
    assert not ImportJob.objects.exists()


def test_a_job_is_run_once_and_a_failure_is_recorded(world, tmp_path):
    from django.core.files.base import ContentFile

    from imports.jobs import import_job_run

    job = ImportJob.objects.create(created_by=world.admin, language="en")
    job.file.save("bad.csv", ContentFile(b"foo\n1\n"))
    import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "Unknown columns" in job.error
    import_job_run(job_id=job.pk)  # a second delivery finds the job taken
    assert ImportJob.objects.get().status == ImportStatus.FAILED


@pytest.mark.parametrize("kind", ["csv", "xlsx", "ru.csv", "ru.xlsx"])
def test_the_templates_download_and_import_cleanly(client, world, kind):
    client.force_login(world.admin)
    response = client.get(reverse("admin:imports_importjob_template", args=[kind]))
    assert response.status_code == 200
    rows = read_rows(response.content)
    assert len(rows) == 2
    result = organisations_import(rows=rows, dry_run=True)
    assert result.invalid == 0 and result.created == 2
    if kind.endswith("xlsx"):
        header = next(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
        assert header[2] == ("ИНН" if kind.startswith("ru") else "inn")


def test_only_administrators_reach_the_import_pages(client, world):
    job = ImportJob.objects.create(created_by=world.admin)
    client.force_login(world.staff)
    world.staff.is_staff = True
    world.staff.save()
    for url in (
        reverse("admin:imports_importjob_add"),
        reverse("admin:imports_importjob_status", args=[job.pk]),
        reverse("admin:imports_importjob_report", args=[job.pk]),
        reverse("admin:imports_importjob_change", args=[job.pk]),
        reverse("admin:imports_importjob_template", args=["csv"]),
    ):
        assert client.get(url).status_code == 403, url
    client.force_login(world.admin)
    assert client.get(reverse("admin:imports_importjob_template", args=["pdf"])).status_code == 404


def test_an_unexpected_failure_is_recorded_on_the_job(world, monkeypatch):
    from django.core.files.base import ContentFile

    from imports import jobs

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(jobs, "organisations_import", broken)
    job = ImportJob.objects.create(created_by=world.admin)
    job.file.save("orgs.csv", ContentFile(_csv([_entity()])))
    with pytest.raises(RuntimeError):
        jobs.import_job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and "disk full" in job.error and job.finished_at


@pytest.mark.parametrize(
    "values, field, message",
    [
        ({"city": ""}, "city", "required"),
        ({"legal_form": "ooo"}, "legal_form", "Unknown value “ooo”"),
        ({"kind": "bank"}, "kind", "Unknown value “bank”"),
        ({"kind": "sole_trader"}, "kind", "Only an individual entrepreneur"),
        ({"size": "huge"}, "size", "Unknown value “huge”"),
        ({"email": "not-an-address"}, "email", "valid e-mail"),
        ({"website": "http://"}, "website", "valid URL"),
        ({"short_name": "Я" * 201}, "short_name", "At most 200"),
        ({"directions": "photonics;teleportation"}, "directions", "Unknown directions: teleportation"),
        ({"okved": "62-01"}, "okved", "OKVED"),
        ({"kpp": ""}, "kpp", "KPP is required"),
    ],
)
def test_each_rule_of_the_profile_form_holds(world, values, field, message):
    row = {**_entity(), "size": "", "kind": "", "website": "", "okved": "", **values}
    result = organisations_import(rows=[(2, row)], dry_run=True)
    assert result.invalid == 1
    assert message in _by_row(result)[(2, field)]


def test_blank_choices_take_their_defaults_and_a_bare_website_gets_its_scheme(world):
    row = {**_sole_trader(), "size": "", "kind": "", "website": "ip-petrov.example"}
    organisations_import(rows=[(2, row)])
    organisation = Organisation.objects.get(inn=row["inn"])
    assert (organisation.kind, organisation.size, organisation.website) == (
        "sole_trader",
        "small",
        "https://ip-petrov.example",
    )


def test_a_repeated_ogrn_and_one_owned_by_another_organisation_are_refused(world):
    first = _entity()
    rows = [(2, first), (3, _entity(ogrn=first["ogrn"])), (4, _entity(ogrn=world.member_org.ogrn))]
    result = organisations_import(rows=rows)
    messages = _by_row(result)
    assert "row 2" in messages[(3, "ogrn")]
    assert world.member_org.inn in messages[(4, "ogrn")]
    assert result.created == 1


def test_an_update_replaces_the_directions_and_a_missing_column_leaves_them(world):
    organisation = world.member_org
    organisation.directions.set(Direction.objects.filter(slug__in=["photonics", "robotics"]))
    same = {"inn": organisation.inn, "ogrn": organisation.ogrn, "kpp": organisation.kpp}
    organisations_import(rows=[(2, _entity(**same, directions="robotics;microelectronics"))])
    assert set(organisation.directions.values_list("slug", flat=True)) == {"robotics", "microelectronics"}
    row = _entity(**same, short_name="ООО «Гранула 2»")
    del row["directions"]
    organisations_import(rows=[(2, row)])
    assert set(organisation.directions.values_list("slug", flat=True)) == {"robotics", "microelectronics"}


def test_a_batch_the_database_refuses_leaves_nothing_of_itself(world, monkeypatch):
    from django.db import IntegrityError

    from imports import services

    calls = []

    def refuse_second(entries, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise IntegrityError("duplicate key value violates unique constraint")
        return original(entries, **kwargs)

    original = services.audit.record_many
    monkeypatch.setattr(services.audit, "record_many", refuse_second)
    rows = [(n, _entity()) for n in range(2, 8)]

    result = organisations_import(rows=rows, batch_size=2)

    assert (result.created, result.invalid) == (4, 2)
    assert {issue.row for issue in result.issues} == {4, 5}
    assert "Run the import again" in result.issues[0].message
    assert not Organisation.objects.filter(inn__in=[rows[2][1]["inn"], rows[3][1]["inn"]]).exists()
    assert Organisation.objects.filter(inn__in=[r["inn"] for _n, r in rows]).count() == 4


def test_plain_rows_are_inserted_the_same_way_on_any_database(world, monkeypatch):
    from django.db import connection

    from core.bulk import insert_rows

    through = Organisation.directions.through
    photonics = Direction.objects.get(slug="photonics")
    insert_rows(through, [])
    monkeypatch.setattr(connection, "vendor", "other")  # the portable path, whatever runs the tests
    insert_rows(through, [{"organisation_id": world.member_org.pk, "direction_id": photonics.pk}])
    assert list(world.member_org.directions.all()) == [photonics]


def test_a_running_job_shows_its_progress_for_the_script_to_follow(client, world):
    job = ImportJob.objects.create(created_by=world.admin, status=ImportStatus.RUNNING, rows_total=200, rows_done=50)
    client.force_login(world.admin)
    with translation.override("en"):
        page = client.get(job.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-finished="false"' in page
    assert 'max="200" value="50"' in page and 'aria-valuenow="50"' in page
    assert 'data-template="{done}' in page
    assert job.percent == 25
    assert client.get(reverse("admin:imports_importjob_status", args=[job.pk])).json()["finished"] is False


def test_the_sweep_hands_a_lost_job_over_again_and_fails_one_whose_worker_died(world, settings):
    """The broker was away at upload (the job waits for ever) or the worker was killed mid-import
    (the job stays "running"): the periodic sweep recovers both, and leaves live jobs alone."""
    from imports.jobs import import_jobs_sweep

    now = timezone.now()
    old = now - timedelta(hours=1)
    lost = ImportJob.objects.create(created_by=world.admin, heartbeat_at=old)
    waiting = ImportJob.objects.create(created_by=world.admin)
    dead = ImportJob.objects.create(
        created_by=world.admin, status=ImportStatus.RUNNING, heartbeat_at=old, language="en"
    )
    dead_ru = ImportJob.objects.create(created_by=world.admin, status=ImportStatus.RUNNING, heartbeat_at=old)
    busy = ImportJob.objects.create(created_by=world.admin, status=ImportStatus.RUNNING, rows_done=3000)
    done = ImportJob.objects.create(created_by=world.admin, status=ImportStatus.DONE, heartbeat_at=old)
    sent = []

    assert import_jobs_sweep(send=sent.append) == {"resent": 1, "failed": 2}
    assert sent == [lost.pk]
    assert import_jobs_sweep(send=sent.append) == {"resent": 0, "failed": 0}  # the resend waits its turn again
    states = dict(ImportJob.objects.values_list("pk", "status"))
    assert states == {
        lost.pk: ImportStatus.PENDING,
        waiting.pk: ImportStatus.PENDING,
        dead.pk: ImportStatus.FAILED,
        dead_ru.pk: ImportStatus.FAILED,
        busy.pk: ImportStatus.RUNNING,
        done.pk: ImportStatus.DONE,
    }
    dead.refresh_from_db()
    dead_ru.refresh_from_db()
    assert "upload the file again" in dead.error and dead.finished_at is not None
    assert "загрузите файл снова" in dead_ru.error


def test_each_finished_batch_is_a_sign_of_life(world, monkeypatch):
    from django.core.files.base import ContentFile

    from imports import jobs

    seen = []
    real = jobs.organisations_import

    def watching(**kwargs):
        progress = kwargs["progress"]

        def spy(done, total):
            progress(done, total)
            seen.append(ImportJob.objects.get().heartbeat_at)

        return real(**{**kwargs, "progress": spy})

    monkeypatch.setattr(jobs, "organisations_import", watching)
    job = ImportJob.objects.create(created_by=world.admin, heartbeat_at=timezone.now() - timedelta(hours=1))
    job.file.save("orgs.csv", ContentFile(_csv([_entity()])))
    jobs.import_job_run(job_id=job.pk)
    assert seen and all(beat > timezone.now() - timedelta(minutes=1) for beat in seen)
    assert ImportJob.objects.get().status == ImportStatus.DONE
