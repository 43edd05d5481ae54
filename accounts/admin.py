from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = [
        "email",
        "last_name",
        "first_name",
        "patronymic",
        "is_cluster_staff",
        "is_staff",
        "is_superuser",
        "is_active",
        "date_joined",
    ]
    list_filter = ["is_cluster_staff", "is_staff", "is_superuser", "is_active", "language"]
    search_fields = ["email", "last_name", "first_name", "patronymic"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal info"), {"fields": ["last_name", "first_name", "patronymic", "language"]}),
        (_("Personal data consent"), {"fields": ["pd_consent_at", "pd_policy_version"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_cluster_staff", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "last_name", "first_name", "patronymic", "password1", "password2"],
            },
        )
    ]
