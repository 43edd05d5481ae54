from django.contrib import admin

from .models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = [
        "kind",
        "recipient",
        "email",
        "created_at",
        "read_at",
        "email_status",
        "email_attempts",
        "email_sent_at",
    ]
    list_filter = ["kind", "email_status"]
    search_fields = ["recipient__email", "email", "kind"]
    list_select_related = ["recipient"]
    readonly_fields = ["email_claimed_at", "email_sent_at", "email_error", "email_attempts"]
