"""The CCO's red / amber / green cut-offs: one page for every colour the product shows."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accountability import services
from accountability.cutoffs import delivery_cutoff_history, delivery_cutoffs
from accountability.forms import CutoffsForm
from cco.access import require_perm
from cco.forms import add_service_errors
from metrics.selectors.cutoffs import score_cutoff_history, score_cutoffs


@dataclass(frozen=True)
class CutoffChange:
    at: datetime
    by: Any
    what: str
    before: str
    after: str


def cutoff_changes() -> list[CutoffChange]:
    """Every change of a cut-off, newest first, both apps' history in one list."""
    changes = [
        CutoffChange(row.changed_at, row.changed_by, row.get_measure_display(),
                     f"{row.old_amber_band:g}", f"{row.new_amber_band:g}")
        for row in score_cutoff_history()
    ] + [
        CutoffChange(row.changed_at, row.changed_by, row.get_figure_display(),
                     f"green {row.old_green:g}, amber {row.old_amber:g}",
                     f"green {row.new_green:g}, amber {row.new_amber:g}")
        for row in delivery_cutoff_history()
    ]  # fmt: skip
    return sorted(changes, key=lambda change: change.at, reverse=True)


@require_http_methods(["GET", "POST"])
def cutoffs_edit(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "cco.manage_product")
    score, delivery = score_cutoffs(), delivery_cutoffs()
    form = CutoffsForm(request.POST or None, initial={**score.as_dict(), **delivery.as_dict()})
    if request.method == "POST" and form.is_valid():
        try:
            services.cutoffs_update(actor=request.user, values=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "The cut-offs are saved; every page now colours by them.")
            return redirect("accountability:cutoffs")
    return render(
        request,
        "accountability/cutoffs.html",
        {
            "form": form,
            "legend": [*score.legend, *delivery.legend],
            "changes": cutoff_changes(),
        },
        status=400 if form.errors else 200,
    )
