"""A department KPI: its weekly values with their history, and the form its department's head
(or the CCO) enters a value with."""

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accountability import services
from accountability.forms import KPIValueForm
from accountability.models import KPIValueChange
from accountability.services.kpis import kpi_value_range, week_of
from cco.access import get_for_user, require_perm
from cco.forms import add_service_errors
from metrics.models import KPI


@require_http_methods(["GET", "POST"])
def kpi_detail(request: HttpRequest, pk: int) -> HttpResponse:
    kpi = get_for_user(request.user, KPI.objects.select_related("department", "owner"), pk=pk)
    user: Any = request.user
    form = KPIValueForm(initial={"week_start": week_of(timezone.localdate())})
    status = 200
    if request.method == "POST":
        require_perm(user, "cco.change_owned", kpi)
        form = KPIValueForm(request.POST)
        if form.is_valid():
            try:
                services.kpi_value_record(kpi_id=kpi.pk, actor=user, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Saved {kpi.name} for the week of "
                                 f"{form.cleaned_data['week_start']:%d %b %Y}.")  # fmt: skip
                return redirect("accountability:kpi-detail", pk=kpi.pk)
        status = 400
    low, high = kpi_value_range(kpi.unit)
    return render(
        request,
        "accountability/kpi_detail.html",
        {
            "kpi": kpi,
            "form": form,
            "may_change": user.has_perm("cco.change_owned", kpi),
            "observations": kpi.observations.order_by("-week_start")[:12],
            "history": KPIValueChange.objects.filter(kpi=kpi).select_related("actor")[:20],
            "low": low,
            "high": high,
        },
        status=status,
    )
