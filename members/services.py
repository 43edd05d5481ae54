"""Organisations and the people who act for them: profiles, join requests, invitations.

Every function takes plain keyword values, checks who asks, and writes in one transaction;
people are told through the notification outbox in the same transaction.
"""

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from core import audit, permissions, ratelimit
from core.transitions import Refusal, Refused, RequestStatus
from notifications.services import notify, notify_address

from .models import Invitation, JoinRequest, Organisation, Representative, RepresentativeRole

# The profile fields a person edits (PRODUCT.md's form field names, and the profile's own).
PROFILE_FIELDS = (
    "legal_form",
    "kind",
    "inn",
    "ogrn",
    "kpp",
    "full_name",
    "short_name",
    "region",
    "city",
    "address",
    "website",
    "email",
    "phone",
    "size",
    "okved",
    "description",
    "show_email",
    "show_phone",
)


def _profile(fields: dict) -> dict:
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise TypeError(f"not profile fields: {', '.join(sorted(unknown))}")
    return fields


def organisation_create(*, user, directions, **fields) -> Organisation:
    """Register an organisation with the user as its owner, in one transaction.

    The model's checks run first (identifiers by their check digits, their fit to the legal form),
    so an import or the API cannot store what the form would refuse.
    """
    organisation = Organisation(**_profile(fields))
    organisation.full_clean(validate_unique=False)
    with transaction.atomic(), audit.acting_as(user):
        organisation.save()
        organisation.directions.set(directions)
        Representative.objects.create(organisation=organisation, user=user, role=RepresentativeRole.OWNER)
    return organisation


def organisation_update(*, organisation: Organisation, user, directions, **fields) -> Organisation:
    """Save a profile edited by one of the organisation's people: only the given fields and the directions."""
    if not permissions.represents(user, organisation.pk):
        raise PermissionDenied("only the organisation's people edit its profile")
    for name, value in _profile(fields).items():
        setattr(organisation, name, value)
    organisation.full_clean(validate_unique=False)
    with transaction.atomic(), audit.acting_as(user):
        organisation.save(update_fields=[*fields, "updated_at"])
        organisation.directions.set(directions)
    return organisation


def join_request_create(*, user, organisation: Organisation, message: str = "") -> JoinRequest | None:
    """Ask to represent an organisation; its owners are told. Returns the pending request
    (the existing one when asked twice), or None when the user represents it already."""
    if permissions.represents(user, organisation.pk):
        return None
    ratelimit.check("join_request", user.pk)
    try:
        with transaction.atomic():
            join_request = JoinRequest.objects.create(organisation=organisation, user=user, message=message)
            params = {
                "organisation": organisation.short_name,
                "inn": organisation.inn,
                "user": user.full_display_name,
                "email": user.email,
                "message": message,
            }
            url = reverse("pages:organisation-detail", args=[organisation.pk])
            for owner in permissions.owners_of(organisation.pk):
                notify(recipient=owner, kind="join_request_received", params=params, url=url)
    except IntegrityError:
        return JoinRequest.objects.get(organisation=organisation, user=user, status=RequestStatus.PENDING)
    return join_request


def join_request_decide(*, join_request: JoinRequest, user, accept: bool) -> None:
    """An owner accepts or declines once; the requester is told. Refused when decided meanwhile."""
    if not permissions.owns(user, join_request.organisation_id):
        raise PermissionDenied("only the organisation's owners decide on join requests")
    with transaction.atomic():
        if accept:
            join_request.accept(by=user)
        else:
            join_request.decline(by=user)
        organisation = join_request.organisation
        notify(
            recipient=join_request.user,
            kind="join_request_accepted" if accept else "join_request_declined",
            params={"organisation": organisation.short_name, "inn": organisation.inn},
            url=reverse("pages:cabinet"),
        )


INVITATION_SALT = "members.invitation"
INVITATION_MAX_AGE = 14 * 24 * 3600


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(invitation.pk, salt=INVITATION_SALT)


def invitation_from_token(token: str) -> Invitation | None:
    """The open invitation a token stands for, or None when it is forged, expired or used."""
    try:
        pk = signing.loads(token, salt=INVITATION_SALT, max_age=INVITATION_MAX_AGE)
    except signing.BadSignature:
        return None
    return Invitation.objects.select_related("organisation").filter(pk=pk, accepted_at=None).first()


def invitation_send(*, organisation: Organisation, email: str, invited_by) -> Invitation:
    """Invite a colleague: a portal notification if they have an account, else an e-mail through the outbox.

    Sent twice at once (a double click), the second attempt meets the partial unique
    index on open invitations and returns the first one, which alone is delivered.
    """
    if not permissions.owns(invited_by, organisation.pk):
        raise PermissionDenied("only the organisation's owners invite colleagues")
    # Invitations are e-mails to any address: capped per organisation and per sender a day.
    ratelimit.check("invitation_per_organisation", organisation.pk)
    ratelimit.check("invitation_per_user", invited_by.pk)
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(organisation=organisation, email=email, invited_by=invited_by)
            url = reverse("members:invitation-accept", args=[invitation_token(invitation)])
            # The recipient sees the organisation as registered (its full name and ИНН), not only the
            # short name its owner chose (issue 12, finding 8).
            params = {
                "organisation": organisation.short_name,
                "full_name": organisation.full_name,
                "inn": organisation.inn,
                "by": invited_by.full_display_name,
            }
            existing = permissions.active_users().filter(email__iexact=email).first()
            if existing:
                notify(recipient=existing, kind="organisation_invitation", params=params, url=url)
            else:
                # No account, so no profile language: the e-mail is written in the sender's.
                notify_address(
                    email=email,
                    language=translation.get_language() or settings.LANGUAGE_CODE,
                    kind="organisation_invitation_email",
                    params=params,
                    url=url,
                )
    except IntegrityError:
        return Invitation.objects.get(organisation=organisation, email=email, accepted_at=None)
    return invitation


class InvitationForSomeoneElse(Refused):
    """The invitation was sent to another e-mail address than the signed-in user's."""

    def __init__(self, email: str):
        super().__init__(Refusal.NOT_ALLOWED, f"the invitation is for {email}")


def invitation_accept(*, invitation: Invitation, user) -> None:
    """Make the user a representative; Refused when the invitation was used meanwhile or is for someone else."""
    if invitation.email.lower() != user.email.lower():
        raise InvitationForSomeoneElse(invitation.email)
    invitation.accept(user=user)
