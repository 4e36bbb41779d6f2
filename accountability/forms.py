"""Forms of the accountability pages. They validate input; the services do the writing."""

from datetime import date
from typing import Any

from django import forms

from accountability.models import (
    ActionStatus,
    Cadence,
    CXIssueStatus,
    FollowupOutcome,
    RootCause,
    Weekday,
)
from accountability.services.actions import due_date_problem
from cco.models import Department, Role, User
from metrics.models import Metric, Touchpoint


class DateInput(forms.DateInput):
    """A date picker; its value is always ISO (a browser shows an empty box for any other)."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:
        super().__init__(attrs, format or "%Y-%m-%d")


def people_who_can_own() -> Any:
    return (
        User.objects.filter(is_active=True, role__in=[Role.DEPARTMENT_HEAD, Role.CONTRIBUTOR])
        .select_related("department")
        .order_by("department__name", "last_name", "first_name")
    )


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} ({obj.department})" if obj.department_id else str(obj)


class ActionItemCreateForm(forms.Form):
    title = forms.CharField(max_length=300)
    department = forms.ModelChoiceField(
        queryset=Department.objects.order_by("name"), label="Owner department"
    )
    owner_person = OwnerChoiceField(
        queryset=people_who_can_own(), required=False, label="Owner person"
    )
    due = forms.DateField(widget=DateInput)
    agenda_item = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, departments: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if departments is not None:
            self.fields["department"].queryset = departments  # type: ignore[attr-defined]

    def clean_due(self) -> date:
        due: date = self.cleaned_data["due"]
        if problem := due_date_problem(due):
            raise forms.ValidationError(problem)
        return due


class VersionedForm(forms.Form):
    """A form that changes a versioned object: it carries back the version the person read.

    Its other fields are named as the update service's keyword arguments, which
    `views.common.versioned_save` passes them as.
    """

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class ActionItemUpdateForm(VersionedForm):
    status = forms.ChoiceField(choices=ActionStatus.choices)
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Progress note"
    )
    due = forms.DateField(widget=DateInput, required=False)


class MoveDueForm(VersionedForm):
    """Move an action item's due date, saying why (the service checks the date and reason)."""

    due = forms.DateField(widget=DateInput, required=False, label="New due date")
    reason = forms.CharField(max_length=500, required=False, label="Reason")


class KPIValueForm(forms.Form):
    """A KPI's value for one week (the service checks the week and the unit's range)."""

    week_start = forms.DateField(widget=DateInput, label="Week starting (Monday)")
    value = forms.FloatField(label="Value")


class CXIssueUpdateForm(VersionedForm):
    status = forms.ChoiceField(choices=CXIssueStatus.choices)
    root_cause = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    remediation_plan = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class CXIssueRaiseForm(forms.Form):
    title = forms.CharField(max_length=300, label="What does the customer experience?")
    department = forms.ModelChoiceField(
        queryset=Department.objects.order_by("name"), label="Accountable department"
    )
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class DecisionForm(forms.Form):
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Decision")
    agenda_item = forms.IntegerField(required=False, widget=forms.HiddenInput)


class AgendaItemAddForm(forms.Form):
    title = forms.CharField(max_length=300, label="Add to the agenda")
    department = forms.ModelChoiceField(
        queryset=Department.objects.order_by("name"), required=False
    )


class AgendaNotesForm(forms.Form):
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    discussed = forms.BooleanField(required=False)


class AttendanceForm(forms.Form):
    present = forms.BooleanField(required=False)
    rating = forms.IntegerField(required=False, min_value=1, max_value=10)


class CloseMeetingForm(forms.Form):
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


def department_heads() -> Any:
    return (
        User.objects.filter(is_active=True, role=Role.DEPARTMENT_HEAD)
        .select_related("department")
        .order_by("department__name")
    )


class MeetingSeriesForm(forms.Form):
    name = forms.CharField(max_length=160, initial="Customer accountability session")
    cadence = forms.ChoiceField(choices=Cadence.choices, initial=Cadence.WEEKLY)
    weekday = forms.TypedChoiceField(choices=Weekday.choices, coerce=int, initial=Weekday.MONDAY)
    start_time = forms.TimeField(widget=forms.TimeInput(attrs={"type": "time"}), initial="09:00")
    duration_minutes = forms.IntegerField(min_value=15, max_value=480, initial=60,
                                          label="Duration (minutes)")  # fmt: skip
    location = forms.CharField(max_length=200, required=False)
    attendees = forms.ModelMultipleChoiceField(
        queryset=department_heads(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Standing attendees",
        help_text="The department heads held to account; all of them unless you choose.",
    )
    first_on = forms.DateField(
        widget=DateInput, required=False, label="First meeting on",
        help_text="Leave empty to schedule it on the next chosen weekday.",
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["attendees"].initial = list(department_heads())

    def clean_first_on(self) -> Any:
        from django.utils import timezone

        first_on = self.cleaned_data["first_on"]
        if first_on is not None and first_on < timezone.localdate():
            raise forms.ValidationError("The first meeting cannot be in the past.")
        return first_on


class CutoffsForm(forms.Form):
    """The red / amber / green cut-offs: the numbers only; `services.cutoffs_update` checks
    their ranges and order and names the field it refuses."""

    nps = forms.FloatField(label="NPS: amber up to this many points under target")
    csat = forms.FloatField(label="CSAT: amber up to this many points under target")
    ces = forms.FloatField(label="CES: amber up to this much under target")
    kpi = forms.FloatField(label="KPIs: amber up to this per cent of the goal short of it")
    on_time_green = forms.FloatField(label="Action items done on time: green from (%)")
    on_time_amber = forms.FloatField(label="Action items done on time: amber from (%)")
    open_issues_green = forms.IntegerField(label="Open CX issues of a department: green up to")
    open_issues_amber = forms.IntegerField(label="Open CX issues of a department: amber up to")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs["step"] = "1" if name.startswith("open_issues") else "any"


# -- follow-up cases ---------------------------------------------------------------------------


class FollowupAssignForm(VersionedForm):
    assignee = OwnerChoiceField(queryset=people_who_can_own(), required=False, label="Assign to")

    def __init__(self, *args: Any, department_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if department_id is not None:
            field: Any = self.fields["assignee"]
            field.queryset = people_who_can_own().filter(department_id=department_id)


class FollowupRecordForm(VersionedForm):
    contacted = forms.BooleanField(required=False, label="I tried to reach the customer")
    outcome = forms.ChoiceField(
        choices=[("", "Still open"), *FollowupOutcome.choices], required=False
    )
    root_cause = forms.ChoiceField(
        choices=[("", "Not known yet"), *RootCause.choices], required=False, label="Root cause"
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=5000
    )


class FollowupRaiseIssueForm(VersionedForm):
    title = forms.CharField(max_length=300, required=False)


class FollowupPolicyForm(forms.Form):
    sla_working_days = forms.IntegerField(label="Due within (working days)")
    dedupe_days = forms.IntegerField(label="Join a customer's case within (days)")
    max_age_days = forms.IntegerField(label="Ignore responses older than (days)")


class FollowupThresholdForm(forms.Form):
    touchpoint = forms.ModelChoiceField(
        queryset=Touchpoint.objects.order_by("name"), label="Touch point"
    )
    metric = forms.ChoiceField(choices=Metric.choices)
    at_or_below = forms.IntegerField(
        required=False, label="Open a case at or below", help_text="Empty: the default."
    )
