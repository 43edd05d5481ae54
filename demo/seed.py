"""Idempotent demo data: everything is keyed by a natural key (slug, ИНН, e-mail).

A fixed random seed makes the generated organisations the same on every run, so
a second run finds them and writes nothing.
"""

import random
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from applications.models import ApplicationEvent, ApplicationStatus, MembershipApplication
from applications.services import notify_application_event
from associations.models import Association, AssociationMembership, MembershipStatus
from core import versioned_cache
from members.identifiers import make_inn, make_kpp, make_ogrn
from members.models import (
    Direction,
    LegalForm,
    Organisation,
    OrganisationKind,
    Region,
    Representative,
    RepresentativeRole,
)
from members.names import name_sort_key
from projects.models import Milestone, MilestoneState, ParticipantRole, Project, ProjectParticipant, Stage, StageChange

from . import content

DEMO_PASSWORD = "demo-portal-2026"
SEED = 2026
ADMIN_EMAIL = "admin@cluster.local"

STAGE_PATH = [Stage.IDEA, Stage.DEVELOPMENT, Stage.PROMOTION, Stage.REPLICATION, Stage.COMPLETED]
# Most members are in Moscow; the rest spread over other regions.
REGION_WEIGHTS = [
    ("77", 70),
    ("50", 8),
    ("78", 4),
    ("16", 2),
    ("54", 2),
    ("66", 2),
    ("52", 2),
    ("63", 1),
    ("74", 1),
    ("23", 1),
    ("69", 1),
    ("40", 2),
    ("70", 2),
    ("47", 1),
    ("61", 1),
    ("02", 1),
]


def _company(rng, n):
    first, second = rng.sample(content.NAME_STEMS, 2)
    return f"{first}{second.lower()} {rng.choice(content.NAME_TAILS)}"


def _organisation_rows(rng, count, association_slug):
    """Deterministic rows of generated organisations for one association."""
    regions, weights = zip(*REGION_WEIGHTS)
    for n in range(count):
        region = "77" if association_slug == "3d-printing-industrial-design" else rng.choices(regions, weights)[0]
        sole_trader = rng.random() < 0.1
        if sole_trader:
            surname = rng.choice(content.SURNAMES)
            person = f"{surname} {rng.choice(content.INITIALS)}. {rng.choice(content.INITIALS)}."
            full, short, size = f"Индивидуальный предприниматель {person}", f"ИП {person}", "micro"
        else:
            name = _company(rng, n)
            form = rng.choice(["ООО", "ООО", "ООО", "АО"])
            long_form = "Общество с ограниченной ответственностью" if form == "ООО" else "Акционерное общество"
            full, short = f"{long_form} «{name}»", f"{form} «{name}»"
            size = rng.choices(["micro", "small", "medium", "large"], [3, 5, 3, 1])[0]
        yield {
            "legal_form": LegalForm.SOLE_TRADER if sole_trader else LegalForm.LEGAL_ENTITY,
            "kind": OrganisationKind.default_for(LegalForm.SOLE_TRADER if sole_trader else LegalForm.LEGAL_ENTITY),
            "inn": make_inn(rng, sole_trader=sole_trader, region=region),
            "ogrn": make_ogrn(rng, sole_trader=sole_trader, region=region),
            "kpp": "" if sole_trader else make_kpp(rng, region=region),
            "full_name": full,
            "short_name": short,
            "region": region,
            "city": content.CITIES[region],
            "size": size,
            "okved": rng.choice(content.OKVED),
        }


