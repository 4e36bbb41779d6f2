"""The change note form: publishing one (no version) and editing one (with the version read)."""

from typing import Any

from django import forms

from accountability.models.notes import TEXT_MAX, TITLE_MAX
from metrics.models import Theme, Touchpoint


class TouchpointChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.stage.journey.name} · {obj.name}"


class ChangeNoteForm(forms.Form):
    title = forms.CharField(max_length=TITLE_MAX)
    you_said = forms.CharField(
        label="What you said",
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"What customers told us, in their words (at most {TEXT_MAX} characters).",
    )
    we_did = forms.CharField(
        label="What we did",
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=f"What changed because of it (at most {TEXT_MAX} characters).",
    )
    touchpoints = TouchpointChoice(
        label="Touch points it answers",
        queryset=Touchpoint.objects.select_related("stage__journey"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Name at least one touch point the change answers."},
    )
    themes = forms.ModelMultipleChoiceField(
        label="Themes it answers",
        queryset=Theme.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def service_fields(self) -> dict[str, Any]:
        """The cleaned input as the services take it."""
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data["touchpoint_ids"] = [row.pk for row in data.pop("touchpoints")]
        data["theme_ids"] = [row.pk for row in data.pop("themes")]
        return data


class ChangeNoteEditForm(ChangeNoteForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class WithdrawForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
