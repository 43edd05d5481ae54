"""members.services: organisation profiles, join requests and invitations, whoever calls them."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.transitions import Refusal, Refused
from members import services
from members.models import Invitation, JoinRequest, Organisation, Representative
from notifications.models import Notification

from .factories import OrganisationFactory, region

pytestmark = pytest.mark.django_db


def profile(**extra):
    organisation = OrganisationFactory.build()
    values = {name: getattr(organisation, name) for name in services.PROFILE_FIELDS}
    values.update(region=region("77"), address="", website="", phone="", okved="", description="", **extra)
    return values


def test_it_registers_an_organisation_with_its_owner(world):
    organisation = services.organisation_create(user=world.charlie, directions=[], **profile())
    assert Representative.objects.get(organisation=organisation).user == world.charlie
    assert services.PROFILE_FIELDS[0] == "legal_form"


def test_it_refuses_identifiers_the_form_would_refuse(world):
    with pytest.raises(ValidationError) as error:
        services.organisation_create(user=world.charlie, directions=[], **profile(inn="7707083894"))
    assert "inn" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.organisation_create(user=world.charlie, directions=[], **profile(legal_form="sole_trader"))
    with pytest.raises(TypeError):
        services.organisation_create(user=world.charlie, directions=[], is_member=True, **profile())
    assert not Organisation.objects.filter(representatives__user=world.charlie).exists()


def test_only_its_people_edit_a_profile_and_only_the_given_fields(world):
    organisation = world.applicant_org
    with pytest.raises(PermissionDenied):
        services.organisation_update(organisation=organisation, user=world.dave, directions=[], city="Тверь")
    services.organisation_update(organisation=organisation, user=world.carol, directions=[], city="Зеленоград")
    organisation.refresh_from_db()
    assert organisation.city == "Зеленоград" and organisation.short_name == "ООО «Аддитив»"


def test_a_join_request_tells_the_owners_and_is_decided_by_an_owner_once(world):
    request = services.join_request_create(user=world.charlie, organisation=world.applicant_org, message="Я инженер")
    assert services.join_request_create(user=world.charlie, organisation=world.applicant_org) == request
    assert list(Notification.objects.filter(kind="join_request_received").values_list("recipient", flat=True)) == [
        world.alice.pk
    ]
    assert services.join_request_create(user=world.carol, organisation=world.applicant_org) is None
    with pytest.raises(PermissionDenied):
        services.join_request_decide(join_request=request, user=world.carol, accept=True)
    services.join_request_decide(join_request=request, user=world.alice, accept=True)
    assert Representative.objects.filter(organisation=world.applicant_org, user=world.charlie).exists()
    with pytest.raises(Refused):
        services.join_request_decide(
            join_request=JoinRequest.objects.get(pk=request.pk), user=world.alice, accept=False
        )
    assert Notification.objects.filter(kind="join_request_accepted", recipient=world.charlie).count() == 1


def test_only_an_owner_invites_and_only_the_invited_address_accepts(world):
    with pytest.raises(PermissionDenied):
        services.invitation_send(organisation=world.applicant_org, email="new@example.com", invited_by=world.carol)
    invitation = services.invitation_send(
        organisation=world.applicant_org, email="charlie@example.com", invited_by=world.alice
    )
    assert services.invitation_from_token(services.invitation_token(invitation)) == invitation
    assert services.invitation_from_token("forged") is None
    with pytest.raises(services.InvitationForSomeoneElse) as refusal:
        services.invitation_accept(invitation=invitation, user=world.dave)
    assert refusal.value.reason == Refusal.NOT_ALLOWED
    services.invitation_accept(invitation=invitation, user=world.charlie)
    assert Invitation.objects.get(pk=invitation.pk).accepted_by == world.charlie
    assert services.invitation_from_token(services.invitation_token(invitation)) is None
