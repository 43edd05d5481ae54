"""Read-side queries for the public pages, scoped to the user who asks."""

from django.db.models import Count, Q

from projects.models import BOARD_STAGES, Project, Stage

from .models import Association, AssociationStatus, MembershipStatus, Organisation, Region


def cluster_figures(user) -> dict:
    """The cluster in figures, computed from the data; projects counted as the user may see them."""
    projects = Project.objects.visible_to(user)
    by_stage = dict(projects.order_by().values_list("stage").annotate(n=Count("pk", distinct=True)))
    members = Organisation.objects.filter(memberships__status=MembershipStatus.ACTIVE)
    return {
        "associations": Association.objects.exclude(status=AssociationStatus.ARCHIVED).count(),
        "member_organisations": members.values("pk").distinct().count(),
        "regions": Region.objects.filter(organisations__in=members.values("pk")).distinct().count(),
        "projects": sum(by_stage.values()),
        "projects_by_stage": [
            (stage, Stage(stage).label, by_stage.get(stage, 0)) for stage in (*BOARD_STAGES, Stage.SUSPENDED)
        ],
    }


def associations_with_counts():
    active = Q(memberships__status=MembershipStatus.ACTIVE)
    return (
        Association.objects.exclude(status=AssociationStatus.ARCHIVED)
        .annotate(member_count=Count("memberships", filter=active, distinct=True))
        .prefetch_related("directions")
    )
