from typing import cast

from django import forms
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from cco.access import person_with_role, require_perm
from cco.csv_safety import csv_response
from cco.models import Role
from metrics.selectors import rollup_state
from metrics.selectors.segments import known_segments
from overview import panels, selectors
from overview.board_pack import Quarter
from overview.board_pack_pdf import board_pack_pdf
from overview.filters import DashboardFilterForm

PANELS = ("tiles", "trend", "journeys", "scorecard", "roadmap", "saydo", "breakdown")


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """The page executives open first. Department heads and contributors land on their
    department and can open the overview (read-only, like everyone but the CCO) from there."""
    person = person_with_role(request)
    wants_overview = request.GET.get("view") == "overview" or bool(request.GET)
    if person.role in (Role.DEPARTMENT_HEAD, Role.CONTRIBUTOR) and person.department_id:
        if not wants_overview:
            return redirect(person.department)  # type: ignore[arg-type]
    state = rollup_state()
    segments = panels.known_segments_cached(state[0])
    form = DashboardFilterForm(request.GET or None, segments=segments)
    filters = form.filters()
    context = {"form": form, "filters": filters, **panels.panel_data(filters, state=state)}
    # The departments are loaded for the scorecard already; the filter reuses them. Choices
    # given as a list are drawn without a query of their own (a model field's queryset would
    # be read through a server-side cursor on PostgreSQL, a round trip dearer than the read).
    department_field = cast(forms.ModelChoiceField, form.fields["department"])
    department_field.choices = [
        ("", "All departments"),
        *((department.slug, department.name) for department in context["departments"]),
    ]
    journey_field = cast(forms.ModelChoiceField, form.fields["journey"])
    journey_field.choices = [
        ("", "All journeys"),
        *((journey.slug, journey.name) for journey in context["journeys"]),
    ]
    context["panels_body"] = panels.rendered_panels(request, context)
    # htmx asks for the whole page when Back reaches an entry it holds no snapshot of.
    partial = request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )
    response = render(
        request, "overview/_panels.html" if partial else "overview/overview.html", context
    )
    # One URL, two bodies: a cache must never answer a page load with the panels alone.
    patch_vary_headers(response, ["HX-Request", "HX-History-Restore-Request"])
    return response


@require_GET
def panel_csv(request: HttpRequest, panel: str) -> HttpResponse:
    """Exactly the rows a chart shows, for the same filters, as CSV."""
    person_with_role(request)
    if panel not in PANELS:
        raise Http404(f"There is no overview panel called {panel!r}.")
    form = DashboardFilterForm(request.GET or None, segments=known_segments())
    # A segment or channel nobody can read is refused, not quietly widened to everyone: the
    # file would otherwise say less than its name claims.
    refused = {name: form.errors[name][0] for name in ("segment", "channel") if name in form.errors}
    if refused:
        return HttpResponseBadRequest(
            "; ".join(f"{name}: {reason}" for name, reason in refused.items()),
            content_type="text/plain; charset=utf-8",
        )
    filters = form.filters()
    # The same tables the page shows, without building the page's figures; what every filter
    # shows alike comes from the page's own cache.
    alike = panels.shared_data(rollup_state()[0])
    table = panels.panel_tables(selectors.overview(filters, shared=alike))[panel]
    sliced = f"-{slugify(filters.slice.label)}" if not filters.slice.everyone else ""
    filename = f"overview-{panel}-{filters.start.isoformat()}-{filters.end.isoformat()}{sliced}.csv"
    return csv_response(filename, table.header, table.rows)


@require_GET
def board_pack(request: HttpRequest, quarter: str) -> HttpResponse:
    """The quarter's board pack as a PDF, e.g. /reports/board-pack/2026-Q3.pdf: the CCO and
    executives; a malformed or not yet started quarter is not found."""
    require_perm(request.user, "cco.view_board_pack")
    wanted = Quarter.parse(quarter)
    today = timezone.localdate()
    if wanted is None:
        raise Http404("A quarter is written like 2026-Q3.")
    if wanted.start > today:
        raise Http404(f"{wanted.label} has not started yet.")
    response = HttpResponse(board_pack_pdf(wanted, today=today), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="board-pack-{wanted.slug}.pdf"'
    return response
