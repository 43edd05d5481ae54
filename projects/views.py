"""The project pages: the list and board, a project, and its management by coordinators.

Projects are loaded through `Project.objects.visible_to(user)`: one the user may not see
answers 404; one they may see but not manage answers 403 on the management pages.
"""

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from associations.directory import listed_organisation_ids
from associations.models import Association
from core import documents, exports, fragments, permissions, versioned_cache
from core.pagination import first_rows
from core.transitions import Refusal, Refused, RequestStatus
from core.versioned_cache import cache_anonymous_page

from . import services
from .forms import (
    DocumentForm,
    MilestoneForm,
    ParticipantForm,
    ParticipationDecisionForm,
    ParticipationRequestForm,
    ProjectForm,
    StageForm,
)
from .models import ParticipationRequest, Project
from .selectors import (
    PAGE_GROUPS,
    PAGE_TIMEOUT,
    filter_choices,
    project_board,
    project_columns,
    project_detail_queryset,
    project_export_rows,
    project_page,
    project_participants,
)

STAGE_REFUSALS = {
    Refusal.STALE: gettext_lazy("The stage was changed by someone else meanwhile; please check and try again."),
    Refusal.NOT_ALLOWED: gettext_lazy("The project is already at this stage."),
    Refusal.INVALID: gettext_lazy("Choose a stage from the list."),
}


def _get_visible_project(request: HttpRequest, slug: str) -> Project:
    """404 for projects the user may not see."""
    return get_object_or_404(project_detail_queryset(request.user), slug=slug)


def _get_managed_project(request: HttpRequest, slug: str) -> Project:
    """404 for projects the user may not see, 403 for those they may see but not change."""
    project = _get_visible_project(request, slug)
    if not permissions.may_manage_project(request.user, project):
        raise PermissionDenied
    return project


# A card shows the project's title, stage and summary and its association's name: the same for
# everyone who may see it, so it is drawn once and kept until a project or an association changes.
CARD_GROUPS = ("projects", "associations")


def project_cards(projects) -> list:
    """[(project, its card's HTML)] (core/fragments.py)."""
    return fragments.rendered_each(
        projects, "projects/includes/_project_card.html", as_name="project", groups=CARD_GROUPS
    )


@cache_anonymous_page(*PAGE_GROUPS, timeout=PAGE_TIMEOUT)
def project_list(request: HttpRequest) -> HttpResponse:
    """The list or the board. Below its heading the page is the same for every reader who sees the
    same projects (`visibility_scope`) but for the export links: kept per query string, language,
    scope and those links until a project, an association or an organisation changes."""
    user = request.user
    can_export = permissions.may_use_staff_tools(user)

    def draw() -> str:
        if request.GET.get("view") == "board":
            filters, columns = project_board(user, request.GET)
            cards = dict(project_cards([project for column in columns for project in column["items"]]))
            for column in columns:
                column["cards"] = [cards[project] for project in column["items"]]
            ctx = {"columns": columns, "view": "board"}
        else:
            filters, page = project_page(user, request.GET)
            ctx = {"page": page, "cards": project_cards(page), "view": "list"}
        ctx.update(
            filter_choices(),
            filters=filters.values,
            filter_query=filters.query(),
            export_query=filters.query(leave_out=()),
            can_export=can_export,
        )
        return render_to_string("projects/includes/_project_list_body.html", ctx)

    scope = Project.objects.visibility_scope(user)
    query = hashlib.blake2b(f"{scope}?{request.GET.urlencode()}".encode(), digest_size=16).hexdigest()
    body = versioned_cache.cached(
        f"project-list:{get_language()}:{can_export:d}:{query}", PAGE_GROUPS, draw, PAGE_TIMEOUT
    )
    ctx = {"body": mark_safe(body), "can_create": permissions.may_create_projects(user)}  # nosec B308 B703: a template's output
    return render(request, "projects/project_list.html", ctx)


@require_GET
def project_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """Every project of the filtered list (what the user may see, in the list's order) as CSV or XLSX, for staff."""
    fmt = exports.export_format(fmt)
    if not permissions.may_use_staff_tools(request.user):
        raise PermissionDenied
    rows = project_export_rows(request.user, request.GET)
    return exports.export_response(fmt=fmt, name="projects", columns=project_columns(), rows=rows)


@cache_anonymous_page(*PAGE_GROUPS, timeout=PAGE_TIMEOUT)
def project_detail(request: HttpRequest, slug: str) -> HttpResponse:
    project = _get_visible_project(request, slug)
    user = request.user
    deciding = permissions.may_decide_participation(user, project)
    participants = first_rows(project_participants(project))
    ctx = {
        "project": project,
        "participants": participants,
        "milestones": first_rows(project.milestones.all()),
        "documents": first_rows(project.documents.all()),
        "stage_changes": first_rows(project.stage_changes.select_related("changed_by")),
        "show_staff_fields": permissions.sees_staff_fields(user, project),
        "can_manage": permissions.may_manage_project(user, project),
        "can_decide": deciding,
        "pending_requests": first_rows(
            project.participation_requests.filter(status=RequestStatus.PENDING).select_related("organisation")
        )
        if deciding
        else [],
        "own_requests": project.participation_requests.filter(
            organisation_id__in=permissions.represented_organisation_ids(user)
        ).select_related("organisation")
        if user.is_authenticated
        else [],
        "may_request": user.is_authenticated and services.requesting_organisations(project=project, user=user).exists(),
        "stage_form": StageForm(project=project),
        # The participants whose directory page the user may open: their names are links.
        "linked": listed_organisation_ids(user, [p.organisation_id for p in participants]),
    }
    return render(request, "projects/project_detail.html", ctx)


