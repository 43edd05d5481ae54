"""How an organisation reads: its location named once, its kind following the legal form,
its category by the law's names, and identifiers labelled in each language's own letters."""

import random

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from members.forms import OrganisationForm
from members.identifiers import make_inn, make_ogrn
from members.models import Organisation, OrganisationKind, Region

from .factories import OrganisationFactory

pytestmark = pytest.mark.django_db
rng = random.Random(99)


@pytest.mark.parametrize(
    ("code", "city", "language", "expected"),
    [
        ("77", "Москва", "ru", "Москва"),
        ("77", "г. Москва", "ru", "Москва"),
        ("77", "москва", "en", "Moscow"),
        ("78", "Санкт-Петербург", "ru", "Санкт-Петербург"),
        ("50", "Химки", "ru", "Московская область, Химки"),
        ("50", "Химки", "en", "Moscow Oblast, Химки"),
        ("16", "", "ru", "Республика Татарстан"),
    ],
)
def test_location_names_each_place_once(code, city, language, expected):
    organisation = OrganisationFactory.build(region=Region.objects.get(code=code), city=city)
    with translation.override(language):
        assert organisation.location == expected


def test_the_directory_page_shows_moscow_once(client, world):
    client.force_login(world.dave)
    html = client.get(world.member_org.get_absolute_url()).content.decode()
    assert "Москва, Москва" not in html
    assert '<dd class="col-sm-8">Москва</dd>' in html


def sole_trader_profile(**overrides) -> dict:
    data = {
        "legal_form": "sole_trader",
        "kind": "",
        "inn": make_inn(rng, sole_trader=True),
        "ogrn": make_ogrn(rng, sole_trader=True),
        "kpp": "",
        "full_name": "Индивидуальный предприниматель Орлова Анна Сергеевна",
        "short_name": "ИП Орлова А. С.",
        "region": Region.objects.get(code="77").pk,
        "city": "Москва",
        "email": "orlova@example.ru",
        "size": "micro",
        "show_email": "on",
    }
    return {**data, **overrides}


def test_a_new_profile_preselects_no_kind():
    form = OrganisationForm()
    assert form["kind"].value() == ""
    assert '<option value="" selected>' in str(form["kind"])


def test_an_individual_entrepreneur_left_without_a_kind_is_one():
    form = OrganisationForm(sole_trader_profile())
    assert form.is_valid(), form.errors
    assert form.profile()["kind"] == OrganisationKind.SOLE_TRADER


def test_a_legal_entity_left_without_a_kind_is_a_company():
    from members.identifiers import make_kpp

    form = OrganisationForm(
        sole_trader_profile(
            legal_form="legal_entity",
            inn=make_inn(rng),
            ogrn=make_ogrn(rng),
            kpp=make_kpp(rng),
            full_name="ООО «Печать»",
            short_name="ООО «Печать»",
        )
    )
    assert form.is_valid(), form.errors
    assert form.profile()["kind"] == OrganisationKind.COMPANY


def test_a_chosen_kind_is_kept():
    form = OrganisationForm(sole_trader_profile(kind="investor"))
    assert form.is_valid(), form.errors
    assert form.profile()["kind"] == OrganisationKind.INVESTOR


def test_a_legal_entity_is_not_of_the_individual_entrepreneur_kind():
    organisation = OrganisationFactory.build(kind=OrganisationKind.SOLE_TRADER)
    with pytest.raises(ValidationError) as refused:
        organisation.clean()
    assert [e.code for e in refused.value.error_dict["kind"]] == ["kind_legal_form"]


def test_the_page_saves_an_individual_entrepreneur_left_without_a_kind_as_one(client, world):
    client.force_login(world.charlie)
    data = sole_trader_profile()
    response = client.post(reverse("members:organisation-create"), data)
    assert response.status_code == 302
    saved = Organisation.objects.get(inn=data["inn"])
    assert (saved.legal_form, saved.kind) == ("sole_trader", "sole_trader")


@pytest.mark.parametrize(
    ("size", "russian", "english"),
    [
        ("micro", "Микропредприятие", "Micro-enterprise"),
        ("small", "Малое предприятие", "Small enterprise"),
        ("medium", "Среднее предприятие", "Medium-sized enterprise"),
        ("large", "Крупное предприятие", "Large enterprise"),
    ],
)
def test_sizes_are_named_by_their_legal_category(size, russian, english):
    organisation = OrganisationFactory.build(size=size)
    with translation.override("ru"):
        assert organisation.get_size_display() == russian
    with translation.override("en"):
        assert organisation.get_size_display() == english


def test_kind_and_legal_form_read_as_one_phrase():
    company = OrganisationFactory.build(kind="company")
    sole_trader = OrganisationFactory.build(legal_form="sole_trader", kind="sole_trader")
    with translation.override("ru"):
        assert company.kind_with_legal_form == "Компания, юридическое лицо"
        assert sole_trader.kind_with_legal_form == "Индивидуальный предприниматель"


def test_identifier_labels_are_english_in_english_and_explained():
    with translation.override("en"):
        form = OrganisationForm()
        labels = {name: str(form[name].label) for name in ("inn", "ogrn", "kpp", "okved")}
        help_texts = {name: str(form[name].help_text) for name in ("inn", "ogrn", "kpp")}
    assert labels == {
        "inn": "INN (taxpayer number)",
        "ogrn": "OGRN / OGRNIP",
        "kpp": "KPP",
        "okved": "Main OKVED code",
    }
    assert help_texts["inn"].startswith("The taxpayer identification number")
    assert help_texts["ogrn"].startswith("The primary state registration number")
    assert help_texts["kpp"].startswith("The tax registration reason code")
    with translation.override("ru"):
        form = OrganisationForm()
        assert [str(form[name].label) for name in ("inn", "ogrn", "kpp")] == ["ИНН", "ОГРН / ОГРНИП", "КПП"]
        assert str(form["inn"].help_text).startswith("Идентификационный номер налогоплательщика")


def test_an_existing_organisation_keeps_its_kind(world):
    form = OrganisationForm(instance=Organisation.objects.get(pk=world.applicant_org.pk))
    assert form["kind"].value() == "company"
