"""Who may do what: one predicate per question, asked by every part of the portal.

Views (their access helpers), querysets (`visible_to`, `reviewable_by`, …), templates (through
`core.context_processors.permissions`) and the code that chooses whom to notify all ask the
functions here; none of them decides on its own.

The foundation imports no domain app. It reaches the user's roles through the relations the
domain apps declare, by their names:

- `user.coordinated_associations`: associations.Association.coordinators;
- `user.representations`: members.Representative.user, with its `role` and `organisation`;
- `organisation.memberships`: associations.AssociationMembership.organisation, with its `status`.

The two stored values used below are the domain's own (`tests/test_permissions.py` checks them).
"""

from django.contrib.auth import get_user_model

OWNER = "owner"  # members.models.RepresentativeRole.OWNER
ACTIVE_MEMBERSHIP = "active"  # associations.models.MembershipStatus.ACTIVE


# Roles


def is_signed_in(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_cluster_admin(user) -> bool:
    """Cluster administrators: every association, every decision, the Django admin."""
    return is_signed_in(user) and user.is_superuser


def sees_everything(user) -> bool:
    """Administrators and cluster staff (read-only) see every association's data."""
    return is_signed_in(user) and (user.is_superuser or user.is_cluster_staff)


def coordinated_association_ids(user):
    """The ids of the associations the user coordinates, as a sub-query."""
    if not is_signed_in(user):
        return get_user_model().objects.none().values("pk")
    return user.coordinated_associations.through.objects.filter(user_id=user.pk).values("association_id")


def coordinated_ids(user) -> list[int]:
    """The ids of the associations the user coordinates, read once per request (kept on the request's
    user object, like `is_cluster_member`'s answer). As values rather than a sub-query they let
    PostgreSQL plan a coordinator's lists with the association's own index and statistics."""
    if not is_signed_in(user):
        return []
    cached = getattr(user, "_coordinated_ids", None)
    if cached is None:
        cached = user._coordinated_ids = sorted(
            coordinated_association_ids(user).values_list("association_id", flat=True)
        )
    return cached


def is_coordinator(user) -> bool:
    return bool(coordinated_ids(user))


def needs_second_factor(user) -> bool:
    """Staff roles sign in with a second factor: administrators, Django staff, cluster staff and
    coordinators (accounts.security.StaffSecurityMiddleware)."""
    if not is_signed_in(user):
        return False
    return bool(user.is_superuser or user.is_staff or user.is_cluster_staff) or is_coordinator(user)


def coordinates(user, association_id) -> bool:
    return is_signed_in(user) and coordinated_association_ids(user).filter(association_id=association_id).exists()


def represented_organisation_ids(user):
    """The ids of the organisations the user acts for, as a sub-query."""
    if not is_signed_in(user):
        return get_user_model().objects.none().values("pk")
    return user.representations.values("organisation_id")


def represents(user, organisation_id) -> bool:
    return (
        bool(organisation_id)
        and is_signed_in(user)
        and user.representations.filter(organisation_id=organisation_id).exists()
    )


def owns(user, organisation_id) -> bool:
    """The owner of an organisation manages its colleagues (invitations, join requests)."""
    return (
        bool(organisation_id)
        and is_signed_in(user)
        and user.representations.filter(organisation_id=organisation_id, role=OWNER).exists()
    )


def owned_organisation_ids(user):
    if not is_signed_in(user):
        return get_user_model().objects.none().values("pk")
    return user.representations.filter(role=OWNER).values("organisation_id")


def is_cluster_member(user) -> bool:
    """A representative of an organisation with an active membership, or a coordinator (once per request)."""
    if not is_signed_in(user):
        return False
    cached = getattr(user, "_is_cluster_member", None)
    if cached is None:
        cached = user.representations.filter(
            organisation__memberships__status=ACTIVE_MEMBERSHIP
        ).exists() or is_coordinator(user)
        user._is_cluster_member = cached
    return cached


def limit_to_coordinated(queryset, user, *, field: str = "association"):
    """`queryset` cut to what the user coordinates: all of it for an administrator, nothing for a visitor."""
    if is_cluster_admin(user):
        return queryset
    if not is_signed_in(user):
        return queryset.none()
    return queryset.filter(**{f"{field}__in": coordinated_ids(user)})


def limit_to_overseen(queryset, user, *, field: str = "association"):
    """`queryset` cut to the associations whose records the user reads: all of it for administrators and
    cluster staff, a coordinator's associations, nothing for anyone else."""
    if sees_everything(user):
        return queryset
    return limit_to_coordinated(queryset, user, field=field)


# Questions the pages ask


def may_use_directory(user) -> bool:
    """The member directory: representatives of member organisations, coordinators, staff, administrators."""
    return sees_everything(user) or is_cluster_member(user)


def may_review(user) -> bool:
    """Decide on applications (the decisions and the bulk decision of `/review/`): administrators and coordinators."""
    return is_cluster_admin(user) or is_coordinator(user)


def may_view_applications(user) -> bool:
    """The applications under `/review/` (the list, an application's page with its internal notes, the
    export): those who review, and cluster staff, who read every association's applications and decide
    none (deciding is `may_review` / `may_review_application`)."""
    return sees_everything(user) or may_review(user)


def may_use_staff_tools(user) -> bool:
    """The dashboard (`/dashboard/`) and the exports of the lists: cluster staff and administrators (every
    association), coordinators (the dashboard shows only their associations; an export holds what the list shows)."""
    return sees_everything(user) or is_coordinator(user)


def may_read_history(user) -> bool:
    """The audit log (`/history/`): administrators and cluster staff (every entry), coordinators (the
    entries about their associations and those associations' memberships, applications and projects)."""
    return sees_everything(user) or is_coordinator(user)


def may_coordinate(user, association_id) -> bool:
    """Review an association's applications and manage its projects: its coordinators and administrators."""
    return is_cluster_admin(user) or coordinates(user, association_id)


def may_review_application(user, *, association_id, organisation_id) -> bool:
    """Decide on an application: the user coordinates its association (or is an administrator) and
    does not act for the applying organisation — nobody decides on their own application."""
    return may_coordinate(user, association_id) and not represents(user, organisation_id)


def may_create_projects(user) -> bool:
    return is_cluster_admin(user) or is_coordinator(user)


def may_manage_project(user, project) -> bool:
    return may_coordinate(user, project.association_id)


def member_organisations(organisations):
    """The organisations of `organisations` with an active membership of an association: only they
    take part in (or lead) projects, whoever adds them."""
    return organisations.filter(memberships__status=ACTIVE_MEMBERSHIP).distinct()


def may_take_part(organisation) -> bool:
    return organisation is not None and organisation.memberships.filter(status=ACTIVE_MEMBERSHIP).exists()


def may_decide_participation(user, project) -> bool:
    """Accept or decline requests to take part: the project's managers and its lead organisation's people."""
    return may_manage_project(user, project) or represents(user, project.lead_organisation_id)


def sees_staff_fields(user, project) -> bool:
    """The budget and staff notes of a project."""
    return sees_everything(user) or may_manage_project(user, project)


def sees_all_contacts(user, organisation_id) -> bool:
    """Contacts an organisation chose to hide are still shown to its own people and to staff."""
    return sees_everything(user) or represents(user, organisation_id)


# Whom to tell: the people a question's answer is yes for


def active_users():
    return get_user_model().objects.filter(is_active=True)


def representatives_of(organisation_id):
    """The people who act for the organisation now."""
    if not organisation_id:
        return active_users().none()
    return active_users().filter(representations__organisation_id=organisation_id)


def owners_of(organisation_id):
    return active_users().filter(representations__organisation_id=organisation_id, representations__role=OWNER)


def reviewers_of(*, association_id, organisation_id):
    """Who is told of an application: the association's coordinators, or the administrators when it has none.

    People who act for the applying organisation are left out (see `may_review_application`).
    """
    own = representatives_of(organisation_id).values("pk")
    coordinators = active_users().filter(coordinated_associations=association_id).exclude(pk__in=own)
    if coordinators.exists():
        return coordinators
    return active_users().filter(is_superuser=True).exclude(pk__in=own)


def participation_deciders(project):
    """Who is told of a request to take part: the coordinators and the lead organisation's people
    (the administrators when there are none)."""
    people = (
        active_users().filter(coordinated_associations=project.association_id)
        | representatives_of(project.lead_organisation_id)
    ).distinct()
    if people.exists():
        return people
    return active_users().filter(is_superuser=True)
