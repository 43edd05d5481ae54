"""Reads about associations and their members, scoped to the user who asks where it matters."""

from django.db.models import Count, Exists, OuterRef, Q

from core import permissions

from .models import PARTNER_ROLES, Association, AssociationMembership, AssociationStatus, MembershipStatus


def active_membership_exists():
    return Exists(AssociationMembership.objects.active().filter(organisation_id=OuterRef("pk")))


def approved_members(organisations):
    """The organisations of `organisations` with an active membership, without a join that repeats rows."""
    return organisations.filter(active_membership_exists())


def associations_with_counts():
    """Open associations with their active participants and partners counted as their pages list them."""
    active = Q(memberships__status=MembershipStatus.ACTIVE)
    partner = Q(memberships__role__in=PARTNER_ROLES)
    return (
        Association.objects.open()
        .annotate(
            participant_count=Count("memberships", filter=active & ~partner, distinct=True),
            partner_count=Count("memberships", filter=active & partner, distinct=True),
        )
        .prefetch_related("directions")
    )


def coordinated_associations(user):
    """The open associations whose applications the user decides on and whose projects they manage."""
    return permissions.limit_to_coordinated(Association.objects.open(), user, field="pk")


def organisation_memberships(organisation):
    return (
        AssociationMembership.objects.active()
        .filter(organisation=organisation)
        .exclude(association__status=AssociationStatus.ARCHIVED)
        .select_related("association")
        .order_by("association__name")
    )
