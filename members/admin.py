from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Direction, Invitation, JoinRequest, Organisation, Region, Representative


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
    search_fields = [
        "user__email",
        "user__last_name",
        "user__first_name",
        "organisation__short_name",
        "organisation__inn",
    ]
    autocomplete_fields = ["user", "organisation"]
    list_select_related = ["user", "organisation"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "inn", "ogrn", "legal_form", "kind", "region", "size", "created_at"]
    list_filter = ["legal_form", "kind", "size", "region", "directions"]
    search_fields = ["short_name", "full_name", "inn", "ogrn"]
    autocomplete_fields = ["region"]
    filter_horizontal = ["directions"]
    inlines = [RepresentativeInline]
    list_select_related = ["region"]

    @admin.display(description=_("short name"), ordering="sort_name")
    def name(self, organisation):
        """The short name, sorted without its legal form and quotes, as the portal's lists are."""
        return organisation.short_name


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
