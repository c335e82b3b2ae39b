from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from loa.people.models import ApiToken, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "role", "unit", "is_active"]
    list_filter = ["role", "is_active"]
    raw_id_fields = ["unit"]
    fieldsets = [*BaseUserAdmin.fieldsets, ("Loa", {"fields": ["role", "unit", "full_name"]})]  # type: ignore[misc]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "revoked"]
    readonly_fields = ["prefix", "digest"]
