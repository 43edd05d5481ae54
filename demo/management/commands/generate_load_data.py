"""A large synthetic data set for benchmarks: organisations, memberships, applications, projects.

    DATABASE_URL=postgres://…/portal_load python manage.py generate_load_data \
        [--organisations 100000] [--projects N] [--seed 20261125] [--reset]

Everything is derived from a fixed seed, so two runs produce the same data. Identifiers are
valid (members/identifiers.py), names are Russian, and the spread follows the cluster: most
organisations in Moscow and the Moscow region, a few large regions next, the rest over the
other 80; small companies far more common than large ones; every association with members
(partners and coordinating organisations among them) and projects at every stage and
visibility; applications in every status with their history.

On PostgreSQL the rows go in with COPY (`demo/bulk.py`): 350,000 organisations in well under
five minutes, the indexes kept. Generated rows are recognisable by the e-mail domain
`load.example` and the slug prefix `load-`; `--reset` (or `--replace`) deletes them first with
plain SQL. The command ends with VACUUM (ANALYZE) of every table it wrote (ANALYZE alone inside
a transaction), so the planner has statistics at once and the directory's filtered counts read
their indexes alone, and tells the cached figures that the data changed (`core.versioned_cache`).
"""

import random
import time
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from applications.models import ApplicationEvent, ApplicationStatus, MembershipApplication
from associations.models import Association, AssociationMembership, MembershipRole
from core import versioned_cache
from demo.bulk import analyze, copy_rows, indexes_rebuilt, is_postgres, purge, reserve_ids
from demo.content import SURNAMES
from members.identifiers import make_inn, make_kpp, make_ogrn
from members.models import Direction, LegalForm, Organisation, OrganisationKind, OrganisationSize, Region
from members.names import name_sort_key
from projects.models import Milestone, Project, ProjectParticipant, Stage, Visibility

DOMAIN = "load.example"
BATCH = 5000

