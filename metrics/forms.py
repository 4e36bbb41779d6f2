from django import forms
from django.conf import settings


class ResponseUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text=(
            "Header: external_id,touchpoint,metric,score,responded_at"
            "[,customer_id,segment,comment]. UTF-8."
        ),
    )
    skip_invalid = forms.BooleanField(
        required=False, label="Skip invalid rows (save the valid ones and list the others)"
    )
    dry_run = forms.BooleanField(required=False, label="Check only: show the report, save nothing")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.MAX_UPLOAD_BYTES:
            limit = settings.MAX_UPLOAD_BYTES // (1024 * 1024)
            raise forms.ValidationError(
                f"The file is larger than {limit} MB: use manage.py import_responses."
            )
        return upload


class CustomerUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Header: customer_id,retained[,revenue]. retained is yes/no; revenue is the "
        "last twelve months' revenue. UTF-8.",
    )
    as_of = forms.DateField(
        label="Outcomes as of",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The date the retention and revenue figures describe.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.MAX_UPLOAD_BYTES:
            limit = settings.MAX_UPLOAD_BYTES // (1024 * 1024)
            raise forms.ValidationError(
                f"The file is larger than {limit} MB: use manage.py import_customers."
            )
        return upload

    def clean_as_of(self):
        from django.utils import timezone

        as_of = self.cleaned_data["as_of"]
        if as_of > timezone.localdate():
            raise forms.ValidationError("The as-of date cannot be in the future.")
        return as_of
