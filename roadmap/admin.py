from django.contrib import admin

from roadmap.models import (
    Dependency,
    ExpectedResult,
    Initiative,
    InitiativeUpdate,
    Milestone,
    Pillar,
    Roadmap,
)


class PillarInline(admin.TabularInline):
    model = Pillar
    extra = 0


@admin.register(Roadmap)
class RoadmapAdmin(admin.ModelAdmin):
    list_display = ["name", "start_year", "end_year", "is_current"]
    inlines = [PillarInline]


@admin.register(Pillar)
class PillarAdmin(admin.ModelAdmin):
    list_display = ["name", "roadmap", "order", "colour"]
    list_filter = ["roadmap"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


class ExpectedResultInline(admin.TabularInline):
    model = ExpectedResult
    extra = 0


class DependencyInline(admin.TabularInline):
    model = Dependency
    fk_name = "initiative"
    extra = 0
    autocomplete_fields = ["depends_on"]


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = ["title", "pillar", "department", "status", "start_date", "end_date", "progress"]
    list_filter = ["status", "pillar__roadmap", "pillar", "department"]
    search_fields = ["title", "description"]
    autocomplete_fields = ["department", "sponsor"]
    inlines = [MilestoneInline, ExpectedResultInline, DependencyInline]


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    list_display = ["title", "initiative", "due_date", "done_date", "is_key"]
    list_filter = ["is_key", "initiative__department"]
    search_fields = ["title", "initiative__title"]
    date_hierarchy = "due_date"


@admin.register(Dependency)
class DependencyAdmin(admin.ModelAdmin):
    list_display = ["initiative", "depends_on"]
    autocomplete_fields = ["initiative", "depends_on"]


@admin.register(ExpectedResult)
class ExpectedResultAdmin(admin.ModelAdmin):
    list_display = ["initiative", "metric", "scope", "scope_id", "baseline", "target", "by_date"]
    list_filter = ["metric", "scope"]


@admin.register(InitiativeUpdate)
class InitiativeUpdateAdmin(admin.ModelAdmin):
    list_display = ["initiative", "summary", "author", "created_at"]
    readonly_fields = ["initiative", "author", "created_at", "summary", "note"]
