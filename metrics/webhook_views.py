"""The CCO's page for webhook sources: make one (its secret shown once), rotate its secret,
and map each survey question id to a touch point and metric."""

from typing import Any

from django import forms
from django.contrib import messages
from django.db import IntegrityError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from cco.access import require_perm
from metrics.models import (
    PayloadShape,
    QuestionRole,
    Touchpoint,
    WebhookQuestion,
    WebhookSource,
)
from metrics.services.webhooks import (
    webhook_fingerprint,
    webhook_secret_rotate,
    webhook_source_create,
)


class SourceForm(forms.Form):
    name = forms.CharField(max_length=120)
    slug = forms.SlugField(max_length=60, help_text="In the URL: /api/webhooks/responses/<slug>/")
    shape = forms.ChoiceField(choices=PayloadShape.choices)

    def clean_slug(self) -> str:
        slug: str = self.cleaned_data["slug"]
        if WebhookSource.objects.filter(slug=slug).exists():
            raise forms.ValidationError(f"There is already a source {slug!r}.")
        return slug


class QuestionForm(forms.Form):
    source = forms.ModelChoiceField(queryset=WebhookSource.objects.all())
    question_id = forms.CharField(max_length=120, label="Question id")
    role = forms.ChoiceField(choices=QuestionRole.choices)
    touchpoint = forms.ModelChoiceField(
        queryset=Touchpoint.objects.order_by("name"),
        required=False,
        help_text="For a score question.",
    )

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        is_score = data.get("role") not in (QuestionRole.COMMENT, QuestionRole.IGNORE)
        if is_score and not data.get("touchpoint"):
            self.add_error("touchpoint", "A score question needs the touch point it rates.")
        if not is_score:
            data["touchpoint"] = None
        return data


@require_http_methods(["GET", "POST"])
def webhook_sources(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "cco.manage_product")
    source_form = SourceForm(prefix="source")
    question_form = QuestionForm(prefix="question")
    new_secret = ""
    status = 200
    if request.method == "POST":
        status = 400
        if "source-name" in request.POST:
            source_form = SourceForm(request.POST, prefix="source")
            if source_form.is_valid():
                source, new_secret = webhook_source_create(**source_form.cleaned_data)
                status = 200
        else:
            question_form = QuestionForm(request.POST, prefix="question")
            if question_form.is_valid():
                try:
                    WebhookQuestion.objects.create(**question_form.cleaned_data)
                except IntegrityError:
                    question_form.add_error("question_id", "This question is mapped already.")
                else:
                    messages.success(request, "Mapped.")
                    return redirect("metrics:webhook-sources")
    sources = list(WebhookSource.objects.prefetch_related("questions__touchpoint"))
    for source in sources:
        source.fingerprint = webhook_fingerprint(source)  # type: ignore[attr-defined]
    return render(
        request,
        "metrics/webhook_sources.html",
        {
            "sources": sources,
            "source_form": source_form,
            "question_form": question_form,
            "new_secret": new_secret,
        },
        status=status,
    )


@require_POST
def webhook_source_rotate(request: HttpRequest, slug: str) -> HttpResponse:
    require_perm(request.user, "cco.manage_product")
    source = get_object_or_404(WebhookSource, slug=slug)
    secret = webhook_secret_rotate(source=source)
    messages.success(request, f"New secret for {source}, shown once: {secret}")
    return redirect("metrics:webhook-sources")


@require_POST
def webhook_question_delete(request: HttpRequest, pk: int) -> HttpResponse:
    require_perm(request.user, "cco.manage_product")
    get_object_or_404(WebhookQuestion, pk=pk).delete()
    return redirect("metrics:webhook-sources")
