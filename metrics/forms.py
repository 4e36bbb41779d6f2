from typing import Any

from django import forms
from django.conf import settings

# The most a page imports within gunicorn's timeout (gunicorn.conf.py, 30 s), with room to spare:
# 25 MB of responses with quoted comments (about 300,000 rows) took 19 s on two shared cores,
# 5 MB of customer outcomes (about 200,000) as long. A larger file is the command's.
RESPONSE_FILE_CEILING = 25 * 1024 * 1024
CUSTOMER_FILE_CEILING = 5 * 1024 * 1024


def _checked_size(upload: Any, ceiling: int, command: str) -> Any:
    limit = min(settings.MAX_UPLOAD_BYTES, ceiling)
    if upload.size > limit:
        raise forms.ValidationError(
            f"The file is larger than {limit // (1024 * 1024)} MB, the most a page imports: "
            f"use manage.py {command}."
        )
    return upload


class ResponseUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=(
            "Header: external_id,touchpoint,metric,score,responded_at"
            "[,customer_id,segment,comment]. UTF-8, up to 25 MB (larger: manage.py "
            "import_responses)."
        ),
    )
    skip_invalid = forms.BooleanField(
        required=False, label="Skip invalid rows (save the valid ones and list the others)"
    )
    dry_run = forms.BooleanField(required=False, label="Check only: show the report, save nothing")

    def clean_file(self):
        return _checked_size(self.cleaned_data["file"], RESPONSE_FILE_CEILING, "import_responses")


class CustomerUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Header: customer_id,retained[,revenue]. retained is yes/no; revenue is the "
        "last twelve months' revenue. UTF-8, up to 5 MB (larger: manage.py import_customers).",
    )
    as_of = forms.DateField(
        label="Outcomes as of",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The date the retention and revenue figures describe.",
    )

    def clean_file(self):
        return _checked_size(self.cleaned_data["file"], CUSTOMER_FILE_CEILING, "import_customers")

    def clean_as_of(self):
        from django.utils import timezone

        as_of = self.cleaned_data["as_of"]
        if as_of > timezone.localdate():
            raise forms.ValidationError("The as-of date cannot be in the future.")
        return as_of