class Seeder:
    def __init__(self, password, create_accounts):
        self.rng = random.Random(SEED)
        self.password = password
        self.create_accounts = create_accounts
        self.regions = {r.code: r for r in Region.objects.all()}
        self.directions = {d.slug: d for d in Direction.objects.all()}
        self.created = {}
        # Every dated event of the demo lies before this day, so no history is in the future.
        self.today = timezone.localdate()

    def count(self, what, created):
        if created:
            self.created[what] = self.created.get(what, 0) + 1

    # Accounts

    def user(self, email, name, **flags):
        """An account named «Фамилия Имя Отчество» (name), its address confirmed."""
        User = get_user_model()
        last_name, first_name, patronymic = name
        user, created = User.objects.get_or_create(
            email=email,
            defaults={"last_name": last_name, "first_name": first_name, "patronymic": patronymic, **flags},
        )
        if created:
            user.set_password(self.password)
            user.pd_consent_at = timezone.now()
            user.save()
            self.count("users", True)
            from allauth.account.models import EmailAddress

            EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        return user

    # Content

    def associations(self):
        result = {}
        for slug, name, name_en, summary, summary_en, directions, year, _count, featured in content.ASSOCIATIONS:
            description, description_en = content.ASSOCIATION_DESCRIPTIONS.get(slug, ("", ""))
            association, created = Association.objects.get_or_create(
                slug=slug,
                defaults={
                    "name": name,
                    "name_en": name_en,
                    "summary": summary,
                    "summary_en": summary_en,
                    # A body of its own where the article gives one; never the summary again.
                    "description": description,
                    "description_en": description_en,
                    "founded_on": date(year, 3, 1),
                    "is_featured": featured,
                },
            )
            if created:
                association.directions.set([self.directions[d] for d in directions])
            self.count("associations", created)
            result[slug] = association
        return result

    def organisation(self, row, directions):
        row = dict(row)
        region = self.regions[row.pop("region")]
        inn = row.pop("inn")
        org, created = Organisation.objects.get_or_create(
            inn=inn,
            defaults={**row, "region": region, "email": f"info-{inn}@example.ru", "description": ""},
        )
        if created:
            org.directions.set(directions)
            self.count("organisations", created)
        return org

    def membership(self, org, association, role="participant"):
        _, created = AssociationMembership.objects.get_or_create(
            organisation=org,
            association=association,
            status=MembershipStatus.ACTIVE,
            defaults={"role": role, "since": association.founded_on or self.today},
        )
        self.count("memberships", created)

    def members(self, associations):
        """The named organisations and each association's generated members, written in bulk
        (some 860 rows: one at a time they cost seconds of every `make run` and test that seeds)."""
        planned = []  # (key, row, directions, association, role)
        for key, kind, full, short, size, directions, slug, role in content.NAMED_ORGANISATIONS:
            rng = random.Random(f"{SEED}-{key}")
            row = next(_organisation_rows(rng, 1, slug))
            row.update(kind=kind, full_name=full, short_name=short, size=size, legal_form=LegalForm.LEGAL_ENTITY)
            row["inn"] = make_inn(rng, region="77")
            row["ogrn"] = make_ogrn(rng, region="77")
            row["kpp"] = make_kpp(rng, region="77")
            planned.append((key, row, [self.directions[d] for d in directions], associations[slug], role))
        for slug, *_rest, count, _featured in content.ASSOCIATIONS:
            association = associations[slug]
            directions = list(association.directions.all())
            rng = random.Random(f"{SEED}-{slug}")
            for row in _organisation_rows(rng, count, slug):
                planned.append((None, row, directions, association, "participant"))

        organisations = self.organisations_in_bulk([(row, directions) for _key, row, directions, *_ in planned])
        self.memberships_in_bulk(
            [(organisations[row["inn"]], association, role) for _k, row, _d, association, role in planned]
        )
        members = {slug: [] for slug in associations}
        named = {}
        for key, row, _directions, association, _role in planned:
            if key:
                named[key] = organisations[row["inn"]]
            else:
                members[association.slug].append(organisations[row["inn"]])
        return members, named

    def organisations_in_bulk(self, planned) -> dict:
        """{ИНН: organisation} for the planned rows: the missing ones created with their directions."""
        wanted = {}
        for row, directions in planned:
            wanted.setdefault(row["inn"], (row, directions))
        found = Organisation.objects.in_bulk(list(wanted), field_name="inn")
        new = []
        for inn, (row, _directions) in wanted.items():
            if inn not in found:
                values = {key: value for key, value in row.items() if key not in ("inn", "region")}
                new.append(
                    Organisation(
                        **values,
                        inn=inn,
                        region=self.regions[row["region"]],
                        email=f"info-{inn}@example.ru",
                        description="",
                        sort_name=name_sort_key(values["short_name"]),
                    )
                )
        Organisation.objects.bulk_create(new, batch_size=500)
        created = Organisation.objects.in_bulk([org.inn for org in new], field_name="inn")
        through = Organisation.directions.through
        through.objects.bulk_create(
            [
                through(organisation_id=org.pk, direction_id=direction.pk)
                for inn, org in created.items()
                for direction in wanted[inn][1]
            ],
            batch_size=1000,
        )
        if created:
            self.created["organisations"] = self.created.get("organisations", 0) + len(created)
            versioned_cache.model_changed(Organisation)  # bulk_create sends no signals
        return {**found, **created}

    def memberships_in_bulk(self, planned) -> None:
        """Active memberships for (organisation, association, role), the ones already there left as they are."""
        present = set(
            AssociationMembership.objects.filter(
                status=MembershipStatus.ACTIVE, organisation__in={org.pk for org, _a, _r in planned}
            ).values_list("organisation_id", "association_id")
        )
        new = []
        for org, association, role in planned:
            if (org.pk, association.pk) not in present:
                present.add((org.pk, association.pk))
                new.append(
                    AssociationMembership(
                        organisation=org,
                        association=association,
                        status=MembershipStatus.ACTIVE,
                        role=role,
                        since=association.founded_on or self.today,
                    )
                )
        AssociationMembership.objects.bulk_create(new, batch_size=500)
        if new:
            self.created["memberships"] = self.created.get("memberships", 0) + len(new)
            versioned_cache.model_changed(AssociationMembership)

    def projects(self, associations, members, named):
        for index, (
            slug,
            project_slug,
            title,
            title_en,
            summary,
            summary_en,
            stage,
            visibility,
            directions,
        ) in enumerate(content.PROJECTS):
            association = associations[slug]
            pool = members[slug]
            rng = random.Random(f"{SEED}-{project_slug}")
            lead = named["printer-dev-2"] if project_slug == "pellet-printer" else pool[index % len(pool)]
            starts = self.today - timedelta(days=60 + 25 * index)
            history = self.stage_dates(stage, starts)
            description, description_en = content.PROJECT_DESCRIPTIONS.get(project_slug, ("", ""))
            project, created = Project.objects.get_or_create(
                slug=project_slug,
                defaults={
                    "association": association,
                    "title": title,
                    "title_en": title_en,
                    "summary": summary,
                    "summary_en": summary_en,
                    "description": description,
                    "description_en": description_en,
                    "stage": stage,
                    "visibility": visibility,
                    "lead_organisation": lead,
                    "starts_on": starts,
                    # A completed project ended when it was completed; the others plan a year and a half.
                    "ends_on": history[-1][1] if stage == Stage.COMPLETED else starts + timedelta(days=540),
                    "staff_notes": "Плановая проверка этапа — ежеквартально.",
                    "budget_rub": 5_000_000 + 750_000 * index,
                    "created_at": timezone.now() - timedelta(days=len(content.PROJECTS) - index),
                },
            )
            self.count("projects", created)
            if not created:
                continue
            project.directions.set([self.directions[d] for d in directions])
            participants = [(lead, ParticipantRole.LEAD)]
            if project_slug == "pellet-printer":
                participants += [
                    (named["mospolytech"], ParticipantRole.RESEARCH),
                    (named["zelenograd"], ParticipantRole.INFRASTRUCTURE),
                    (named["printer-dev-1"], ParticipantRole.DEVELOPER),
                    (named["scanner-dev"], ParticipantRole.DEVELOPER),
                ]
            others = [org for org in rng.sample(pool, k=min(4, len(pool))) if org != lead]
            roles = [
                ParticipantRole.DEVELOPER,
                ParticipantRole.MANUFACTURER,
                ParticipantRole.CUSTOMER,
                ParticipantRole.RESEARCH,
            ]
            participants += list(zip(others[:3], roles))
            ProjectParticipant.objects.bulk_create(
                [ProjectParticipant(project=project, organisation=org, role=role) for org, role in participants]
            )
            self.stage_history(project, history)
            self.milestones(project, stage, starts, history)

    def stage_dates(self, stage, starts) -> list[tuple[str, date]]:
        """The stages a project went through to reach `stage`, each with the day it was reached.

        Three months apart, closer together when the project is younger, so the last change
        happened before today: the demo has no history in the future.
        """
        path = (
            STAGE_PATH[: STAGE_PATH.index(stage) + 1]
            if stage in STAGE_PATH
            else [Stage.IDEA, Stage.DEVELOPMENT, Stage.SUSPENDED]
        )
        gap = min(90, (self.today - starts).days // len(path))
        return [(to, starts + timedelta(days=gap * step)) for step, to in enumerate(path)]

    def stage_history(self, project, history):
        previous = ""
        for step, (to, day) in enumerate(history):
            StageChange.objects.create(
                project=project,
                from_stage=previous,
                to_stage=to,
                comment="" if step == 0 else "Решение совета объединения",
                created_at=timezone.make_aware(datetime.combine(day, time(10))),
            )
            previous = to

    def milestones(self, project, stage, starts, history):
        """A milestone of each stage: those of the stages passed done the day before the next began."""
        done_until = STAGE_PATH.index(stage) if stage in STAGE_PATH else 1
        titles = ["Техническое задание", "Прототип", "Испытания", "Первые продажи", "Тиражирование"]
        for n, title in enumerate(titles):
            if n < done_until:
                state, completed = MilestoneState.DONE, history[n + 1][1] - timedelta(days=1)
            elif n == done_until and stage != Stage.SUSPENDED:
                state, completed = MilestoneState.IN_PROGRESS, None
            else:
                state, completed = MilestoneState.PLANNED, None
            Milestone.objects.create(
                project=project,
                title=title,
                due_on=starts + timedelta(days=90 * (n + 1)),
                state=state,
                completed_on=completed,
            )

    def applications(self, associations, applicant, sole_trader):
        """One applicant organisation with applications in every status, and an ИП applying once."""
        rng = random.Random(f"{SEED}-applicant")
        row = next(_organisation_rows(rng, 1, "3d-printing-industrial-design"))
        row.update(
            legal_form=LegalForm.LEGAL_ENTITY,
            kind=OrganisationKind.COMPANY,
            full_name="Общество с ограниченной ответственностью «Аддитив Плюс»",
            short_name="ООО «Аддитив Плюс»",
            size="small",
        )
        row["inn"], row["ogrn"], row["kpp"] = make_inn(rng), make_ogrn(rng), make_kpp(rng)
        org = self.organisation(row, [self.directions["additive-manufacturing"], self.directions["robotics"]])
        if applicant:
            Representative.objects.get_or_create(
                organisation=org, user=applicant, defaults={"role": RepresentativeRole.OWNER}
            )
        sole = dict(next(_organisation_rows(random.Random(f"{SEED}-sole"), 1, "robotics")))
        sole.update(
            legal_form=LegalForm.SOLE_TRADER,
            kind=OrganisationKind.SOLE_TRADER,
            full_name="Индивидуальный предприниматель Орлова Анна Сергеевна",
            short_name="ИП Орлова А. С.",
            kpp="",
        )
        rng2 = random.Random(f"{SEED}-sole-ids")
        sole["inn"], sole["ogrn"] = make_inn(rng2, sole_trader=True), make_ogrn(rng2, sole_trader=True)
        sole_org = self.organisation(sole, [self.directions["industrial-design"]])
        if sole_trader:
            Representative.objects.get_or_create(
                organisation=sole_org, user=sole_trader, defaults={"role": RepresentativeRole.OWNER}
            )
        if MembershipApplication.objects.filter(organisation__in=[org, sole_org]).exists():
            return
        plan = [
            (org, "robotics", [ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW, ApplicationStatus.APPROVED]),
            (org, "3d-printing-industrial-design", [ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW]),
            (
                org,
                "new-materials",
                [ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW, ApplicationStatus.INFO_REQUESTED],
            ),
            (org, "photonics", [ApplicationStatus.SUBMITTED]),
            (org, "green-technologies", []),
            (org, "space", [ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW, ApplicationStatus.REJECTED]),
            (org, "telecom", [ApplicationStatus.SUBMITTED, ApplicationStatus.WITHDRAWN]),
            (sole_org, "3d-printing-industrial-design", [ApplicationStatus.SUBMITTED]),
        ]
        reviewer = get_user_model().objects.filter(email=ADMIN_EMAIL).first()
        for organisation, slug, steps in plan:
            person = sole_trader if organisation == sole_org else applicant
            application = MembershipApplication.objects.create(
                organisation=organisation,
                association=associations[slug],
                applicant=person,
                motivation="Хотим вместе с участниками объединения разрабатывать и тиражировать решения.",
                competences="Проектирование, прототипирование и мелкосерийное производство.",
                created_at=timezone.now() - timedelta(days=12),
            )
            application.directions.set(associations[slug].directions.all())
            for to in steps:
                if to == ApplicationStatus.SUBMITTED:
                    event = application.submit(by=person)
                elif to == ApplicationStatus.IN_REVIEW:
                    event = application.take_into_review(by=reviewer)
                elif to == ApplicationStatus.INFO_REQUESTED:
                    event = application.request_information(
                        by=reviewer, comment="Пришлите, пожалуйста, описание выполненных проектов."
                    )
                elif to == ApplicationStatus.APPROVED:
                    event = application.approve(by=reviewer, comment="Добро пожаловать в объединение!")
                elif to == ApplicationStatus.REJECTED:
                    event = application.reject(
                        by=reviewer, comment="Направление деятельности не совпадает с задачами объединения."
                    )
                elif to == ApplicationStatus.WITHDRAWN:
                    event = application.withdraw(by=applicant, comment="Решили подать заявку позже.")
                if person is not None:
                    # The demo inbox shows what each step told people, as in real use.
                    notify_application_event(event)
            self.count("applications", True)
        # Spread the submissions over the last days so that the review queue shows waiting times.
        for n, application in enumerate(
            MembershipApplication.objects.filter(organisation__in=[org, sole_org]).order_by("pk")
        ):
            shift = timedelta(days=10 - n)
            if application.submitted_at:
                MembershipApplication.objects.filter(pk=application.pk).update(
                    submitted_at=application.submitted_at - shift
                )
            ApplicationEvent.objects.filter(application=application).update(
                created_at=application.created_at + timedelta(hours=1)
            )

    def run(self):
        admin = coordinator_3d = coordinator_photonics = applicant = member = sole_trader = None
        if self.create_accounts:
            admin = self.user(ADMIN_EMAIL, ("Кузнецов", "Андрей", "Викторович"), is_staff=True, is_superuser=True)
            self.user("staff@cluster.local", ("Белова", "Ольга", "Сергеевна"), is_cluster_staff=True)
            coordinator_3d = self.user("coordinator-3d@cluster.local", ("Соколова", "Наталья", "Игоревна"))
            coordinator_photonics = self.user("coordinator-photonics@cluster.local", ("Фотонов", "Игорь", "Алексеевич"))
            applicant = self.user("applicant@example.ru", ("Морозов", "Павел", "Андреевич"))
            member = self.user("member@example.ru", ("Лебедева", "Мария", "Олеговна"))
            sole_trader = self.user("orlova@example.ru", ("Орлова", "Анна", "Сергеевна"))
        associations = self.associations()
        if coordinator_3d:
            associations["3d-printing-industrial-design"].coordinators.add(coordinator_3d)
            associations["photonics"].coordinators.add(coordinator_photonics)
        members, named = self.members(associations)
        if member:
            Representative.objects.get_or_create(
                organisation=named["printer-dev-2"], user=member, defaults={"role": RepresentativeRole.OWNER}
            )
        self.projects(associations, members, named)
        self.applications(associations, applicant, sole_trader)
        del admin
        return self.created


def run(*, password: str = DEMO_PASSWORD, create_accounts: bool = True) -> list[str]:
    created = Seeder(password, create_accounts).run()
    if not created:
        return ["Nothing to do: the demo content is already there."]
    return [f"created {n} {what}" for what, n in sorted(created.items())]
