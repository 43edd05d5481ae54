"""The admin of associations and memberships; an organisation's page also lists its memberships."""

from django.contrib import admin

from members.admin import OrganisationAdmin as BaseOrganisationAdmin
from members.models import Organisation

from .models import Association, AssociationMembership


class MembershipInline(admin.TabularInline):
    model = AssociationMembership
    extra = 0
    fields = ["association", "role", "status", "since", "ended_on"]
    autocomplete_fields = ["association"]


admin.site.unregister(Organisation)


@admin.register(Organisation)
class OrganisationAdmin(BaseOrganisationAdmin):
    inlines = [*BaseOrganisationAdmin.inlines, MembershipInline]


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
