"""The roadmap in and out of a spreadsheet: CSV import, initiative and milestone exports."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from cco.access import require_perm
from cco.csv_safety import csv_response
from roadmap import services
from roadmap.forms import ImportForm
from roadmap.selectors import InitiativeRow, current_roadmap, initiative_rows, today
from roadmap.services.importing import COLUMNS
from roadmap.views.common import actor, chosen_roadmap


@require_http_methods(["GET", "POST"])
def roadmap_import(request: HttpRequest) -> HttpResponse:
    """Import pillars, initiatives, milestones and dependencies from a spreadsheet's CSV."""
    require_perm(request.user, "cco.manage_product")
    roadmap = current_roadmap()
    form = ImportForm(request.POST or None, request.FILES or None, initial={"roadmap": roadmap})
    context: dict[str, Any] = {"form": form, "columns": COLUMNS}
    if request.method == "POST" and form.is_valid():
        try:
            report = services.roadmap_import(
                actor=actor(request),
                roadmap=form.cleaned_data["roadmap"],
                text=form.cleaned_data["file"],
            )
        except services.RoadmapImportError as error:
            context["errors"] = error.errors
            return render(request, "roadmap/import.html", context, status=400)
        messages.success(
            request,
            f"Imported: {report.initiatives_created} initiatives added, "
            f"{report.initiatives_updated} updated, {report.milestones_created} milestones "
            f"added, {report.milestones_updated} updated, {report.dependencies_added} "
            f"dependencies, {report.pillars_created} new pillars.",
        )
        return redirect(form.cleaned_data["roadmap"])
    return render(request, "roadmap/import.html", context, status=400 if form.errors else 200)


@require_GET
def export_initiatives(request: HttpRequest) -> HttpResponse:
    """Initiatives with their derived health, why, what it was judged on, the verdict on each
    expected result with the months judged, and each baseline with its months, n and interval
    (the same figures as the pages)."""
    require_perm(request.user, "cco.view_product")
    roadmap = chosen_roadmap(request)
    if roadmap is None:
        raise Http404("There is no roadmap to export yet.")
    on = today()
    rows = initiative_rows(roadmap=roadmap, on=on)
    return csv_response(
        f"initiatives-{roadmap.start_year}-{roadmap.end_year}.csv",
        [
            "pillar",
            "initiative",
            "department",
            "sponsor",
            "start",
            "end",
            "status",
            "progress",
            "depends_on",
            "description",
            "health",
            "rolled_up_progress",
            "next_milestone",
            "health_reasons",
            "health_judged_on",
            "expected_results",
            "baselines",
            "budget",
            "return",
            "return_low",
            "return_high",
            "value_per_year",
            "results_in_money",
        ],
        (
            [
                row.initiative.pillar.name,
                row.initiative.title,
                row.initiative.department.slug,
                row.initiative.sponsor.username if row.initiative.sponsor else "",
                row.initiative.start_date,
                row.initiative.end_date,
                row.initiative.get_status_display(),
                row.initiative.progress,
                "; ".join(d.title for d in row.depends_on),
                row.initiative.description,
                row.health.label,
                row.progress,
                row.next_milestone.title if row.next_milestone else "",
                " ".join(row.health.reasons),
                row.health_basis,
                "; ".join(row.health.judged_on),
                "; ".join(f"{r.name}: {r.baseline.text}" for r in row.readings),
                *_money_cells(row),
            ]
            for row in rows
        ),
    )


def _money_cells(row: InitiativeRow) -> list:
    """Budget, return (a share: 0.25 is +25 %) with its interval, the year's value it stands
    on, and each result's money value or why there is none (roadmap.stats.returns)."""
    money = row.money
    ratio, value = money.ratio, money.value
    results = []
    for reading in row.readings:
        worth = reading.value.actual
        results.append(
            f"{reading.name}: {worth.value:.0f}"
            if worth
            else f"{reading.name}: {reading.value.label.lower()}"
            + (f" ({reading.value.reason})" if reading.value.reason else "")
        )
    return [
        row.initiative.budget,
        round(ratio.value, 4) if ratio else money.label,
        round(ratio.low, 4) if ratio and ratio.low is not None else "",
        round(ratio.high, 4) if ratio and ratio.high is not None else "",
        round(value.value, 2) if value else "",
        "; ".join(results),
    ]


@require_GET
def export_milestones(request: HttpRequest) -> HttpResponse:
    """Milestones in the import format: this file can be edited and imported back."""
    require_perm(request.user, "cco.view_product")
    roadmap = chosen_roadmap(request)
    if roadmap is None:
        raise Http404("There is no roadmap to export yet.")
    on = today()
    lines = []
    for row in initiative_rows(roadmap=roadmap, on=on):
        initiative = row.initiative
        base = [
            initiative.pillar.name,
            initiative.title,
            initiative.department.slug,
            initiative.sponsor.username if initiative.sponsor else "",
            initiative.start_date,
            initiative.end_date,
            initiative.get_status_display(),
            initiative.progress,
            "; ".join(d.title for d in row.depends_on),
            initiative.description,
        ]
        if not row.milestones:
            lines.append([*base, "", "", "", ""])
        for milestone in row.milestones:
            lines.append(
                [
                    *base,
                    milestone.title,
                    milestone.due_date,
                    milestone.done_date,
                    "yes" if milestone.is_key else "no",
                ]
            )
    return csv_response(f"roadmap-{roadmap.start_year}-{roadmap.end_year}.csv", COLUMNS, lines)
