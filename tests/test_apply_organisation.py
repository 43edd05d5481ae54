"""The organisation profile form and views: /cabinet/organisations/new/ and edit."""

import random
from unittest import mock

import pytest
from django.db import DatabaseError
from django.urls import reverse
from django.utils import translation

from members.forms import OrganisationForm
from members.identifiers import make_inn, make_kpp, make_ogrn
from members.models import JoinRequest, Organisation, Representative, RepresentativeRole
from notifications.models import Notification
from tests.factories import OrganisationFactory, RepresentativeFactory, UserFactory, region

pytestmark = pytest.mark.django_db


rng = random.Random(3)


def sole_trader_data(**overrides):
    data = {
        "legal_form": "sole_trader",
        "kind": "company",
        "inn": make_inn(rng, sole_trader=True),
        "ogrn": make_ogrn(rng, sole_trader=True),
        "kpp": "",
        "full_name": "Индивидуальный предприниматель Иванов Иван Иванович",
        "short_name": "ИП Иванов",
        "region": region("77").pk,
        "city": "Москва",
        "address": "",
        "website": "",
        "email": "ivanov@example.ru",
        "phone": "",
        "size": "micro",
    }
    data.update(overrides)
    return data


def legal_entity_data(**overrides):
    values = {
        "legal_form": "legal_entity",
        "inn": make_inn(rng),
        "ogrn": make_ogrn(rng),
        "kpp": make_kpp(rng),
        "full_name": 'ООО "Печать"',
        "short_name": 'ООО "Печать"',
    }
    return sole_trader_data(**{**values, **overrides})


def errors_of(data):
    with translation.override("en"):
        form = OrganisationForm(data)
        form.is_valid()
        return {field: [e.code for e in errors.as_data()] for field, errors in form.errors.items()}, form


# The form


def test_it_accepts_a_sole_trader_without_kpp():
    errors, form = errors_of(sole_trader_data())
    assert errors == {}


def test_it_accepts_a_legal_entity_and_strips_spaces():
    data = legal_entity_data()
    data["inn"] = f"{data['inn'][:4]} {data['inn'][4:]}"
    errors, form = errors_of(data)
    assert errors == {}
    assert " " not in form.cleaned_data["inn"]


def test_it_refuses_a_wrong_inn_check_digit_naming_the_field():
    inn = make_inn(rng, sole_trader=True)
    wrong = inn[:-1] + str((int(inn[-1]) + 1) % 10)
    errors, form = errors_of(sole_trader_data(inn=wrong))
    assert errors == {"inn": ["inn_checksum"]}
    with translation.override("en"):
        assert "INN check digit" in form.errors["inn"][0]


def test_it_refuses_a_10_digit_inn_for_a_sole_trader():
    errors, _ = errors_of(sole_trader_data(inn=make_inn(rng)))
    assert errors == {"inn": ["inn_legal_form"]}


def test_it_refuses_a_13_digit_ogrn_for_a_sole_trader():
    errors, _ = errors_of(sole_trader_data(ogrn=make_ogrn(rng)))
    assert errors == {"ogrn": ["ogrn_legal_form"]}


def test_it_refuses_a_kpp_for_a_sole_trader():
    errors, _ = errors_of(sole_trader_data(kpp=make_kpp(rng)))
    assert errors == {"kpp": ["kpp_forbidden"]}


def test_it_requires_a_kpp_for_a_legal_entity():
    errors, _ = errors_of(legal_entity_data(kpp=""))
    assert errors == {"kpp": ["kpp_required"]}


def test_it_refuses_a_malformed_kpp():
    errors, _ = errors_of(legal_entity_data(kpp="77A"))
    assert errors == {"kpp": ["kpp_format"]}


def test_it_refuses_letters_in_ogrn():
    errors, _ = errors_of(sole_trader_data(ogrn="3ABC"))
    assert errors == {"ogrn": ["ogrn_format"]}


def test_it_tells_that_the_inn_is_registered():
    existing = OrganisationFactory()
    errors, form = errors_of(legal_entity_data(inn=existing.inn))
    assert errors == {"inn": ["inn_registered"]}
    assert form.existing_organisation == existing


