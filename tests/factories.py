"""factory_boy factories for the domain models; identifiers are always valid."""

import random

import factory
import faker
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from applications.models import ApplicationStatus, MembershipApplication
from associations.models import Association, AssociationMembership
from members.identifiers import make_inn, make_kpp, make_ogrn
from members.models import Direction, LegalForm, Organisation, Region, Representative, RepresentativeRole
from projects.models import Milestone, Project, ProjectParticipant

_rng = random.Random(20261125)
_fake = faker.Faker("ru_RU")
_fake.seed_instance(20261125)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    class Params:
        female = factory.Faker("pybool")

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    # A Russian name whose three parts agree in gender: «Горбунова Октябрина Федоровна».
    last_name = factory.LazyAttribute(lambda o: _fake.last_name_female() if o.female else _fake.last_name_male())
    first_name = factory.LazyAttribute(lambda o: _fake.first_name_female() if o.female else _fake.first_name_male())
    patronymic = factory.LazyAttribute(lambda o: _fake.middle_name_female() if o.female else _fake.middle_name_male())
    password = factory.PostGenerationMethodCall("set_password", "password-for-tests-1")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def region(code="77"):
    return Region.objects.get(code=code)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    legal_form = LegalForm.LEGAL_ENTITY
    kind = "company"
    inn = factory.LazyAttribute(lambda o: make_inn(_rng, sole_trader=o.legal_form == LegalForm.SOLE_TRADER))
    ogrn = factory.LazyAttribute(lambda o: make_ogrn(_rng, sole_trader=o.legal_form == LegalForm.SOLE_TRADER))
    kpp = factory.LazyAttribute(lambda o: "" if o.legal_form == LegalForm.SOLE_TRADER else make_kpp(_rng))
    full_name = factory.Sequence(lambda n: f'Общество с ограниченной ответственностью "Компания {n}"')
    short_name = factory.Sequence(lambda n: f'ООО "Компания {n}"')
    region = factory.LazyFunction(region)
    city = "Москва"
    email = factory.Sequence(lambda n: f"info{n}@company.example")
    size = "small"


class RepresentativeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Representative

    organisation = factory.SubFactory(OrganisationFactory)
    user = factory.SubFactory(UserFactory)
    role = RepresentativeRole.OWNER


def direction(slug="additive-manufacturing"):
    return Direction.objects.get(slug=slug)


class AssociationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Association

    name = factory.Sequence(lambda n: f"Объединение {n}")
    name_en = factory.Sequence(lambda n: f"Association {n}")
    slug = factory.Sequence(lambda n: f"association-{n}")
    summary = "Совместные проекты участников"
    summary_en = "Joint projects of the members"
    status = "active"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AssociationMembership

    organisation = factory.SubFactory(OrganisationFactory)
    association = factory.SubFactory(AssociationFactory)


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MembershipApplication

    organisation = factory.SubFactory(OrganisationFactory)
    association = factory.SubFactory(AssociationFactory)
    applicant = factory.SubFactory(UserFactory)
    motivation = "Хотим участвовать в совместных проектах"
    competences = "Проектирование и производство"
    status = ApplicationStatus.DRAFT
    submitted_at = factory.LazyAttribute(lambda o: None if o.status == ApplicationStatus.DRAFT else timezone.now())


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    association = factory.SubFactory(AssociationFactory)
    slug = factory.Sequence(lambda n: f"project-{n}")
    title = factory.Sequence(lambda n: f"Проект {n}")
    title_en = factory.Sequence(lambda n: f"Project {n}")
    summary = "Краткое описание проекта"
    summary_en = "Short summary of the project"
    stage = "idea"
    visibility = "public"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        """A project's lead organisation is one of its participants, written in the same transaction
        (projects.services; on PostgreSQL a deferred foreign key checks it at commit)."""
        with transaction.atomic():
            project = super()._create(model_class, *args, **kwargs)
            if project.lead_organisation_id:
                ProjectParticipant.objects.update_or_create(
                    project=project, organisation_id=project.lead_organisation_id, defaults={"role": "lead"}
                )
        return project


class ParticipantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProjectParticipant

    project = factory.SubFactory(ProjectFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "developer"


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    project = factory.SubFactory(ProjectFactory)
    title = factory.Sequence(lambda n: f"Этап {n}")
    due_on = factory.LazyFunction(timezone.localdate)
