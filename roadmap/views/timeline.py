"""The plan at a glance: the Gantt timeline and the year view."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cco.access import require_perm
from roadmap.charts import timeline_figure
from roadmap.forms import TimelineFilterForm
from roadmap.selectors import initiative_rows, today, year_view
from roadmap.views.common import chosen_roadmap, is_htmx


@require_GET
def timeline(request: HttpRequest) -> HttpResponse:
    """The Gantt of the whole plan, filterable by pillar, department and status."""
    require_perm(request.user, "cco.view_product")
    roadmap = chosen_roadmap(request)
    filters = TimelineFilterForm(request.GET or None, roadmap=roadmap, initial={"roadmap": roadmap})
    context: dict[str, Any] = {"roadmap": roadmap, "filters": filters}
    if roadmap is not None:
        chosen = filters.cleaned_data if filters.is_valid() else {}
        on = today()
        rows = initiative_rows(
            roadmap=roadmap,
            pillar_id=chosen["pillar"].pk if chosen.get("pillar") else None,
            department_id=chosen["department"].pk if chosen.get("department") else None,
            status=chosen.get("status") or None,
            on=on,
        )
        context.update(
            rows=rows,
            figure=timeline_figure(roadmap=roadmap, rows=rows, today=on) if rows else None,
            at_risk=sum(1 for row in rows if row.health.level == "at_risk"),
            filtered=any(chosen.get(name) for name in ("pillar", "department", "status")),
            pillars=list(roadmap.pillars.order_by("order", "name")),
        )
    template = "roadmap/_timeline.html" if is_htmx(request) else "roadmap/timeline.html"
    return render(request, template, context)


@require_GET
def years(request: HttpRequest) -> HttpResponse:
    """What each year of the plan must accomplish, and what was done: the patience view."""
    require_perm(request.user, "cco.view_product")
    roadmap = chosen_roadmap(request)
    summaries = year_view(roadmap=roadmap) if roadmap else []
    return render(
        request,
        "roadmap/years.html",
        {"roadmap": roadmap, "years": summaries, "today": today()},
    )
