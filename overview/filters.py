"""The overview's filters, read from the URL so a view can be shared and bookmarked."""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import cast
from urllib.parse import urlencode

from django import forms
from django.utils import timezone

from cco.models import Department
from metrics.selectors import Grain, Journey, journey_list
from metrics.selectors.segments import Channel, Slice, unknown_channel, unknown_segment

PERIOD_CHOICES = [
    ("30d", "Last 30 days"),
    ("90d", "Last 90 days"),
    ("quarter", "This quarter"),
    ("year", "Last 12 months"),
    ("custom", "Custom range"),
]
GRAIN_CHOICES = [(g.value, g.label) for g in (Grain.DAY, Grain.WEEK, Grain.MONTH, Grain.QUARTER)]
DEFAULT_GRAIN = {"30d": Grain.DAY, "90d": Grain.WEEK, "quarter": Grain.WEEK, "year": Grain.MONTH}
# A custom range longer than this would read more roll-up rows than a page should.
LONGEST_RANGE_DAYS = 3 * 366


@dataclass(frozen=True)
class DashboardFilters:
    period: str
    start: date
    end: date
    grain: str
    journey: Journey | None
    department: Department | None
    segment: str = ""
    channel: str = ""

    @property
    def slice(self) -> Slice:
        """Whose answers the scores count: one segment, one channel, both or everyone."""
        return Slice(self.segment, self.channel)

    @property
    def previous_start(self) -> date:
        return self.start - (self.end - self.start) - timedelta(days=1)

    @property
    def previous_end(self) -> date:
        return self.start - timedelta(days=1)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def querystring(self) -> str:
        params = {"period": self.period, "grain": self.grain}
        if self.period == "custom":
            params |= {"start": self.start.isoformat(), "end": self.end.isoformat()}
        if self.journey:
            params["journey"] = self.journey.slug
        if self.department:
            params["department"] = self.department.slug
        if self.segment:
            params["segment"] = self.segment
        if self.channel:
            params["channel"] = self.channel
        return urlencode(params)


class DashboardFilterForm(forms.Form):
    period = forms.ChoiceField(choices=PERIOD_CHOICES, required=False, initial="90d")
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    grain = forms.ChoiceField(choices=[("", "Automatic"), *GRAIN_CHOICES], required=False)
    journey = forms.ModelChoiceField(
        queryset=journey_list(),
        to_field_name="slug",
        required=False,
        empty_label="All journeys",
    )
    department = forms.ModelChoiceField(
        queryset=Department.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label="All departments",
    )
    segment = forms.ChoiceField(choices=[("", "All segments")], required=False)
    channel = forms.ChoiceField(choices=[("", "All channels"), *Channel.choices], required=False)

    def __init__(self, *args: object, segments: list[str] | None = None, **kwargs: object) -> None:
        """`segments`: the segments the roll-ups know (the caller reads them, cached)."""
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        known = segments or []
        segment_field = cast(forms.ChoiceField, self.fields["segment"])
        segment_field.choices = [("", "All segments"), *((s, s) for s in known)]
        segment_field.error_messages["invalid_choice"] = unknown_segment(
            "%(value)s", [s.replace("%", "%%") for s in known]
        )
        channel_field = cast(forms.ChoiceField, self.fields["channel"])
        channel_field.error_messages["invalid_choice"] = unknown_channel("%(value)s")

    def clean(self) -> dict:
        cleaned = super().clean() or {}
        today = timezone.localdate()
        if cleaned.get("period") == "custom":
            start, end = cleaned.get("start"), cleaned.get("end")
            if start is None:
                self.add_error("start", "A custom range needs a start date.")
            if end is None:
                self.add_error("end", "A custom range needs an end date.")
            if start and end:
                if start > end:
                    self.add_error("end", "The end date must be on or after the start date.")
                elif end > today:
                    self.add_error("end", "The end date cannot be in the future.")
                elif (end - start).days > LONGEST_RANGE_DAYS:
                    self.add_error("start", "A custom range can span at most three years.")
        return cleaned

    def filters(self) -> DashboardFilters:
        """The filters asked for, or the defaults for any field that was not valid."""
        data = self.cleaned_data if self.is_bound and not self.errors else {}
        if self.is_bound and self.errors:
            # Keep the valid parts of a partly wrong URL (e.g. the department).
            data = {k: v for k, v in self.cleaned_data.items() if k not in self.errors}
            if {"start", "end"} & set(self.errors):
                data["period"] = "90d"
        period = data.get("period") or "90d"
        today = timezone.localdate()
        if period == "custom":
            start, end = data["start"], data["end"]
        elif period == "quarter":
            start, end = date(today.year, (today.month - 1) // 3 * 3 + 1, 1), today
        else:
            days = {"30d": 30, "90d": 90, "year": 365}[period]
            start, end = today - timedelta(days=days - 1), today
        grain = data.get("grain") or auto_grain(period, start, end)
        return DashboardFilters(
            period=period,
            start=start,
            end=end,
            grain=grain,
            journey=data.get("journey"),
            department=data.get("department"),
            segment=data.get("segment") or "",
            channel=data.get("channel") or "",
        )


def auto_grain(period: str, start: date, end: date) -> str:
    if period in DEFAULT_GRAIN:
        return DEFAULT_GRAIN[period]
    days = (end - start).days + 1
    if days <= 45:
        return Grain.DAY
    if days <= 200:
        return Grain.WEEK
    return Grain.MONTH
