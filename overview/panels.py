"""The overview's panels, computed once per roll-up version and data change, then cached.

The key holds the roll-up watermark (responses reach the panels only through roll-ups, written in
bulk without signals) and a generation counter that every save or delete of the product's other
data bumps (action items, CX issues, initiatives, departments…). With REDIS_URL set the cache is
Redis, shared by every worker and the Celery worker; without it (one process) it is in memory. A
short lifetime bounds what a bulk update that sends no signal could leave stale.
"""

from typing import Any

from django.core.cache import cache
from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from accountability.cutoffs import delivery_cutoffs
from accountability.scorecard import SCORECARD_COLUMNS
from metrics.charts import drivers_figure
from metrics.selectors import journey_list, rollup_state
from metrics.selectors.cutoffs import score_cutoffs
from metrics.selectors.segments import DIMENSIONS, known_segments
from metrics.stats import MIN_RESPONSES
from overview import charts, front_line, selectors, shared, tables
from overview.filters import DashboardFilterForm, DashboardFilters

CACHE_SECONDS = 300
GENERATION_KEY = "overview:generation"
WATCHED_APPS = {"cco", "metrics", "roadmap", "accountability"}
# Saved on every sign-in (last_login) and never shown on the overview.
UNWATCHED_MODELS = {("cco", "user")}


def panel_tables(data: selectors.Overview) -> dict[str, tables.Table]:
    """Each chart's rows: the page's data views and the CSV downloads read the same tables."""
    return {
        "tiles": tables.tiles_table(data.tiles),
        "trend": tables.trend_table(data.trend),
        "journeys": tables.journeys_table(data.journey_map),
        "scorecard": tables.scorecard_table(data.scorecard),
        "roadmap": tables.roadmap_table(data.roadmap),
        "saydo": tables.say_do_table(data.say_do),
        "breakdown": tables.breakdown_table(data.breakdowns),
    }


def compute_panels(
    filters: DashboardFilters, *, alike: shared.SharedFigures | None = None
) -> dict[str, Any]:
    alike = alike or shared.shared_figures()
    data = selectors.overview(filters, shared=alike)
    score, delivery = score_cutoffs(), delivery_cutoffs()
    return {
        "score_legend": score.legend_rows("nps"),
        "delivery_legend": delivery.legend,
        "scorecard_legend": [*score.legend_rows("nps", "kpi"), *delivery.legend],
        "tiles": data.tiles,
        "trend": data.trend,
        "journey_map": data.journey_map,
        "scorecard": data.scorecard,
        "scorecard_columns": SCORECARD_COLUMNS,
        "roadmap": data.roadmap,
        "say_do": data.say_do,
        "departments": data.departments,
        # The journey filter's choices, cached with the panels like the departments.
        "journeys": list(journey_list()),
        "drivers": data.drivers,
        "breakdowns": data.breakdowns,
        "front_line": front_line.front_line_panel(filters, alike),
        "has_responses": data.tiles.responses_total > 0,
        "min_n": MIN_RESPONSES,
        "breakdown_charts": [(dimension, dimension, f"by_{dimension}") for dimension in DIMENSIONS],
        "figures_present": [
            f"by_{dimension}" for dimension in DIMENSIONS if data.breakdowns.nps(dimension)
        ],
        "tables": panel_tables(data),
        "figures": {
            "trend": charts.nps_trend_figure(data.trend),
            "journeys": charts.journey_figure(data.journey_map),
            "roadmap": charts.roadmap_status_figure(data.roadmap),
            "saydo": charts.say_do_figure(data.say_do),
            "by_segment": charts.breakdown_figure(data.breakdowns, "segment"),
            "by_channel": charts.breakdown_figure(data.breakdowns, "channel"),
            **{
                f"drivers_{outcome}": drivers_figure(found.ranked, outcome_label=found.label)
                for outcome, found in data.drivers.items()
                if found is not None and found.enough
            },
        },
    }


def data_version(rollup_version: str) -> str:
    """What every cached panel depends on besides its filters: the roll-ups, every other saved
    change (the generation) and the day (due dates and "last 90 days" move at midnight)."""
    generation = cache.get(GENERATION_KEY, 0)
    return f"{rollup_version}:{generation}:{timezone.localdate().isoformat()}"


