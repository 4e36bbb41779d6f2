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
