from django.contrib import admin

from core.admin import ReadOnlyAdminMixin

from .models import ApplicationDocument, ApplicationEvent, MembershipApplication


class ApplicationEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    fields = ["created_at", "actor", "from_status", "to_status", "comment", "internal_note"]
    readonly_fields = fields


class ApplicationDocumentInline(admin.TabularInline):
    model = ApplicationDocument
    extra = 0
    fields = ["original_name", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(MembershipApplication)
class MembershipApplicationAdmin(admin.ModelAdmin):
    """Read-mostly: status changes go through the review pages so that they are recorded."""

    list_display = ["organisation", "association", "status", "submitted_at", "assigned_to", "decided_at"]
    list_filter = ["status", "association"]
    search_fields = ["organisation__short_name", "organisation__full_name", "organisation__inn"]
    list_select_related = ["organisation", "association", "assigned_to"]
    readonly_fields = [
        "status",
        "submitted_at",
        "status_changed_at",
        "decided_at",
        "decided_by",
        "assigned_to",
        "created_at",
        "membership",
    ]
    autocomplete_fields = ["organisation", "association", "applicant"]
    filter_horizontal = ["directions"]
    inlines = [ApplicationDocumentInline, ApplicationEventInline]
    date_hierarchy = "created_at"


@admin.register(ApplicationEvent)
class ApplicationEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The audit trail of applications: read-only."""

    list_display = ["application", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["to_status"]
    search_fields = ["application__organisation__short_name", "application__organisation__inn", "actor__email"]
    list_select_related = ["application__organisation", "application__association", "actor"]
    date_hierarchy = "created_at"


@admin.register(ApplicationDocument)
class ApplicationDocumentAdmin(admin.ModelAdmin):
    list_display = ["original_name", "application", "content_type", "size", "uploaded_at"]
    search_fields = ["original_name", "application__organisation__short_name", "application__organisation__inn"]
    list_select_related = ["application__organisation", "application__association"]
    readonly_fields = [
        "file",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
        "application",
    ]

    def has_add_permission(self, request):
        return False
