from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import AccessToken
from .services import token_revoke


@admin.register(AccessToken)
class AccessTokenAdmin(admin.ModelAdmin):
    """Administrators see every token and revoke them; a token is created only by its user in the cabinet."""

    list_display = ["name", "user", "prefix", "scopes", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "user__email", "prefix"]
    list_select_related = ["user"]
    actions = ["revoke"]
    readonly_fields = [f.name for f in AccessToken._meta.fields if f.name not in ("id", "token_hash")]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke the selected tokens"), permissions=["delete"])
    def revoke(self, request, queryset):
        done = sum(token_revoke(token=token, by=request.user) for token in queryset)
        self.message_user(
            request,
            ngettext("%(n)d token revoked.", "%(n)d tokens revoked.", done) % {"n": done},
            messages.SUCCESS,
        )
