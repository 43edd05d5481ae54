class ReadOnlyAdminMixin:
    """For records written only by the portal's services (histories, participants): view, never edit."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
