"""Forms for the roadmap pages. They collect input; the rules live in roadmap/services."""

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from cco.models import Department, Role, User
from metrics.models import KPI
from roadmap.models import (
    KPI_MEASURES,
    ExpectedResult,
    Initiative,
    Milestone,
    Pillar,
    Roadmap,
    Status,
)
from roadmap.scopes import scope_choices
from roadmap.services.measures import measure_problems
from roadmap.stats import BASELINE_MONTHS, TIME_TO_IMPACT_MONTHS

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RoadmapForm(forms.ModelForm):
    # Not the model field itself: the one-current rule is kept by roadmap_save, which unmarks
    # the previous current roadmap instead of refusing.
    make_current = forms.BooleanField(
        label="The current roadmap", required=False, help_text="Shown by default everywhere."
    )

    class Meta:
        model = Roadmap
        fields = ["name", "start_year", "end_year", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["make_current"].initial = self.instance.is_current
        self.order_fields(["name", "start_year", "end_year", "make_current", "description"])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.instance.is_current = bool(cleaned.get("make_current"))
        return cleaned


class PillarForm(forms.ModelForm):
    class Meta:
        model = Pillar
        fields = ["name", "description", "colour", "order"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "colour": forms.TextInput(attrs={"type": "color"}),
        }


class InitiativeForm(forms.ModelForm):
    """Everything about an initiative, for the CCO."""

    class Meta:
        model = Initiative
        fields = [
            "pillar",
            "title",
            "description",
            "department",
            "sponsor",
            "start_date",
            "end_date",
            "status",
            "progress",
            "notes",
            "budget",
            "driver",
        ]
        widgets = {
            "start_date": DATE_INPUT,
            "end_date": DATE_INPUT,
            "description": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, roadmap: Roadmap, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["pillar"].queryset = roadmap.pillars.order_by("order", "name")  # type: ignore[attr-defined]
        self.fields["department"].queryset = Department.objects.order_by("name")  # type: ignore[attr-defined]
        self.fields["sponsor"].queryset = User.objects.filter(  # type: ignore[attr-defined]
            is_active=True, role__in=[Role.EXECUTIVE, Role.CCO, Role.DEPARTMENT_HEAD]
        ).order_by("last_name", "first_name")


class ProgressForm(forms.Form):
    """What the head of the owning department updates: progress and notes."""

    progress = forms.IntegerField(
        min_value=0,
        max_value=100,
        required=False,
        help_text="Per cent complete; leave empty to roll it up from the milestones.",
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    note = forms.CharField(
        label="Note for the history",
        required=False,
        max_length=2000,
        help_text="Optional: why the progress changed.",
    )


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "due_date", "done_date", "is_key"]
        widgets = {"due_date": DATE_INPUT, "done_date": DATE_INPUT}


class DependencyForm(forms.Form):
    depends_on = forms.ModelChoiceField(
        queryset=Initiative.objects.none(), label="Depends on", empty_label="Choose an initiative"
    )

    def __init__(self, *args: Any, initiative: Initiative, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["depends_on"].queryset = (  # type: ignore[attr-defined]
            Initiative.objects.filter(pillar__roadmap_id=initiative.pillar.roadmap_id)
            .exclude(pk=initiative.pk)
            .order_by("title")
        )


class ExpectedResultForm(forms.ModelForm):
    where = forms.ChoiceField(
        label="Scope",
        required=False,
        help_text="Where the measure is read; a KPI is read for its own department.",
    )

    class Meta:
        model = ExpectedResult
        fields = [
            "metric",
            "kpi",
            "baseline_months",
            "baseline",
            "target",
            "by_date",
            "time_to_impact",
            "note",
        ]
        widgets = {"by_date": DATE_INPUT}

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["where"].choices = scope_choices()  # type: ignore[attr-defined]
        if self.instance.pk:
            self.initial["where"] = f"{self.instance.scope}:{self.instance.scope_id}"
        # Left empty, the two windows take their defaults (3 months each).
        self.fields["baseline_months"].required = False
        self.fields["time_to_impact"].required = False
        self.fields["kpi"].queryset = KPI.objects.select_related("department").order_by(  # type: ignore[attr-defined]
            "department__name", "name"
        )
        self.order_fields(
            [
                "metric",
                "kpi",
                "where",
                "baseline_months",
                "baseline",
                "target",
                "by_date",
                "time_to_impact",
                "note",
            ]
        )

    def clean_baseline_months(self) -> int:
        value = self.cleaned_data.get("baseline_months")
        return BASELINE_MONTHS if value is None else value

    def clean_time_to_impact(self) -> int:
        value = self.cleaned_data.get("time_to_impact")
        return TIME_TO_IMPACT_MONTHS if value is None else value

    def clean_where(self) -> tuple[str, int] | None:
        if not self.cleaned_data.get("where"):
            return None
        scope, _, scope_id = self.cleaned_data["where"].partition(":")
        try:
            return scope, int(scope_id)
        except ValueError:
            raise ValidationError("Choose a scope from the list.") from None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kpi_backed = cleaned.get("metric") in KPI_MEASURES
        if "metric" in cleaned:
            probe = ExpectedResult(metric=cleaned["metric"], kpi=cleaned.get("kpi"))
            if problem := measure_problems(probe).get("kpi"):
                self.add_error("kpi", problem)
        if cleaned.get("where"):
            self.instance.scope, self.instance.scope_id = cleaned["where"]
        elif "where" in cleaned and not kpi_backed:
            self.add_error("where", "Choose where the measure is read.")
        return cleaned


ROADMAP_FILE_CEILING = 5 * 1024 * 1024


class ImportForm(forms.Form):
    roadmap = forms.ModelChoiceField(queryset=Roadmap.objects.all(), empty_label=None)
    file = forms.FileField(help_text="A CSV file with the columns listed below (UTF-8).")

    def clean_file(self) -> str:
        upload = self.cleaned_data["file"]
        # A roadmap is checked as a whole (dependencies, spans), so the file is read into
        # memory: it stays under the site's upload limit and never above 5 MB.
        limit = min(settings.MAX_UPLOAD_BYTES, ROADMAP_FILE_CEILING)
        if upload.size > limit:
            raise ValidationError(
                f"The file is larger than {limit // 1024} KB, the limit for a roadmap import; "
                "split it into several files."
            )
        try:
            return str(upload.read().decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise ValidationError("The file is not UTF-8 text; save it as “CSV UTF-8”.") from None


class TimelineFilterForm(forms.Form):
    roadmap = forms.ModelChoiceField(
        queryset=Roadmap.objects.all(), required=False, empty_label=None
    )
    pillar = forms.ModelChoiceField(
        queryset=Pillar.objects.none(), required=False, empty_label="All pillars"
    )
    department = forms.ModelChoiceField(
        queryset=Department.objects.order_by("name"), required=False, empty_label="All departments"
    )
    status = forms.ChoiceField(choices=[("", "All statuses"), *Status.choices], required=False)

    def __init__(self, *args: Any, roadmap: Roadmap | None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        if roadmap is not None:
            self.fields["pillar"].queryset = roadmap.pillars.order_by("order", "name")  # type: ignore[attr-defined]
