"""Reads about associations and their members, scoped to the user who asks where it matters."""

from django.db.models import Count, Exists, OuterRef, Q

from core import permissions
from core.pagination import Page, keyset_page, within
from members.models import Organisation

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


def overseen_associations(user):
    """The open associations whose records the user reads: every one for administrators and cluster
    staff, a coordinator's own."""
    return permissions.limit_to_overseen(Association.objects.open(), user, field="pk")


def organisation_memberships(organisation):
    return (
        AssociationMembership.objects.active()
        .filter(organisation=organisation)
        .exclude(association__status=AssociationStatus.ARCHIVED)
        .select_related("association")
        .order_by("association__name")
    )


def association_members_page(association, roles, params, *, prefix: str = "", size: int = 40) -> Page:
    """One keyset page of the association's active members in `roles`, by name, with their regions.

    2 queries, nothing counted: the members' ids (`core.pagination.within`), then the page — the
    few partners of a large association fetched by key and sorted, the 18,000 participants of the
    largest found by walking the name index, which meets them early.
    """
    members = AssociationMembership.objects.active().filter(association=association, role__in=roles)
    organisations = within(
        Organisation.objects.select_related("region"), members.values_list("organisation_id", flat=True)
    )
    return keyset_page(organisations, ordering=("sort_name", "pk"), params=params, size=size, prefix=prefix)