# The views


@pytest.fixture
def user():
    return UserFactory()


def test_it_asks_anonymous_users_to_sign_in(client):
    response = client.get(reverse("members:organisation-create"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_it_creates_the_organisation_with_the_user_as_owner(client, user):
    client.force_login(user)
    data = sole_trader_data()
    response = client.post(reverse("members:organisation-create"), data)
    organisation = Organisation.objects.get(inn=data["inn"])
    assert response.status_code == 302
    assert response["Location"] == reverse("pages:organisation-detail", args=[organisation.pk])
    assert Representative.objects.filter(organisation=organisation, user=user, role=RepresentativeRole.OWNER).exists()
    assert organisation.kpp == ""


def test_it_follows_a_safe_next_url_only(client, user):
    client.force_login(user)
    response = client.post(reverse("members:organisation-create") + "?next=https://evil.example/", sole_trader_data())
    assert "evil" not in response["Location"]
    response = client.post(
        reverse("members:organisation-create") + "?next=/cabinet/applications/new/", sole_trader_data()
    )
    assert response["Location"] == "/cabinet/applications/new/"


def test_it_keeps_what_the_user_typed_when_it_refuses(client, user):
    client.force_login(user)
    inn = make_inn(rng, sole_trader=True)
    wrong = inn[:-1] + str((int(inn[-1]) + 1) % 10)
    client.cookies["django_language"] = "en"
    response = client.post(
        reverse("members:organisation-create"),
        sole_trader_data(inn=wrong, short_name="ИП Петров"),
    )
    assert response.status_code == 200
    assert Organisation.objects.count() == 0
    assert Representative.objects.count() == 0
    body = response.content.decode()
    assert f'value="{wrong}"' in body
    assert 'value="ИП Петров"' in body
    assert "check digit is wrong" in body


def test_it_offers_a_join_request_for_a_registered_inn(client, user):
    existing = OrganisationFactory()
    owner = RepresentativeFactory(organisation=existing).user
    client.force_login(user)
    response = client.post(reverse("members:organisation-create"), legal_entity_data(inn=existing.inn))
    assert response.status_code == 200
    assert response.context["existing"] == existing
    assert b'id="existing-organisation"' in response.content
    assert Organisation.objects.count() == 1

    response = client.post(reverse("members:join-request-create"), {"inn": existing.inn, "message": "Я директор"})
    assert response.status_code == 302
    join_request = JoinRequest.objects.get()
    assert (join_request.user, join_request.organisation, join_request.status) == (user, existing, "pending")
    assert Notification.objects.filter(recipient=owner, kind="join_request_received").count() == 1


def test_it_lets_a_representative_edit_the_profile(client):
    representative = RepresentativeFactory(role=RepresentativeRole.REPRESENTATIVE)
    organisation = representative.organisation
    client.force_login(representative.user)
    data = legal_entity_data(inn=organisation.inn, ogrn=organisation.ogrn, kpp=organisation.kpp, city="Зеленоград")
    response = client.post(reverse("members:organisation-edit", args=[organisation.pk]), data)
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.city == "Зеленоград"


def test_it_saves_the_profile_and_its_directions_all_or_nothing(client):
    representative = RepresentativeFactory()
    organisation = representative.organisation
    client.force_login(representative.user)
    data = legal_entity_data(inn=organisation.inn, ogrn=organisation.ogrn, kpp=organisation.kpp, city="Зеленоград")
    directions = type(organisation.directions)
    with mock.patch.object(directions, "set", side_effect=DatabaseError("connection lost")):
        with pytest.raises(DatabaseError):
            client.post(reverse("members:organisation-edit", args=[organisation.pk]), data)
    organisation.refresh_from_db()
    assert organisation.city == "Москва"


def test_it_hides_other_users_organisations(client, user):
    organisation = RepresentativeFactory().organisation
    client.force_login(user)
    for name in ("pages:organisation-detail", "members:organisation-edit", "members:organisation-invite"):
        assert client.get(reverse(name, args=[organisation.pk])).status_code == 404
    response = client.post(reverse("members:organisation-edit", args=[organisation.pk]), legal_entity_data())
    assert response.status_code == 404