def shared_data(rollup_version: str) -> shared.SharedFigures:
    """The figures every filter combination shows alike, read once per data version: the
    first view of a new filter after a roll-up reads only what its filters change."""
    key = f"overview:shared:{data_version(rollup_version)}"
    figures = cache.get(key)
    if figures is None:
        figures = shared.shared_figures()
        cache.set(key, figures, CACHE_SECONDS)
    return figures


def cache_key(filters: DashboardFilters, rollup_version: str) -> str:
    parts = [
        data_version(rollup_version),
        filters.period,
        filters.start.isoformat(),
        filters.end.isoformat(),
        filters.grain,
        str(filters.journey.pk if filters.journey else "-"),
        str(filters.department.pk if filters.department else "-"),
        # Any text a segment may hold, kept apart from the key's separators.
        filters.segment.encode().hex() or "-",
        filters.channel or "-",
    ]
    return "overview:panels:" + ":".join(parts)


def known_segments_cached(rollup_version: str) -> list[str]:
    """The segments the roll-ups know, for the filter's choices: read once per roll-up version
    (a segment roll-up rebuild moves it on)."""
    key = f"overview:segments:{rollup_version}"
    segments = cache.get(key)
    if segments is None:
        segments = known_segments()
        cache.set(key, segments, CACHE_SECONDS)
    return list(segments)


def panel_data(
    filters: DashboardFilters, *, state: tuple[str, bool] | None = None
) -> dict[str, Any]:
    """The panels for these filters: from the cache when neither roll-ups nor data moved.
    `state` is `rollup_state()` when the caller has read it already."""
    rollup_version, catching_up = state or rollup_state()
    key = cache_key(filters, rollup_version)
    panels = cache.get(key)
    if panels is None:
        panels = compute_panels(filters, alike=shared_data(rollup_version))
        cache.set(key, panels, CACHE_SECONDS)
    # Whether roll-ups lag behind the stored responses is read fresh: it is what moves next.
    return {**panels, "catching_up": catching_up, "cache_key": key}


# The kinds of reader whose panels differ: the CCO (an import link, the pulse relation),
# executives and heads (the relation), contributors (neither).
READER_KINDS = ((True, True), (False, True), (False, False))


def warm_default_panels() -> str:
    """Compute the default view's panels (the page `/` opens with) into the key the view reads,
    and render them for every kind of reader, so the first reader after a roll-up meets a warm
    cache. Returns that key."""
    filters = DashboardFilterForm(None).filters()
    context = {"filters": filters, **panel_data(filters)}
    for is_cco, reads_pulse in READER_KINDS:
        panels_html(context, is_cco=is_cco, reads_pulse=reads_pulse)
    return str(context["cache_key"])


def panels_html(context: dict[str, Any], *, is_cco: bool, reads_pulse: bool) -> SafeString:
    """The panels' HTML, cached beside their data: rendering them is most of a warm request.
    It depends on the data and the filters (both in the key) and on the kind of reader (one of
    `READER_KINDS`), and on nothing of the request, so the warm task can render it too."""
    key = f"{context['cache_key']}:html:{int(is_cco)}{int(reads_pulse)}"
    html = cache.get(key)
    if html is None:
        reader = {"is_cco": is_cco, "reads_pulse": reads_pulse}
        html = render_to_string("overview/_panels_body.html", {**context, **reader})
        cache.set(key, html, CACHE_SECONDS)
    return mark_safe(html)  # noqa: S308 - our own template's output, escaped as it rendered


def rendered_panels(request: HttpRequest, context: dict[str, Any]) -> SafeString:
    """The panels' HTML for the reader of this request."""
    return panels_html(
        context,
        is_cco=bool(getattr(request.user, "is_cco", False)),
        reads_pulse=request.user.has_perm("cco.view_pulse_results"),
    )


def data_changed(sender: type[Model], **kwargs: Any) -> None:
    meta = sender._meta
    if meta.app_label not in WATCHED_APPS or (meta.app_label, meta.model_name) in UNWATCHED_MODELS:
        return
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        # Not there yet, or evicted: restart from the clock, which no earlier key can hold.
        cache.set(GENERATION_KEY, int(timezone.now().timestamp() * 1000), None)


def connect() -> None:
    post_save.connect(data_changed, dispatch_uid="overview-panels-save")
    post_delete.connect(data_changed, dispatch_uid="overview-panels-delete")
