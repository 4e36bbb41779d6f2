"""Admin for the roadmap. Its forms check the same rules as roadmap/services, so the admin
cannot save what the pages and the API would refuse."""

from collections.abc import Callable
from copy import copy
from typing import Any, ClassVar

from django import forms
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
from roadmap.services.plan import (
    dependency_cycle,
    initiative_problems,
    milestone_problems,
    result_problems,
    roadmap_problems,
)


class RuleCheckingForm(forms.ModelForm):
    """Apply the cleaned values to a copy of the object and ask the service's rule check."""

    rules: ClassVar[Callable[[Any], dict[str, str]]]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        candidate = copy(self.instance)
        for name, value in cleaned.items():
            if name in {f.name for f in candidate._meta.concrete_fields}:
                setattr(candidate, name, value)
        if getattr(candidate, "initiative_id", True) is None:
            return cleaned  # an empty inline row
        for field, message in type(self).rules(candidate).items():
            self.add_error(field if field in self.fields else None, message)
        return cleaned


def _form(model_class: type, check: Callable[[Any], dict[str, str]]) -> type[RuleCheckingForm]:
    meta = type("Meta", (), {"model": model_class, "fields": "__all__"})
    return type(
        f"{model_class.__name__}AdminForm",
        (RuleCheckingForm,),
        {"Meta": meta, "rules": staticmethod(check)},
    )


def _dependency_problems(dependency: Dependency) -> dict[str, str]:
    if dependency.initiative_id is None or dependency.depends_on_id is None:
        return {}
    if cycle := dependency_cycle(
        initiative=dependency.initiative, depends_on=dependency.depends_on
    ):
        path = " → ".join(f"“{item}”" for item in cycle)
        return {"depends_on": f"This dependency would make a cycle: {path}."}
    return {}


RoadmapAdminForm = _form(Roadmap, roadmap_problems)
InitiativeAdminForm = _form(Initiative, initiative_problems)
MilestoneAdminForm = _form(Milestone, milestone_problems)
ExpectedResultAdminForm = _form(ExpectedResult, result_problems)
DependencyAdminForm = _form(Dependency, _dependency_problems)


class PillarInline(admin.TabularInline):
    model = Pillar
    extra = 0


@admin.register(Roadmap)
class RoadmapAdmin(admin.ModelAdmin):
    form = RoadmapAdminForm
    list_display = ["name", "start_year", "end_year", "is_current"]
    inlines = [PillarInline]


@admin.register(Pillar)
class PillarAdmin(admin.ModelAdmin):
    list_display = ["name", "roadmap", "order", "colour"]
    list_filter = ["roadmap"]


class MilestoneInline(admin.TabularInline):
    model = Milestone
    form = MilestoneAdminForm
    extra = 0


class ExpectedResultInline(admin.TabularInline):
    model = ExpectedResult
    form = ExpectedResultAdminForm
    extra = 0


class DependencyInline(admin.TabularInline):
    model = Dependency
    form = DependencyAdminForm
    fk_name = "initiative"
    extra = 0
    autocomplete_fields = ["depends_on"]


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    form = InitiativeAdminForm
    list_display = ["title", "pillar", "department", "status", "start_date", "end_date", "progress"]
    list_filter = ["status", "pillar__roadmap", "pillar", "department"]
    search_fields = ["title", "description"]
    autocomplete_fields = ["department", "sponsor"]
    inlines = [MilestoneInline, ExpectedResultInline, DependencyInline]


@admin.register(Milestone)
class MilestoneAdmin(admin.ModelAdmin):
    form = MilestoneAdminForm
    list_display = ["title", "initiative", "due_date", "done_date", "is_key"]
    list_filter = ["is_key", "initiative__department"]
    search_fields = ["title", "initiative__title"]
    date_hierarchy = "due_date"


@admin.register(Dependency)
class DependencyAdmin(admin.ModelAdmin):
    form = DependencyAdminForm
    list_display = ["initiative", "depends_on"]
    autocomplete_fields = ["initiative", "depends_on"]


@admin.register(ExpectedResult)
class ExpectedResultAdmin(admin.ModelAdmin):
    form = ExpectedResultAdminForm
    list_display = [
        "initiative",
        "metric",
        "scope",
        "scope_id",
        "baseline_months",
        "baseline",
        "target",
        "by_date",
        "time_to_impact",
    ]
    list_filter = ["metric", "scope"]


@admin.register(InitiativeUpdate)
class InitiativeUpdateAdmin(admin.ModelAdmin):
    list_display = ["initiative", "summary", "author", "created_at"]
    readonly_fields = ["initiative", "author", "created_at", "summary", "note"]