@login_required
def project_create(request: HttpRequest) -> HttpResponse:
    if not permissions.may_create_projects(request.user):
        raise PermissionDenied
    initial = {}
    if slug := request.GET.get("association"):
        initial["association"] = Association.objects.filter(slug=slug).first()
    form = ProjectForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        project = services.project_create(user=request.user, **form.project_fields())
        messages.success(request, _("The project has been created."))
        return redirect(project)
    return render(request, "projects/project_form.html", {"form": form, "project": None})


@login_required
def project_edit(request: HttpRequest, slug: str) -> HttpResponse:
    project = _get_managed_project(request, slug)
    form = ProjectForm(request.POST or None, instance=project, user=request.user)
    if request.method == "POST" and form.is_valid():
        project = services.project_update(project=project, user=request.user, **form.project_fields())
        messages.success(request, _("The project has been saved."))
        return redirect(project)
    return render(request, "projects/project_form.html", {"form": form, "project": project})


@login_required
@require_POST
def project_change_stage(request: HttpRequest, slug: str) -> HttpResponse:
    project = _get_managed_project(request, slug)
    form = StageForm(request.POST, project=project)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(project)
    try:
        services.project_change_stage(project=project, user=request.user, **form.cleaned_data)
    except Refused as refusal:
        messages.error(request, STAGE_REFUSALS[refusal.reason])
    else:
        messages.success(request, _("The stage has been changed."))
    return redirect(project)


@login_required
def participant_add(request: HttpRequest, slug: str) -> HttpResponse:
    project = _get_managed_project(request, slug)
    form = ParticipantForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        services.participant_add(project=project, user=request.user, **form.cleaned_data)
        messages.success(request, _("The participant has been added."))
        return redirect(project)
    ctx = {"form": form, "project": project, "heading": _("Add a participant")}
    return render(request, "projects/project_subform.html", ctx)


@login_required
@require_POST
def participant_remove(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    project = _get_managed_project(request, slug)
    participant = get_object_or_404(project.participants.select_related("project"), pk=pk)
    try:
        services.participant_remove(participant=participant, user=request.user)
    except Refused:
        messages.error(request, _("This is the lead organisation: choose another lead in the project's form first."))
    else:
        messages.success(request, _("The participant has been removed."))
    return redirect(project)


@login_required
def milestone_edit(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    project = _get_managed_project(request, slug)
    milestone = get_object_or_404(project.milestones, pk=pk) if pk else None
    form = MilestoneForm(request.POST or None, instance=milestone)
    if request.method == "POST" and form.is_valid():
        services.milestone_save(project=project, user=request.user, milestone=milestone, **form.milestone_fields())
        messages.success(request, _("The milestone has been saved."))
        return redirect(project)
    heading = _("Edit the milestone") if milestone else _("Add a milestone")
    return render(request, "projects/project_subform.html", {"form": form, "project": project, "heading": heading})


@login_required
def document_add(request: HttpRequest, slug: str) -> HttpResponse:
    project = _get_managed_project(request, slug)
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        (checked,) = form.cleaned_data["file"]
        services.document_add(project=project, user=request.user, title=form.cleaned_data["title"], checked=checked)
        messages.success(request, _("The document has been added."))
        return redirect(project)
    ctx = {"form": form, "project": project, "heading": _("Add a document"), "multipart": True}
    return render(request, "projects/project_subform.html", ctx)


def document_download(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Whoever sees the project sees its documents; members' and staff projects' stay off shared caches."""
    project = _get_visible_project(request, slug)
    return documents.serve(get_object_or_404(project.documents, pk=pk))


@login_required
def participation_request(request: HttpRequest, slug: str) -> HttpResponse:
    project = _get_visible_project(request, slug)
    organisations = services.requesting_organisations(project=project, user=request.user)
    if not organisations.exists():
        raise PermissionDenied
    form = ParticipationRequestForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            services.participation_request_create(project=project, user=request.user, **form.cleaned_data)
            messages.success(request, _("Your request has been sent to the project's coordinators."))
        except Refused:
            messages.error(request, _("Your organisation has already asked to take part in this project."))
        return redirect(project)
    ctx = {
        "form": form,
        "project": project,
        "heading": _("Ask to take part in the project"),
        "submit_label": _("Send the request"),
    }
    return render(request, "projects/project_subform.html", ctx)


@login_required
@require_POST
def participation_decide(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    project = _get_visible_project(request, slug)
    if not permissions.may_decide_participation(request.user, project):
        raise PermissionDenied
    participation = get_object_or_404(ParticipationRequest.objects.filter(project=project), pk=pk)
    form = ParticipationDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether to accept or decline the request."))
        return redirect(project)
    try:
        services.participation_request_decide(
            request=participation,
            user=request.user,
            accept=form.cleaned_data["decision"] == "accept",
            comment=form.cleaned_data["comment"],
        )
    except Refused:
        messages.warning(request, _("This request had already been decided."))
    else:
        messages.success(request, _("The decision has been recorded and the organisation notified."))
    return redirect(project)
