"""Organisation names sort and compare by the name itself: not by the legal form, not by the quotes.

ООО «ПолимерФорм» files under П, whether typed with «ёлочки», "straight" or „German“ quotes; the
stored key (`sort_name`) orders the directory, the association pages and the selects, and the
directory's keyset pages walk it from either end.
"""

import importlib

import pytest
from django.apps import apps

from associations.models import AssociationMembership
from members.models import Organisation
from members.names import name_sort_key

from .factories import AssociationFactory, MembershipFactory, OrganisationFactory, RepresentativeFactory


@pytest.mark.parametrize(
    "name,key",
    [
        ("ООО «ПолимерФорм»", "полимерформ"),
        ('ООО "ПолимерФорм"', "полимерформ"),
        ("ООО „ПолимерФорм“", "полимерформ"),
        ("ООО“ПолимерФорм”", "полимерформ"),
        ("ООО 'ПолимерФорм'", "полимерформ"),
        ("«ПолимерФорм»", "полимерформ"),
        ("ПолимерФорм", "полимерформ"),
        ("ПолимерФорм, ООО", "полимерформ"),
        ("Общество с ограниченной ответственностью «ПолимерФорм»", "полимерформ"),
        ("  ООО   «Полимер   Форм»  ", "полимер форм"),
        ("АО «Фотон»", "фотон"),
        ("ПАО «Фотон»", "фотон"),
        ("ЗАО «Фотон»", "фотон"),
        ("Акционерное общество «Фотон»", "фотон"),
        ("ИП Орлова А. С.", "орлова а. с"),
        ("Индивидуальный предприниматель Орлова Анна Сергеевна", "орлова анна сергеевна"),
        ("АНО ДПО «Академия»", "академия"),
        ("НКО «Фонд развития»", "фонд развития"),
        ("ФГУП «Исток»", "исток"),
        ("ФГБОУ ВО «МГТУ им. Н. Э. Баумана»", "мгту им. н. э. баумана"),
        ("ООО «Ёлка»", "елка"),  # ё files with е, as in dictionaries
        ("АО «Аостра»", "аостра"),  # a form only as a whole word: «Ао…» is a name
        ("Аостра", "аостра"),
        ("Ипподром", "ипподром"),
        ("ООО", "ооо"),  # nothing but a form: the form itself, not an empty key
        ("Photon Labs LLC", "photon labs"),
    ],
)
def test_the_sort_key_leaves_out_legal_forms_quotes_and_case(name, key):
    assert name_sort_key(name) == key


def test_the_same_name_typed_differently_compares_equal():
    typed = ["ООО «ПолимерФорм»", 'ООО "ПолимерФорм"', "ПолимерФорм, ООО", "полимерформ", "АО „ПОЛИМЕРФОРМ“"]
    assert len({name_sort_key(name) for name in typed}) == 1


@pytest.mark.django_db
def test_saving_keeps_the_key_in_step_with_the_short_name():
    organisation = OrganisationFactory(short_name="ООО «Альфа»")
    assert organisation.sort_name == "альфа"
    organisation.short_name = 'АО "Бета"'
    organisation.save(update_fields=["short_name"])
    assert Organisation.objects.get(pk=organisation.pk).sort_name == "бета"


@pytest.mark.django_db
def test_the_migration_fills_the_key_of_existing_rows():
    organisation = OrganisationFactory(short_name='ООО "Гамма"')
    Organisation.objects.filter(pk=organisation.pk).update(sort_name="")
    migration = importlib.import_module("members.migrations.0003_organisation_sort_name")
    migration.fill_sort_names(apps, None)
    assert Organisation.objects.get(pk=organisation.pk).sort_name == "гамма"


# Lists

NAMES = [
    'ООО "Яблоко"',  # typed with straight quotes: once sorted before every «…» name
    "ООО «ПолимерФорм»",
    "АО «Альфа»",
    "ИП Борисов Б. Б.",
    "«Вектор»",
    'ЗАО "Ёж"',
    "ПАО «Жёлудь»",
]
IN_ORDER = [
    "АО «Альфа»",
    "ИП Борисов Б. Б.",
    "«Вектор»",
    'ЗАО "Ёж"',
    "ПАО «Жёлудь»",
    "ООО «ПолимерФорм»",
    'ООО "Яблоко"',
]


@pytest.fixture
def association():
    association = AssociationFactory(slug="names")
    for name in NAMES:
        MembershipFactory(association=association, organisation__short_name=name)
    return association


def _names(response):
    return [o.short_name for o in response.context["page"]]


@pytest.mark.django_db
def test_the_directory_sorts_by_the_name_without_form_and_quotes(client, association):
    client.force_login(RepresentativeFactory(organisation=Organisation.objects.first()).user)
    assert _names(client.get("/members/", {"association": "names"})) == IN_ORDER


@pytest.mark.django_db
def test_the_directory_pages_from_either_end_in_the_same_order(client, association, monkeypatch):
    monkeypatch.setattr("associations.directory.PAGE_SIZE", 3)
    client.force_login(RepresentativeFactory(organisation=Organisation.objects.first()).user)
    first = client.get("/members/", {"association": "names"})
    assert _names(first) == IN_ORDER[:3]
    second = client.get("/members/?" + first.context["page"].next_query)
    assert _names(second) == IN_ORDER[3:6]
    last = client.get("/members/", {"association": "names", "page": "last"})
    assert _names(last) == IN_ORDER[-3:]
    before_last = client.get("/members/?" + last.context["page"].previous_query)
    assert _names(before_last) == IN_ORDER[1:4]


@pytest.mark.django_db
def test_the_association_page_and_the_selects_use_the_same_order(client, association):
    participants = client.get("/associations/names/").context["participants"]
    assert [o.short_name for o in participants] == IN_ORDER
    assert [o.short_name for o in Organisation.objects.all()] == IN_ORDER  # Meta.ordering: admin, selects
    user = RepresentativeFactory(organisation=Organisation.objects.get(short_name='ООО "Яблоко"')).user
    RepresentativeFactory(organisation=Organisation.objects.get(short_name="АО «Альфа»"), user=user)
    from applications.forms import ApplicationForm

    choices = [o.short_name for o in ApplicationForm(user=user).fields["organisation"].queryset]
    assert choices == ["АО «Альфа»", 'ООО "Яблоко"']


@pytest.mark.django_db
def test_the_admin_list_sorts_by_the_key(client, association):
    from .factories import UserFactory

    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    page = client.get("/admin/members/organisation/").content.decode()
    positions = [page.index(name.replace('"', "&quot;")) for name in IN_ORDER]
    assert positions == sorted(positions)
    assert AssociationMembership.objects.count() == len(NAMES)
