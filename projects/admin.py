"""The projects' admin. The lead, the participants and the stage change only on the project's page
(projects.services keeps the lead a participant and records each stage): here they are read-only."""

from django.contrib import admin

from core.admin import ReadOnlyAdminMixin

from .models import Milestone, ParticipationRequest, Project, ProjectDocument, ProjectParticipant, StageChange


class ParticipantInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ProjectParticipant
    extra = 0
    fields = ["organisation", "role", "joined_on"]
    readonly_fields = fields


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


class StageChangeInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = StageChange
    extra = 0
    fields = ["created_at", "changed_by", "from_stage", "to_stage", "comment"]
    readonly_fields = fields


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "association", "stage", "visibility", "lead_organisation", "starts_on"]
    list_filter = ["stage", "visibility", "association", "directions"]
    search_fields = ["title", "title_en", "summary", "lead_organisation__short_name", "lead_organisation__inn"]
    prepopulated_fields = {"slug": ["title_en"]}
    autocomplete_fields = ["association"]
    readonly_fields = ["stage", "lead_organisation"]
    filter_horizontal = ["directions"]
    list_select_related = ["association", "lead_organisation"]
    inlines = [ParticipantInline, MilestoneInline, StageChangeInline]


@admin.register(StageChange)
class StageChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["project", "from_stage", "to_stage", "changed_by", "created_at"]
    list_filter = ["to_stage"]
    search_fields = ["project__title"]
    list_select_related = ["project", "changed_by"]


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "due_on", "state"]
    list_filter = ["state"]
    search_fields = ["title", "project__title"]
    list_select_related = ["project"]


@admin.register(ParticipationRequest)
class ParticipationRequestAdmin(admin.ModelAdmin):
    list_display = ["project", "organisation", "role", "status", "created_at", "decided_by", "decided_at"]
    list_filter = ["status"]
    search_fields = ["project__title", "organisation__short_name", "organisation__inn"]
    list_select_related = ["project", "organisation", "decided_by"]
    readonly_fields = ["requested_by", "created_at", "decided_by", "decided_at"]
    autocomplete_fields = ["project", "organisation"]


@admin.register(ProjectDocument)
class ProjectDocumentAdmin(admin.ModelAdmin):
    """Documents are uploaded on the project's page, where their content is checked."""

    list_display = ["title", "project", "original_name", "size", "uploaded_by", "uploaded_at"]
    search_fields = ["title", "project__title", "original_name"]
    list_select_related = ["project", "uploaded_by"]
    readonly_fields = ["file", "original_name", "content_type", "size", "sha256", "uploaded_by", "uploaded_at"]
    autocomplete_fields = ["project"]

    def has_add_permission(self, request):
        return False


@admin.register(ProjectParticipant)
class ProjectParticipantAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["organisation", "project", "role", "joined_on"]
    list_filter = ["role"]
    search_fields = ["organisation__short_name", "organisation__inn", "project__title"]
    list_select_related = ["organisation", "project"]
    autocomplete_fields = ["project", "organisation"]
