from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from members.models import Association
from members.selectors import may_use_directory

from . import services
from .forms import (
    DecisionForm,
    DocumentForm,
    MilestoneForm,
    ParticipantForm,
    ParticipationRequestForm,
    ProjectForm,
    StageForm,
)
from .models import ParticipationRequest, ParticipationStatus, Project
from .selectors import filter_choices, project_board, project_detail_queryset, project_page, project_participants


def _get_visible_project(request, slug) -> Project:
    """404 for projects the user may not see."""
    return get_object_or_404(project_detail_queryset(request.user), slug=slug)


def _get_managed_project(request, slug) -> Project:
    """404 for projects the user may not see, 403 for those they may see but not change."""
    project = _get_visible_project(request, slug)
    if not project.is_managed_by(request.user):
        raise PermissionDenied
    return project


def project_list(request):
    if request.GET.get("view") == "board":
        filters, columns = project_board(request.user, request.GET)
        ctx = {"filters": filters, "columns": columns, "view": "board"}
    else:
        filters, page = project_page(request.user, request.GET)
        ctx = {"filters": filters, "page": page, "view": "list"}
    ctx.update(filter_choices(), filter_query=filters.query(), can_create=_may_create(request.user))
    return render(request, "projects/project_list.html", ctx)


def _may_create(user) -> bool:
    return user.is_authenticated and user.is_active and (user.is_superuser or user.coordinated_associations.exists())


def project_detail(request, slug):
    project = _get_visible_project(request, slug)
    user = request.user
    deciding = project.is_decided_by(user)
    ctx = {
        "project": project,
        "participants": project_participants(project),
        "milestones": project.milestones.all(),
        "documents": project.documents.all(),
        "stage_changes": project.stage_changes.select_related("changed_by"),
        "show_staff_fields": user.is_authenticated and (user.sees_everything or project.is_managed_by(user)),
        "can_manage": project.is_managed_by(user),
        "can_decide": deciding,
        "pending_requests": project.participation_requests.filter(status=ParticipationStatus.PENDING).select_related(
            "organisation"
        )
        if deciding
        else [],
        "own_requests": project.participation_requests.filter(organisation__representatives__user=user).select_related(
            "organisation"
        )
        if user.is_authenticated
        else [],
        "may_request": user.is_authenticated and services.requesting_organisations(project=project, user=user).exists(),
        "stage_form": StageForm(project=project),
        "can_use_directory": may_use_directory(user),
    }
    return render(request, "projects/project_detail.html", ctx)


@login_required
def project_create(request):
    if not _may_create(request.user):
        raise PermissionDenied
    initial = {}
    if slug := request.GET.get("association"):
        initial["association"] = Association.objects.filter(slug=slug).first()
    form = ProjectForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        project = services.project_save(form=form, user=request.user)
        messages.success(request, _("The project has been created."))
        return redirect(project)
    return render(request, "projects/project_form.html", {"form": form, "project": None})


@login_required
def project_edit(request, slug):
    project = _get_managed_project(request, slug)
    form = ProjectForm(request.POST or None, instance=project, user=request.user)
    if request.method == "POST" and form.is_valid():
        project = services.project_save(form=form, user=request.user)
        messages.success(request, _("The project has been saved."))
        return redirect(project)
    return render(request, "projects/project_form.html", {"form": form, "project": project})


@login_required
@require_POST
def project_change_stage(request, slug):
    project = _get_managed_project(request, slug)
    form = StageForm(request.POST, project=project)
    if form.is_valid():
        try:
            project.change_stage(form.cleaned_data["stage"], by=request.user, comment=form.cleaned_data["comment"])
            messages.success(request, _("The stage has been changed."))
        except ValueError:
            messages.error(request, _("The stage was changed by someone else meanwhile; please check and try again."))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect(project)


@login_required
def participant_add(request, slug):
    project = _get_managed_project(request, slug)
    form = ParticipantForm(request.POST or None, project=project)
    if request.method == "POST" and form.is_valid():
        # get_or_create: a double submission adds the organisation once.
        project.participants.get_or_create(
            organisation=form.cleaned_data["organisation"], defaults={"role": form.cleaned_data["role"]}
        )
        messages.success(request, _("The participant has been added."))
        return redirect(project)
    ctx = {"form": form, "project": project, "heading": _("Add a participant")}
    return render(request, "projects/project_subform.html", ctx)


@login_required
@require_POST
def participant_remove(request, slug, pk):
    project = _get_managed_project(request, slug)
    participant = get_object_or_404(project.participants, pk=pk)
    participant.delete()
    messages.success(request, _("The participant has been removed."))
    return redirect(project)


@login_required
def milestone_edit(request, slug, pk=None):
    project = _get_managed_project(request, slug)
    milestone = get_object_or_404(project.milestones, pk=pk) if pk else None
    form = MilestoneForm(request.POST or None, instance=milestone)
    if request.method == "POST" and form.is_valid():
        form.instance.project = project
        form.save()
        messages.success(request, _("The milestone has been saved."))
        return redirect(project)
    heading = _("Edit the milestone") if milestone else _("Add a milestone")
    return render(request, "projects/project_subform.html", {"form": form, "project": project, "heading": heading})


@login_required
def document_add(request, slug):
    project = _get_managed_project(request, slug)
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        services.document_add(
            project=project, user=request.user, title=form.cleaned_data["title"], upload=form.cleaned_data["file"]
        )
        messages.success(request, _("The document has been added."))
        return redirect(project)
    ctx = {"form": form, "project": project, "heading": _("Add a document"), "multipart": True}
    return render(request, "projects/project_subform.html", ctx)


def document_download(request, slug, pk):
    project = _get_visible_project(request, slug)
    document = get_object_or_404(project.documents, pk=pk)
    try:
        handle = document.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(handle, as_attachment=True, filename=document.original_name)
    response["Cache-Control"] = "private, no-store"  # members' and staff projects' documents stay off shared caches
    return response


@login_required
def participation_request(request, slug):
    project = _get_visible_project(request, slug)
    organisations = services.requesting_organisations(project=project, user=request.user)
    if not organisations.exists():
        raise PermissionDenied
    form = ParticipationRequestForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        try:
            services.participation_request_create(project=project, user=request.user, **form.cleaned_data)
            messages.success(request, _("Your request has been sent to the project's coordinators."))
        except services.ParticipationError:
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
def participation_decide(request, slug, pk):
    project = _get_visible_project(request, slug)
    if not project.is_decided_by(request.user):
        raise PermissionDenied
    participation = get_object_or_404(ParticipationRequest.objects.filter(project=project), pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether to accept or decline the request."))
    elif services.participation_request_decide(
        request=participation,
        user=request.user,
        accept=form.cleaned_data["decision"] == "accept",
        comment=form.cleaned_data["comment"],
    ):
        messages.success(request, _("The decision has been recorded and the organisation notified."))
    else:
        messages.warning(request, _("This request had already been decided."))
    return redirect(project)