ROOTS = [
    "Техно",
    "Инно",
    "Нано",
    "Био",
    "Электро",
    "Робо",
    "Фото",
    "Микро",
    "Гео",
    "Агро",
    "Энерго",
    "Авто",
    "Аэро",
    "Инфо",
    "Медтех",
    "Спектр",
    "Квант",
    "Лазер",
    "Сплав",
    "Полимер",
    "Синтез",
    "Вектор",
    "Импульс",
    "Прогресс",
    "Альфа",
    "Гамма",
    "Дельта",
    "Омега",
    "Сигма",
    "Меридиан",
    "Горизонт",
    "Орбита",
    "Кристалл",
    "Гранит",
    "Атлант",
    "Вертикаль",
    "Интеграл",
    "Модуль",
    "Формат",
    "Контур",
    "Профиль",
    "Ресурс",
    "Стандарт",
]
SUFFIXES = [
    "пром",
    "лаб",
    "систем",
    "сервис",
    "тех",
    "строй",
    "маш",
    "прибор",
    "софт",
    "проект",
    "инжиниринг",
    "дизайн",
    "лайн",
    "снаб",
    "мед",
    "трон",
    "ком",
    "завод",
    "групп",
    "сфера",
]
TAILS = ["", "", "", " Плюс", " Про", " М", " Инжиниринг", " Лаб", " Групп", " Технологии", " Север", " Юг"]
LAST_NAMES = [
    *SURNAMES,
    "Орлов",
    "Андреев",
    "Макаров",
    "Никитин",
    "Захаров",
    "Зайцев",
    "Соловьёв",
]
FIRST_NAMES = ["Александр", "Дмитрий", "Максим", "Сергей", "Андрей", "Алексей", "Артём", "Илья", "Кирилл", "Михаил"]
PATRONYMICS = ["Александрович", "Дмитриевич", "Сергеевич", "Андреевич", "Алексеевич", "Игоревич", "Олегович"]
COMPETENCES = [
    "разработка и производство 3D-принтеров",
    "промышленный дизайн и прототипирование",
    "пассивные фотонные интегральные схемы",
    "сервисные и промышленные роботы",
    "проектирование микросхем",
    "переработка отходов и вторичные материалы",
    "компьютерное зрение и машинное обучение",
    "композитные материалы",
    "медицинские изделия",
    "системы накопления энергии",
    "умный город",
    "беспилотные транспортные средства",
    "сети связи 5G",
    "малые космические аппараты",
    "защита информации",
    "печать гранулами крупногабаритных деталей",
    "лазерные технологии",
    "сканеры и метрология",
    "обработка металлов",
    "программное обеспечение для производства",
]
PROJECT_WORDS = [
    ("Гранульный принтер для крупногабаритных деталей", "Pellet printer for large-format parts"),
    ("Фотонная интегральная схема", "Photonic integrated circuit"),
    ("Коллаборативный робот-манипулятор", "Collaborative robot arm"),
    ("Отечественный микроконтроллер", "Domestic microcontroller"),
    ("Переработка пластиковых отходов", "Plastic waste recycling"),
    ("Система компьютерного зрения", "Computer vision system"),
    ("Композитный корпус", "Composite housing"),
    ("Накопитель энергии", "Energy storage unit"),
    ("Платформа умного города", "Smart city platform"),
    ("Беспилотная доставка", "Autonomous delivery"),
    ("Промышленный 3D-сканер", "Industrial 3D scanner"),
    ("Лазерная установка", "Laser system"),
    ("Медицинский имплант", "Medical implant"),
    ("Спутниковый модуль", "Satellite module"),
    ("Защищённый шлюз", "Secure gateway"),
]
ASSOCIATIONS = [
    (
        "3D-печать и промышленный дизайн",
        "3D printing and industrial design",
        ["additive-manufacturing", "industrial-design"],
    ),
    ("Фотоника", "Photonics", ["photonics", "microelectronics"]),
    ("Робототехника", "Robotics", ["robotics", "artificial-intelligence"]),
    ("Микроэлектроника", "Microelectronics", ["microelectronics"]),
    ("Зелёные технологии", "Green technologies", ["green-technologies", "energy"]),
    ("Искусственный интеллект", "Artificial intelligence", ["artificial-intelligence", "information-security"]),
    ("Новые материалы", "New materials", ["new-materials", "additive-manufacturing"]),
    ("Биотехнологии и медицина", "Biotechnology and medicine", ["biotechnology"]),
    ("Энергетика", "Energy", ["energy", "green-technologies"]),
    ("Городские технологии", "Urban technologies", ["urban-technologies", "telecommunications"]),
    ("Беспилотный транспорт", "Autonomous transport", ["transport", "artificial-intelligence"]),
    ("Телекоммуникации", "Telecommunications", ["telecommunications"]),
    ("Космические технологии", "Space technologies", ["space", "microelectronics"]),
    ("Информационная безопасность", "Information security", ["information-security"]),
]
# Stage spread of real project portfolios: many ideas and developments, few completions.
STAGE_WEIGHTS = [
    (Stage.IDEA, 25),
    (Stage.DEVELOPMENT, 35),
    (Stage.PROMOTION, 15),
    (Stage.REPLICATION, 10),
    (Stage.COMPLETED, 10),
    (Stage.SUSPENDED, 5),
]
SIZE_WEIGHTS = [
    (OrganisationSize.MICRO, 45),
    (OrganisationSize.SMALL, 35),
    (OrganisationSize.MEDIUM, 15),
    (OrganisationSize.LARGE, 5),
]
KIND_WEIGHTS = [
    (OrganisationKind.COMPANY, 88),
    (OrganisationKind.UNIVERSITY, 3),
    (OrganisationKind.RESEARCH_INSTITUTE, 4),
    (OrganisationKind.DEVELOPMENT_INSTITUTION, 1),
    (OrganisationKind.INVESTOR, 2),
    (OrganisationKind.OTHER, 2),
]
VISIBILITY_WEIGHTS = [(Visibility.PUBLIC, 70), (Visibility.MEMBERS, 20), (Visibility.STAFF, 10)]


