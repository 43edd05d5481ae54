"""Project search and filters; GET parameters as PRODUCT.md names them."""

from django.db.models import Q

from .models import Stage


def filter_projects(projects, params):
    q = (params.get("q") or "").strip()
    if q:
        projects = projects.filter(
            Q(title__icontains=q) | Q(title_en__icontains=q) | Q(summary__icontains=q) | Q(description__icontains=q)
        )
    if association := params.get("association"):
        projects = projects.filter(association__slug=association)
    if direction := params.get("direction"):
        projects = projects.filter(directions__slug=direction)
    if (stage := params.get("stage")) in Stage.values:
        projects = projects.filter(stage=stage)
    if region := params.get("region"):
        projects = projects.filter(participants__organisation__region__code=region)
    return projects.distinct().order_by("-created_at", "-pk")
