"""Read-only lists of the personal-data records: who withdrew consent, which deletions were done."""

from django.contrib import admin

from .models import ConsentEvent, PersonalDataEvent


class ReadOnlyAdmin(admin.ModelAdmin):
    list_display = ["user_id", "kind", "created_at"]
    list_filter = ["kind"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ConsentEvent)
class ConsentEventAdmin(ReadOnlyAdmin):
    list_display = ["user_id", "kind", "policy_version", "created_at"]


@admin.register(PersonalDataEvent)
class PersonalDataEventAdmin(ReadOnlyAdmin):
    pass