# Where the cluster's organisations are (region code, weight): Moscow first, the Moscow region,
# then the large industrial regions; every other region shares the rest.
REGION_WEIGHTS = [
    ("77", 600),
    ("50", 130),
    ("78", 40),
    ("16", 12),
    ("54", 10),
    ("66", 10),
    ("52", 9),
    ("63", 7),
    ("74", 6),
    ("23", 6),
    ("61", 5),
    ("02", 5),
    ("40", 5),
    ("69", 4),
]
OTHER_REGIONS_WEIGHT = 150  # shared by the remaining regions
# Applications: most organisations never apply twice; decided ones outnumber open ones.
APPLICATION_SHARE = 0.1
APPLICATION_STATUS_WEIGHTS = [
    (ApplicationStatus.DRAFT, 8),
    (ApplicationStatus.SUBMITTED, 15),
    (ApplicationStatus.IN_REVIEW, 12),
    (ApplicationStatus.INFO_REQUESTED, 6),
    (ApplicationStatus.REJECTED, 14),
    (ApplicationStatus.WITHDRAWN, 5),
]
MEMBERSHIP_ROLE_WEIGHTS = [
    (MembershipRole.PARTICIPANT, 95),
    (MembershipRole.PARTNER, 4),
    (MembershipRole.COORDINATOR, 1),
]


def pick(rng: random.Random, weighted):
    values, weights = zip(*weighted)
    return rng.choices(values, weights=weights)[0]


