from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from cco.models import Department, User


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
