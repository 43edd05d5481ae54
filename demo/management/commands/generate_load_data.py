"""A large synthetic data set for benchmarks: organisations, memberships and projects.

    DATABASE_URL=postgres://…/portal_load python manage.py generate_load_data \
        [--organisations 100000] [--projects 5000] [--seed 20261125] [--replace]

Everything is derived from a fixed seed, so two runs produce the same data.
Identifiers are valid (members/identifiers.py), names are Russian, and the
spread follows the cluster: most organisations in Moscow and the Moscow region,
the rest over the other regions; small companies far more common than large
ones; every association with members and projects at every stage.
Rows are written with bulk_create in batches; generated rows are recognisable
by the e-mail domain `load.example` and the slug prefix `load-`, and
`--replace` deletes them before generating again.
"""

import random
import time
from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from associations.models import Association, AssociationMembership, MembershipRole
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


def pick(rng: random.Random, weighted):
    values, weights = zip(*weighted)
    return rng.choices(values, weights=weights)[0]


class Command(BaseCommand):
    help = "Generate a large synthetic data set (organisations, memberships, projects) with a fixed seed."

    def add_arguments(self, parser):
        parser.add_argument("--organisations", type=int, default=100_000)
        parser.add_argument("--projects", type=int, default=5_000)
        parser.add_argument("--member-share", type=float, default=0.6, help="share of organisations that are members")
        parser.add_argument("--seed", type=int, default=20261125)
        parser.add_argument("--replace", action="store_true", help="delete previously generated rows first")

    def handle(self, *args, **options):
        started = time.monotonic()
        rng = random.Random(options["seed"])
        if Organisation.objects.filter(email__endswith="@" + DOMAIN).exists():
            if not options["replace"]:
                raise CommandError("Generated data already exists; run with --replace to generate it again.")
            self._delete()
        regions = list(Region.objects.order_by("code"))
        directions = {d.slug: d for d in Direction.objects.all()}
        if not regions or not directions:
            raise CommandError("Regions and directions are missing: run migrate first.")
        associations = self._associations(directions)
        org_ids = self._organisations(rng, options["organisations"], regions, list(directions.values()))
        member_ids = self._memberships(rng, org_ids, associations, options["member_share"])
        with transaction.atomic():  # a project's lead is one of its participants: written together
            self._projects(rng, options["projects"], associations, member_ids)
        self._analyze()
        self.stdout.write(self.style.SUCCESS(f"Done in {time.monotonic() - started:.0f} s."))

    def _analyze(self):
        """Planner statistics for what was written: without them PostgreSQL plans the directory blind
        (autovacuum may be off, and runs late after a bulk load anyway)."""
        from django.db import connection

        if connection.vendor != "postgresql":
            return
        tables = [
            Organisation._meta.db_table,
            Organisation.directions.through._meta.db_table,
            AssociationMembership._meta.db_table,
            Project._meta.db_table,
            Project.directions.through._meta.db_table,
            ProjectParticipant._meta.db_table,
            Milestone._meta.db_table,
        ]
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f'ANALYZE "{table}"')
        self.stdout.write("  statistics: analysed")

    def _delete(self):
        self.stdout.write("Deleting the previous generated data…")
        Project.objects.filter(slug__startswith="load-").delete()
        Organisation.objects.filter(email__endswith="@" + DOMAIN).delete()

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

    def _organisations(self, rng, count, regions, directions):
        """Organisations in batches; returns their ids. 55% Moscow, 15% Moscow region, the rest spread."""
        moscow = next(r for r in regions if r.code == "77")
        moscow_region = next(r for r in regions if r.code == "50")
        others = [r for r in regions if r.code not in ("77", "50")]
        seen_inn, seen_ogrn = set(Organisation.objects.values_list("inn", flat=True)), set()
        seen_ogrn.update(Organisation.objects.values_list("ogrn", flat=True))
        now = timezone.now()
        Through = Organisation.directions.through
        ids = []
        created = 0
        while created < count:
            batch, batch_directions = [], []
            for _ in range(min(BATCH, count - created)):
                roll = rng.random()
                region = moscow if roll < 0.55 else moscow_region if roll < 0.70 else rng.choice(others)
                sole_trader = rng.random() < 0.12
                while True:
                    inn = make_inn(rng, sole_trader=sole_trader, region=region.code)
                    ogrn = make_ogrn(rng, sole_trader=sole_trader, region=region.code)
                    if inn not in seen_inn and ogrn not in seen_ogrn:
                        break
                seen_inn.add(inn)
                seen_ogrn.add(ogrn)
                number = created + len(batch) + 1
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
                chosen = rng.sample(directions, k=rng.choice([1, 1, 2, 2, 3]))
                batch.append(
                    Organisation(
                        legal_form=LegalForm.SOLE_TRADER if sole_trader else LegalForm.LEGAL_ENTITY,
                        kind=kind,
                        inn=inn,
                        ogrn=ogrn,
                        kpp="" if sole_trader else make_kpp(rng, region=region.code),
                        full_name=full_name,
                        short_name=short_name,
                        sort_name=name_sort_key(short_name),  # bulk_create does not call save()
                        region=region,
                        city=region.name if region.code in ("77", "78", "92") else f"г. {rng.choice(ROOTS)}ск",
                        email=f"org{number}@{DOMAIN}",
                        phone=f"+7 9{rng.randint(10, 99)} {rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}",
                        size=size,
                        description="; ".join(rng.sample(COMPETENCES, k=2)).capitalize() + ".",
                        show_email=rng.random() < 0.8,
                        show_phone=rng.random() < 0.3,
                    )
                )
                batch_directions.append(chosen)
            with transaction.atomic():
                rows = Organisation.objects.bulk_create(batch, batch_size=BATCH)
                # created_at is auto_now_add: spread it over five years afterwards, in the same batch.
                Through.objects.bulk_create(
                    [
                        Through(organisation_id=o.pk, direction_id=d.pk)
                        for o, ds in zip(rows, batch_directions)
                        for d in ds
                    ],
                    batch_size=BATCH,
                )
            ids.extend(o.pk for o in rows)
            created += len(rows)
            self.stdout.write(f"  organisations: {created}/{count}")
        self._spread_dates(ids, now, rng)
        return ids

    def _spread_dates(self, ids, now, rng):
        from django.db import connection

        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE members_organisation SET created_at = %s - (random() * interval '1825 days') "
                "WHERE email LIKE %s",
                [now, "%@" + DOMAIN],
            )

    def _memberships(self, rng, org_ids, associations, share):
        """A share of the organisations are members of one to three associations (most of one)."""
        member_ids = rng.sample(org_ids, k=int(len(org_ids) * share))
        today = timezone.localdate()
        rows = []
        for org_id in member_ids:
            for association in rng.sample(associations, k=rng.choices([1, 2, 3], weights=[80, 15, 5])[0]):
                role = MembershipRole.PARTNER if rng.random() < 0.03 else MembershipRole.PARTICIPANT
                rows.append(
                    AssociationMembership(
                        organisation_id=org_id,
                        association=association,
                        role=role,
                        since=today - timedelta(days=rng.randint(0, 1800)),
                    )
                )
        for start in range(0, len(rows), BATCH):
            AssociationMembership.objects.bulk_create(rows[start : start + BATCH])
        self.stdout.write(f"  memberships: {len(rows)} of {len(member_ids)} organisations")
        return member_ids

    def _projects(self, rng, count, associations, member_ids):
        now = timezone.now()
        projects = []
        for number in range(1, count + 1):
            association = rng.choice(associations)
            title, title_en = rng.choice(PROJECT_WORDS)
            stage = pick(rng, STAGE_WEIGHTS)
            created = now - timedelta(days=rng.randint(0, 1800), minutes=rng.randint(0, 1440))
            projects.append(
                Project(
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
                )
            )
        Project.objects.bulk_create(projects, batch_size=1000)
        Through = Project.directions.through
        directions_of = {a.pk: list(a.directions.values_list("pk", flat=True)) for a in associations}
        links, participants, milestones = [], [], []
        for project in projects:
            for direction_id in directions_of[project.association_id]:
                links.append(Through(project_id=project.pk, direction_id=direction_id))
            team = {project.lead_organisation_id, *rng.sample(member_ids, k=rng.randint(1, 6))}
            for org_id in team:
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
                        state="done" if due < timezone.localdate() else "planned",
                        completed_on=due if due < timezone.localdate() else None,
                    )
                )
        Through.objects.bulk_create(links, batch_size=BATCH)
        ProjectParticipant.objects.bulk_create(participants, batch_size=BATCH)
        Milestone.objects.bulk_create(milestones, batch_size=BATCH)
        self.stdout.write(f"  projects: {count}, participants: {len(participants)}, milestones: {len(milestones)}")