class Command(BaseCommand):
    help = "Generate a large synthetic data set (organisations, memberships, applications, projects) with a fixed seed."

    def add_arguments(self, parser):
        parser.add_argument("--organisations", type=int, default=100_000)
        parser.add_argument("--projects", type=int, default=None, help="default: one per 20 organisations")
        parser.add_argument("--member-share", type=float, default=0.6, help="share of organisations that are members")
        parser.add_argument("--seed", type=int, default=20261125)
        parser.add_argument(
            "--reset", "--replace", action="store_true", dest="replace", help="delete previously generated rows first"
        )

    def handle(self, *args, **options):
        started = self.started = time.monotonic()
        rng = random.Random(options["seed"])
        count = options["organisations"]
        projects = options["projects"] if options["projects"] is not None else max(15, count // 20)
        if Organisation.objects.filter(email__endswith="@" + DOMAIN).exists():
            if not options["replace"]:
                raise CommandError("Generated data already exists; run with --reset to generate it again.")
            self._delete()
            self._say("previous data deleted")
        regions = list(Region.objects.order_by("code"))
        directions = {d.slug: d for d in Direction.objects.all()}
        if not regions or not directions:
            raise CommandError("Regions and directions are missing: run migrate first.")
        associations = self._associations(directions)
        with transaction.atomic(), indexes_rebuilt(REBUILT):
            org_ids = self._organisations(rng, count, regions, list(directions.values()))
            memberships = self._memberships(rng, org_ids, associations, options["member_share"])
            self._applications(rng, org_ids, memberships, associations)
            # a project's lead is one of its participants (a deferred key): written together
            self._projects(rng, projects, associations, sorted({org for org, _ in memberships}))
            self._say("rows written; building the indexes…")
        self._say("indexes built")
        analyze(WRITTEN)
        self._say("statistics: analysed")
        for model in (Organisation, AssociationMembership, MembershipApplication, Project):
            versioned_cache.model_changed(model)
        self.stdout.write(self.style.SUCCESS(f"Done in {time.monotonic() - started:.0f} s."))

    def _say(self, text: str) -> None:
        self.stdout.write(f"  {time.monotonic() - self.started:5.0f} s  {text}")

    def _delete(self):
        self.stdout.write("Deleting the previous generated data…")
        with transaction.atomic():
            purge(Project, "slug LIKE %s", ["load-%"])
            purge(Organisation, "email LIKE %s", ["%@" + DOMAIN])

    def _associations(self, directions):
        result = []
        for index, (name, name_en, slugs) in enumerate(ASSOCIATIONS):
            association = (
                Association.objects.filter(name=name).first()
                or Association.objects.filter(name=f"{name} (нагрузочные данные)").first()
            )
            if association is None:
                association = Association.objects.create(
                    name=f"{name} (нагрузочные данные)",
                    name_en=f"{name_en} (load data)",
                    slug=f"load-{index + 1}",
                    summary=f"Межотраслевое объединение: {name.lower()}",
                    summary_en=f"Interindustry association: {name_en.lower()}",
                    status="active",
                )
                association.directions.set([directions[s] for s in slugs if s in directions])
            result.append(association)
        return result

    def _region_picker(self, rng, regions):
        by_code = {r.code: r for r in regions}
        named = [(by_code[code], weight) for code, weight in REGION_WEIGHTS if code in by_code]
        others = [r for r in regions if r.code not in dict(REGION_WEIGHTS)]
        weighted = named + [(r, OTHER_REGIONS_WEIGHT / len(others)) for r in others]
        values, weights = zip(*weighted)
        return lambda: rng.choices(values, weights=weights)[0]

    def _organisations(self, rng, count, regions, directions):
        """Organisations and their directions, in batches of COPY; returns their ids."""
        pick_region = self._region_picker(rng, regions)
        seen_inn = set(Organisation.objects.values_list("inn", flat=True))
        seen_ogrn = set(Organisation.objects.values_list("ogrn", flat=True))
        now = timezone.now()
        Through = Organisation.directions.through
        ids = reserve_ids(Organisation, count) if is_postgres() else []
        written = []
        for start in range(0, count, BATCH):
            batch, links = [], []
            for number in range(start + 1, min(start + BATCH, count) + 1):
                region = pick_region()
                sole_trader = rng.random() < 0.12
                while True:
                    inn = make_inn(rng, sole_trader=sole_trader, region=region.code)
                    ogrn = make_ogrn(rng, sole_trader=sole_trader, region=region.code)
                    if inn not in seen_inn and ogrn not in seen_ogrn:
                        break
                seen_inn.add(inn)
                seen_ogrn.add(ogrn)
                if sole_trader:
                    person = f"{rng.choice(LAST_NAMES)} {rng.choice(FIRST_NAMES)} {rng.choice(PATRONYMICS)}"
                    short_name, full_name = f"ИП {person}", f"Индивидуальный предприниматель {person}"
                    size, kind = OrganisationSize.MICRO, OrganisationKind.SOLE_TRADER
                else:
                    brand = rng.choice(ROOTS) + rng.choice(SUFFIXES) + rng.choice(TAILS)
                    form = rng.choices(["ООО", "АО", "ПАО"], weights=[85, 13, 2])[0]
                    long_form = {
                        "ООО": "Общество с ограниченной ответственностью",
                        "АО": "Акционерное общество",
                        "ПАО": "Публичное акционерное общество",
                    }[form]
                    short_name, full_name = f"{form} «{brand}»", f"{long_form} «{brand}»"
                    size, kind = pick(rng, SIZE_WEIGHTS), pick(rng, KIND_WEIGHTS)
                created = now - timedelta(days=rng.random() * 1825)
                organisation = Organisation(
                    id=ids[number - 1] if ids else None,
                    legal_form=LegalForm.SOLE_TRADER if sole_trader else LegalForm.LEGAL_ENTITY,
                    kind=kind,
                    inn=inn,
                    ogrn=ogrn,
                    kpp="" if sole_trader else make_kpp(rng, region=region.code),
                    full_name=full_name,
                    short_name=short_name,
                    sort_name=name_sort_key(short_name),  # no save(): the sort key is written here
                    region=region,
                    city=region.name if region.code in ("77", "78", "92") else f"г. {rng.choice(ROOTS)}ск",
                    email=f"org{number}@{DOMAIN}",
                    phone=f"+7 9{rng.randint(10, 99)} {rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}",
                    size=size,
                    description="; ".join(rng.sample(COMPETENCES, k=2)).capitalize() + ".",
                    show_email=rng.random() < 0.8,
                    show_phone=rng.random() < 0.3,
                    created_at=created,
                    updated_at=created,
                )
                batch.append(organisation)
                links.append(rng.sample(directions, k=rng.choice([1, 1, 2, 2, 3])))
            if is_postgres():
                copy_rows(Organisation, batch, with_pk=True)
            else:  # SQLite (tests): ids come back from bulk_create
                batch = Organisation.objects.bulk_create(batch, batch_size=500)
            copy_rows(
                Through, [Through(organisation_id=o.pk, direction_id=d.pk) for o, ds in zip(batch, links) for d in ds]
            )
            written.extend(o.pk for o in batch)
            self._say(f"organisations: {len(written)}/{count}")
        return written

    def _memberships(self, rng, org_ids, associations, share) -> list[tuple[int, int]]:
        """A share of the organisations are members of one to three associations (most of one);
        a few are partners or coordinating organisations. Returns the (organisation, association) pairs."""
        member_ids = rng.sample(org_ids, k=int(len(org_ids) * share))
        today = timezone.localdate()
        rows, pairs = [], []
        for org_id in member_ids:
            for association in rng.sample(associations, k=rng.choices([1, 2, 3], weights=[80, 15, 5])[0]):
                rows.append(
                    AssociationMembership(
                        organisation_id=org_id,
                        association_id=association.pk,
                        role=pick(rng, MEMBERSHIP_ROLE_WEIGHTS),
                        since=today - timedelta(days=rng.randint(0, 1800)),
                    )
                )
                pairs.append((org_id, association.pk))
        copy_rows(AssociationMembership, rows)
        self._say(f"memberships: {len(rows)} of {len(member_ids)} organisations")
        return pairs

    def _applications(self, rng, org_ids, memberships, associations):
        """Applications in every status with their history: approved ones for memberships, the others
        (open, rejected, withdrawn) to an association the organisation has not joined; at most one
        application per organisation, so no two open ones share a pair."""
        now = timezone.now()
        joined = {}
        for org_id, association_id in memberships:
            joined.setdefault(org_id, association_id)
        applicants = rng.sample(org_ids, k=max(len(ApplicationStatus), int(len(org_ids) * APPLICATION_SHARE)))
        statuses = list(ApplicationStatus)  # the first ones cover every status, whatever the size
        applications = []
        for index, org_id in enumerate(applicants):
            status = statuses[index] if index < len(statuses) else None
            if status == ApplicationStatus.APPROVED or (status is None and org_id in joined and rng.random() < 0.7):
                association_id = joined.get(org_id) or rng.choice(associations).pk
                status = ApplicationStatus.APPROVED
            else:
                status = status or pick(rng, APPLICATION_STATUS_WEIGHTS)
                association_id = rng.choice(associations).pk
                if joined.get(org_id) == association_id:
                    association_id = next(a.pk for a in associations if a.pk != association_id)
            created = now - timedelta(days=rng.randint(1, 900), minutes=rng.randint(0, 1440))
            submitted = None if status == ApplicationStatus.DRAFT else created + timedelta(hours=rng.randint(1, 72))
            decided = (
                submitted + timedelta(days=rng.randint(1, 30))
                if status in (ApplicationStatus.APPROVED, ApplicationStatus.REJECTED)
                else None
            )
            applications.append(
                MembershipApplication(
                    organisation_id=org_id,
                    association_id=association_id,
                    motivation="Хотим участвовать в совместных проектах объединения.",
                    competences="; ".join(rng.sample(COMPETENCES, k=2)).capitalize() + ".",
                    status=status,
                    created_at=created,
                    submitted_at=submitted,
                    status_changed_at=decided or submitted or created,
                    decided_at=decided,
                )
            )
        if is_postgres():
            for application, pk in zip(applications, reserve_ids(MembershipApplication, len(applications))):
                application.pk = pk
            copy_rows(MembershipApplication, applications, with_pk=True)
        else:
            applications = MembershipApplication.objects.bulk_create(applications, batch_size=500)
        events = []
        for application in applications:
            if application.submitted_at is None:
                continue
            events.append(
                ApplicationEvent(
                    application_id=application.pk,
                    from_status=ApplicationStatus.DRAFT,
                    to_status=ApplicationStatus.SUBMITTED,
                    created_at=application.submitted_at,
                )
            )
            if application.status != ApplicationStatus.SUBMITTED:
                comment = (
                    "Просим уточнить компетенции." if application.status == ApplicationStatus.INFO_REQUESTED else ""
                )
                if application.status == ApplicationStatus.REJECTED:
                    comment = "Направления организации не совпадают с направлениями объединения."
                events.append(
                    ApplicationEvent(
                        application_id=application.pk,
                        from_status=ApplicationStatus.SUBMITTED,
                        to_status=application.status,
                        comment=comment,
                        created_at=application.status_changed_at,
                    )
                )
        copy_rows(ApplicationEvent, events)
        self._say(f"applications: {len(applications)}, events: {len(events)}")

    def _projects(self, rng, count, associations, member_ids):
        now = timezone.now()
        ids = reserve_ids(Project, count) if is_postgres() else []
        projects = []
        for number in range(1, count + 1):
            association = rng.choice(associations)
            title, title_en = rng.choice(PROJECT_WORDS)
            stage = pick(rng, STAGE_WEIGHTS)
            created = now - timedelta(days=rng.randint(0, 1800), minutes=rng.randint(0, 1440))
            projects.append(
                Project(
                    id=ids[number - 1] if ids else None,
                    association=association,
                    slug=f"load-{number}",
                    title=f"{title} {rng.choice(ROOTS)}-{number}",
                    title_en=f"{title_en} {number}",
                    summary=f"{title}: {rng.choice(COMPETENCES)}",
                    summary_en=f"{title_en}: joint development by the association's members",
                    description=" ".join(rng.sample(COMPETENCES, k=3)).capitalize() + ".",
                    stage=stage,
                    visibility=pick(rng, VISIBILITY_WEIGHTS),
                    lead_organisation_id=rng.choice(member_ids),
                    starts_on=created.date(),
                    created_at=created,
                    updated_at=created,
                )
            )
        if is_postgres():
            copy_rows(Project, projects, with_pk=True)
        else:
            projects = Project.objects.bulk_create(projects, batch_size=500)
        Through = Project.directions.through
        directions_of = {a.pk: list(a.directions.values_list("pk", flat=True)) for a in associations}
        links, participants, milestones = [], [], []
        today = timezone.localdate()
        for project in projects:
            for direction_id in directions_of[project.association_id]:
                links.append(Through(project_id=project.pk, direction_id=direction_id))
            team = {project.lead_organisation_id, *rng.sample(member_ids, k=rng.randint(1, 6))}
            for org_id in sorted(team):
                role = (
                    "lead"
                    if org_id == project.lead_organisation_id
                    else rng.choice(["developer", "manufacturer", "research", "customer", "infrastructure", "investor"])
                )
                participants.append(ProjectParticipant(project_id=project.pk, organisation_id=org_id, role=role))
            for step in range(rng.randint(1, 4)):
                due = project.starts_on + timedelta(days=90 * (step + 1))
                milestones.append(
                    Milestone(
                        project_id=project.pk,
                        title=f"Этап {step + 1}",
                        due_on=due,
                        state="done" if due < today else "planned",
                        completed_on=due if due < today else None,
                    )
                )
        copy_rows(Through, links)
        copy_rows(ProjectParticipant, participants)
        copy_rows(Milestone, milestones)
        self._say(f"projects: {count}, participants: {len(participants)}, milestones: {len(milestones)}")


# The tables that take most rows: their indexes are built once after the load, not row by row.
REBUILT = [Organisation, Organisation.directions.through, AssociationMembership]
# Every table the command writes, for ANALYZE.
WRITTEN = [
    Organisation,
    Organisation.directions.through,
    AssociationMembership,
    MembershipApplication,
    ApplicationEvent,
    Project,
    Project.directions.through,
    ProjectParticipant,
    Milestone,
]
