from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import (
    ApplicationDocument,
    ApplicationEvent,
    Association,
    AssociationMembership,
    Direction,
    Invitation,
    JoinRequest,
    MembershipApplication,
    Organisation,
    Region,
    Representative,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_cluster_staff", "is_staff", "is_superuser", "is_active", "date_joined"]
    list_filter = ["is_cluster_staff", "is_staff", "is_superuser", "is_active", "language"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal info"), {"fields": ["full_name", "language"]}),
        (_("Personal data consent"), {"fields": ["pd_consent_at", "pd_policy_version"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_cluster_staff", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "name_en"]
    search_fields = ["code", "name", "name_en"]


@admin.register(Direction)
class DirectionAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "slug"]
    search_fields = ["name", "name_en"]
    prepopulated_fields = {"slug": ["name_en"]}


class RepresentativeInline(admin.TabularInline):
    model = Representative
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Representative)
class RepresentativeAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "user__full_name", "organisation__short_name", "organisation__inn"]
    autocomplete_fields = ["user", "organisation"]
    list_select_related = ["user", "organisation"]


class MembershipInline(admin.TabularInline):
    model = AssociationMembership
    extra = 0
    fields = ["association", "role", "status", "since", "ended_on"]
    autocomplete_fields = ["association"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["short_name", "inn", "ogrn", "legal_form", "kind", "region", "size", "created_at"]
    list_filter = ["legal_form", "kind", "size", "region", "directions"]
    search_fields = ["short_name", "full_name", "inn", "ogrn"]
    autocomplete_fields = ["region"]
    filter_horizontal = ["directions"]
    inlines = [RepresentativeInline, MembershipInline]
    list_select_related = ["region"]


class AssociationMembershipInline(admin.TabularInline):
    model = AssociationMembership
    extra = 0
    fields = ["organisation", "role", "status", "since", "ended_on"]
    autocomplete_fields = ["organisation"]


@admin.register(Association)
class AssociationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "status", "is_featured", "founded_on"]
    list_filter = ["status", "is_featured", "directions"]
    search_fields = ["name", "name_en", "slug"]
    prepopulated_fields = {"slug": ["name_en"]}
    filter_horizontal = ["directions", "coordinators"]
    inlines = [AssociationMembershipInline]


@admin.register(AssociationMembership)
class AssociationMembershipAdmin(admin.ModelAdmin):
    list_display = ["organisation", "association", "role", "status", "since"]
    list_filter = ["association", "role", "status"]
    search_fields = ["organisation__short_name", "organisation__full_name", "organisation__inn"]
    autocomplete_fields = ["organisation", "association"]
    list_select_related = ["organisation", "association"]
    raw_id_fields = ["application"]


class ApplicationEventInline(admin.TabularInline):
    model = ApplicationEvent
    extra = 0
    fields = ["created_at", "actor", "from_status", "to_status", "comment", "internal_note"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


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
    ]
    autocomplete_fields = ["organisation", "association", "applicant"]
    filter_horizontal = ["directions"]
    inlines = [ApplicationDocumentInline, ApplicationEventInline]
    date_hierarchy = "created_at"


@admin.register(ApplicationEvent)
class ApplicationEventAdmin(admin.ModelAdmin):
    """The audit trail of applications: read-only."""

    list_display = ["application", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["to_status"]
    search_fields = ["application__organisation__short_name", "application__organisation__inn", "actor__email"]
    list_select_related = ["application__organisation", "application__association", "actor"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


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


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "status", "created_at", "decided_at"]
    list_filter = ["status"]
    search_fields = ["user__email", "organisation__short_name", "organisation__inn"]
    list_select_related = ["user", "organisation"]
    raw_id_fields = ["user", "organisation", "decided_by"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organisation", "invited_by", "created_at", "accepted_at"]
    search_fields = ["email", "organisation__short_name", "organisation__inn"]
    list_select_related = ["organisation", "invited_by"]
    raw_id_fields = ["organisation", "invited_by", "accepted_by"]
