from django.contrib import admin

from .models import Milestone, ParticipationRequest, Project, ProjectDocument, ProjectParticipant, StageChange


class ParticipantInline(admin.TabularInline):
    model = ProjectParticipant
    extra = 0
    autocomplete_fields = ["organisation"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


class StageChangeInline(admin.TabularInline):
    model = StageChange
    extra = 0
    fields = ["created_at", "changed_by", "from_stage", "to_stage", "comment"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "association", "stage", "visibility", "lead_organisation", "starts_on"]
    list_filter = ["stage", "visibility", "association", "directions"]
    search_fields = ["title", "title_en", "summary", "lead_organisation__short_name", "lead_organisation__inn"]
    prepopulated_fields = {"slug": ["title_en"]}
    autocomplete_fields = ["association", "lead_organisation"]
    filter_horizontal = ["directions"]
    list_select_related = ["association", "lead_organisation"]
    inlines = [ParticipantInline, MilestoneInline, StageChangeInline]


@admin.register(StageChange)
class StageChangeAdmin(admin.ModelAdmin):
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
    list_display = ["title", "project", "original_name", "size", "uploaded_by", "uploaded_at"]
    search_fields = ["title", "project__title", "original_name"]
    list_select_related = ["project", "uploaded_by"]
    readonly_fields = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    autocomplete_fields = ["project"]


@admin.register(ProjectParticipant)
class ProjectParticipantAdmin(admin.ModelAdmin):
    list_display = ["organisation", "project", "role", "joined_on"]
    list_filter = ["role"]
    search_fields = ["organisation__short_name", "organisation__inn", "project__title"]
    list_select_related = ["organisation", "project"]
    autocomplete_fields = ["project", "organisation"]
