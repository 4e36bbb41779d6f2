"""Employee pulse pages: the rounds, one short answer page (made for a phone), the results with
the anonymity rule, a new round (the CCO) and an import of answers gathered elsewhere (the CCO).

No page shows an individual answer: results come only from accountability.pulse_stats.
"""

from typing import IO, Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from accountability import pulse_stats
from accountability.models import PulseParticipation, PulseRound
from accountability.models.pulse import DEFAULT_MIN_GROUP, LOWEST_MIN_GROUP
from accountability.services import pulse as services
from cco.access import person_with_role, require_perm
from cco.models import Department


@require_GET
def pulse_list(request: HttpRequest) -> HttpResponse:
    user = person_with_role(request)
    today = timezone.localdate()
    rounds = list(PulseRound.objects.select_related("department")[:100])
    answered = set(
        PulseParticipation.objects.filter(person=user).values_list("round_id", flat=True)
    )
    return render(
        request,
        "accountability/pulse_list.html",
        {
            "to_answer": [
                r for r in rounds if services.may_answer(user, r, today) and r.pk not in answered
            ],
            "answered": [r for r in rounds if r.pk in answered],
            "closed": [r for r in rounds if r.results_final(today)],
            "may_read": user.has_perm("cco.view_pulse_results"),
            "may_manage": user.has_perm("cco.manage_product"),
        },
    )


def _round(pk: int) -> PulseRound:
    return get_object_or_404(PulseRound.objects.select_related("department"), pk=pk)


@require_http_methods(["GET", "POST"])
def pulse_answer(request: HttpRequest, pk: int) -> HttpResponse:
    """One page, a handful of taps: eNPS 0–10 and each 1–5 item. 400 names each field out of
    scale, 409 a second answer, 403 a round not for this person (or not open)."""
    user = person_with_role(request)
    round_ = _round(pk)
    today = timezone.localdate()
    if not services.may_answer(user, round_, today):
        raise PermissionDenied(
            "This pulse round is not open to you (another department's, or closed)."
        )
    done = PulseParticipation.objects.filter(round=round_, person=user).exists()
    if request.method == "GET":
        return _answer_page(request, round_, done=done)
    if done:
        return _answer_page(request, round_, done=True, status=409)
    try:
        enps, scores = services.parse_scores(round_, request.POST)
        services.answer(person=user, round_=round_, enps=enps, scores=scores)
    except ValidationError as exc:
        return _answer_page(request, round_, errors=exc.message_dict, status=400)
    except services.AlreadyAnswered:
        return _answer_page(request, round_, done=True, status=409)
    messages.success(request, "Thank you. Your answer is saved without your name.")
    return redirect("accountability:pulse-list")


def _answer_page(
    request: HttpRequest,
    round_: PulseRound,
    *,
    done: bool = False,
    errors: dict[str, list[str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    errors = errors or {}
    items = [
        {
            "item": item,
            "name": f"item_{item.pk}",
            "value": request.POST.get(f"item_{item.pk}", ""),
            "errors": errors.get(f"item_{item.pk}", []),
        }
        for item in round_.items.all()
    ]
    return render(
        request,
        "accountability/pulse_answer.html",
        {
            "round": round_,
            "items": items,
            "enps_value": request.POST.get("enps", ""),
            "enps_errors": errors.get("enps", []),
            "has_errors": bool(errors),
            "done": done,
            "enps_scale": range(0, 11),
            "item_scale": range(1, 6),
        },
        status=status,
    )


@require_GET
def pulse_results(request: HttpRequest, pk: int) -> HttpResponse:
    user = person_with_role(request)
    require_perm(user, "cco.view_pulse_results")
    round_ = _round(pk)
    today = timezone.localdate()
    # A head reads only their own department's line.
    scope = pulse_stats.reader_scope(user)
    lines = pulse_stats.round_results(round_, today=today, department_ids=scope)
    return render(
        request,
        "accountability/pulse_results.html",
        {
            "round": round_,
            "lines": lines,
            "final": round_.results_final(today),
            "items": list(round_.items.all()),
        },
    )


class PulseRoundForm(forms.Form):
    title = forms.CharField(max_length=160)
    department = forms.ModelChoiceField(
        Department.objects.order_by("name"),
        required=False,
        empty_label="Every department",
        to_field_name="slug",
    )
    opens_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    closes_on = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    min_group = forms.IntegerField(
        min_value=LOWEST_MIN_GROUP,
        initial=DEFAULT_MIN_GROUP,
        label="Smallest group shown (respondents)",
    )
    items = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        label="Items rated 1–5, one a line",
        help_text=f"At most {services.MAX_ITEMS}.",
    )


@require_http_methods(["GET", "POST"])
def pulse_new(request: HttpRequest) -> HttpResponse:
    user = person_with_role(request)
    require_perm(user, "cco.manage_product")
    form = PulseRoundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            round_ = services.round_create(
                title=data["title"],
                department=data["department"],
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                items=data["items"].splitlines(),
                min_group=data["min_group"],
                created_by=user,
            )
        except ValidationError as exc:
            for field, problems in exc.message_dict.items():
                for problem in problems:
                    form.add_error(field, problem)
        else:
            messages.success(request, f"Pulse round “{round_.title}” defined.")
            return redirect("accountability:pulse-list")
    status = 400 if request.method == "POST" else 200
    return render(request, "accountability/pulse_new.html", {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def pulse_import(request: HttpRequest, pk: int) -> HttpResponse:
    user = person_with_role(request)
    require_perm(user, "cco.manage_product")
    round_ = _round(pk)
    context: dict[str, Any] = {"round": round_, "columns": services.import_columns(round_)}
    if request.method == "GET":
        return render(request, "accountability/pulse_import.html", context)
    upload = request.FILES.get("file")
    if upload is None:
        context["missing"] = "Choose a CSV file (field: file)."
        return render(request, "accountability/pulse_import.html", context, status=400)
    # An uploaded file always holds its bytes.
    report = services.import_answers(
        round_, cast(IO[bytes], upload.file), today=timezone.localdate()
    )
    context["report"] = report
    return render(
        request, "accountability/pulse_import.html", context, status=400 if report.rejected else 200
    )
