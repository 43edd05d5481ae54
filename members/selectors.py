"""Reads about organisations and their people, scoped to the user who asks."""

from .models import Representative


def representations_of(user):
    """The organisations the user acts for, with the role, by name (the cabinet's list)."""
    return (
        Representative.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__sort_name", "organisation_id")
    )
