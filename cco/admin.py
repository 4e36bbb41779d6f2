from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from cco.models import ApiToken, Department, DigestLog, User


@admin.register(User)
class PersonAdmin(UserAdmin):
    list_display = ["username", "get_full_name", "role", "department", "is_active"]
    list_filter = ["role", "department", "is_active"]
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        ("Role in the programme", {"fields": ("role", "department", "title")}),
    )
    add_fieldsets = (
        *(UserAdmin.add_fieldsets or ()),
        ("Role in the programme", {"fields": ("role", "department")}),
    )


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "head", "parent"]
    prepopulated_fields = {"slug": ["name"]}
    search_fields = ["name"]
    autocomplete_fields = ["head", "parent"]


@admin.register(DigestLog)
class DigestLogAdmin(admin.ModelAdmin):
    """Which weekly digests went out; written by the digest job, never by hand."""

    list_display = ["week_start", "recipients", "sent_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Who has an API token, and since when; an administrator may revoke one. Only the owner
    makes a token (the key is shown to them once), and only its digest is stored."""

    list_display = ["user", "created"]
    readonly_fields = ["user", "created"]
    exclude = ["digest"]
    search_fields = ["user__username"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class ShownNotChangedAdmin(admin.ModelAdmin):
    """For rows the product changes only on its own pages, which check the rules and write the
    history: the admin shows them, without a second way to change them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
