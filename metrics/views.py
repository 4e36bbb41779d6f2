from datetime import timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from cco.access import get_for_user, require_perm
from cco.csv_safety import csv_response
from cco.importing import UnreadableFile, csv_rows, open_text
from cco.models import Department
from metrics import charts, samples, selectors, stats
from metrics.forms import CustomerUploadForm, ResponseUploadForm
from metrics.models import Channel, CustomerOutcome, Grain, Metric, Scope, Touchpoint
from metrics.selectors.segments import (
    DIMENSIONS,
    breakdown,
    known_segments,
    slice_query,
    sliced_score_series,
)
from metrics.selectors.themes import theme_figures
from metrics.services.customers import customer_outcomes_import_csv
from metrics.services.ingest import ImportReport, response_import_file

PREVIEW_ROWS = 5
PREVIEW_COLUMNS = 10  # the eight columns of a response, and room to show a stray one
PREVIEW_CHARS = 80


@require_GET
def touchpoint_list(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "cco.view_product")
    journeys = list(selectors.journeys_with_touchpoints())
    touchpoints = [tp for j in journeys for s in j.stages.all() for tp in s.touchpoints.all()]
    rows = {row.touchpoint.pk: row for row in selectors.touchpoint_rows(touchpoints)}
    groups = [
        {
            "journey": journey,
            "stages": [
                {"stage": stage, "rows": [rows[tp.pk] for tp in stage.touchpoints.all()]}
                for stage in journey.stages.all()
            ],
        }
        for journey in journeys
    ]
    return render(
        request,
        "metrics/touchpoint_list.html",
        {
            "groups": groups,
            "touchpoint_count": len(touchpoints),
            "catching_up": selectors.rollups_catching_up(),
        },
    )


@require_GET
def touchpoint_detail(request: HttpRequest, slug: str) -> HttpResponse:
    touchpoint = get_for_user(
        request.user,
        Touchpoint.objects.select_related("stage__journey", "department"),
        slug=slug,
    )
    metric = request.GET.get("metric", Metric.NPS)
    if metric not in Metric.values:
        metric = Metric.NPS
    today = timezone.localdate()
    start = today - timedelta(weeks=52)
    segments = known_segments()
    where, errors = slice_query({"segment": request.GET.get("segment", "")}, segments)
    if errors:
        return bad_slice(request, errors)
    points = sliced_score_series(
        metric=metric, scope=Scope.TOUCHPOINT, scope_id=touchpoint.pk, grain=Grain.WEEK,
        start=start, where=where,
    )  # fmt: skip
    counts = selectors.score_distribution(
        metric=metric, touchpoint_id=touchpoint.pk, start=today - timedelta(days=90), end=today
    )
    return render(
        request,
        "metrics/touchpoint_detail.html",
        {
            "touchpoint": touchpoint,
            "metric": metric,
            "metrics": Metric.choices,
            "headline": selectors.headline_window(
                metric=metric, scope=Scope.TOUCHPOINT, scope_id=touchpoint.pk
            ),
            "floor": touchpoint.floor_for(metric),
            "target": touchpoint.target_for(metric),
            "trend": charts.trend_figure(
                points=points,
                metric=metric,
                floor=touchpoint.floor_for(metric),
                target=touchpoint.target_for(metric),
            ),
            "has_points": bool(points),
            "distribution": charts.distribution_figure(counts=counts, metric=metric),
            "distribution_total": sum(counts.values()),
            "verbatims": selectors.recent_verbatims(touchpoint_id=touchpoint.pk),
            "theme_figures": theme_figures(touchpoint_id=touchpoint.pk, days=90),
            "min_n": stats.MIN_RESPONSES,
            "breaches": touchpoint.breaches.order_by("-period_start")[:10],
            "catching_up": selectors.rollups_catching_up(),
            "say_do": selectors.say_do_for(scope=Scope.TOUCHPOINT, scope_id=touchpoint.pk),
            "segments": segments,
            "segment": where.segment,
            "min_customers": selectors.MIN_CUSTOMERS,
            "by_segment": breakdown(
                "segment",
                scope=Scope.TOUCHPOINT,
                scope_id=touchpoint.pk,
                start=today - timedelta(days=89),
                end=today,
                metrics=(metric,),
            ),  # fmt: skip
        },
    )


@require_GET
def department_scorecard(request: HttpRequest, slug: str) -> HttpResponse:
    """A department's touch points and KPIs; ?segment= scores only that segment's answers,
    ?channel= keeps that channel's touch points; both break the department's NPS down."""
    department = get_for_user(request.user, Department, slug=slug)
    segments = known_segments()
    where, errors = slice_query(request.GET, segments)
    if errors:
        return bad_slice(request, errors)
    today = timezone.localdate()
    context = {
        "department": department,
        **selectors.department_scorecard(
            department_id=department.pk, segment=where.segment, channel=where.channel
        ),
        "segments": segments,
        "channels": Channel.choices,
        "where": where,
        "breakdowns": [
            (
                dimension,
                breakdown(
                    dimension,
                    scope=Scope.DEPARTMENT,
                    scope_id=department.pk,
                    start=today - timedelta(days=89),
                    end=today,
                    where=where,
                    metrics=(Metric.NPS,),
                ),
            )  # fmt: skip
            for dimension in DIMENSIONS
        ],
        "min_n": stats.MIN_RESPONSES,
    }
    return render(request, "metrics/department_scorecard.html", context)


def bad_slice(request: HttpRequest, errors: dict[str, str]) -> HttpResponse:
    """A segment or channel no score can be read for: a 400 naming the parameter and the
    values it may take, rather than a page that quietly shows everyone."""
    return render(request, "metrics/bad_slice.html", {"errors": errors}, status=400)


@require_http_methods(["GET", "POST"])
def response_upload(request: HttpRequest) -> HttpResponse:
    require_perm(request.user, "cco.import_responses")
    form = ResponseUploadForm(request.POST or None, request.FILES or None)
    context: dict[str, object] = {"form": form}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        preview = _preview(upload)
        upload.seek(0)
        stream = open_text(upload.file)
        try:
            # On PostgreSQL by COPY, judged in SQL by the validator's rules (a plain file without
            # the row-by-row check); elsewhere row by row in Python. The same report either way,
            # also for a file that is not UTF-8 or not CSV at all.
            report = response_import_file(
                stream=stream,
                source="upload",
                skip_invalid=form.cleaned_data["skip_invalid"],
                dry_run=form.cleaned_data["dry_run"],
                importer=request.user,
            )
        finally:
            stream.detach()
        # Said when the saved rows are not in the figures yet (the broker may be down).
        catching_up = selectors.rollups_catching_up()
        context.update({"report": report, "preview": preview, "catching_up": catching_up})
    outcome = context.get("report")
    refused = request.method == "POST" and not form.is_valid()
    status = 400 if refused or isinstance(outcome, ImportReport) and outcome.rejected else 200
    return render(request, "metrics/response_upload.html", context, status=status)


@require_GET
def response_sample(request: HttpRequest) -> HttpResponse:
    """A file in the import's format that the importer accepts as it stands, for a touch point
    the person may import for."""
    require_perm(request.user, "cco.import_responses")
    rows = samples.sample_response_rows(request.user)
    return csv_response("survey-responses-sample.csv", samples.SAMPLE_HEADER, rows)


def _preview(upload: Any) -> list[list[str]]:
    """The header and first rows of the file, as much as a page can show: PREVIEW_ROWS rows
    after the header, PREVIEW_COLUMNS columns (a last "…" says there were more), each cell cut
    to PREVIEW_CHARS characters. Read by the importers' reader, so a row of a million columns
    or a quote never closed costs no more than the reader's limit."""
    upload.seek(0)
    stream = open_text(upload.file, errors="replace")
    rows: list[list[str]] = []
    try:
        for _, values in csv_rows(stream):
            cells = [_cut(value) for value in values[:PREVIEW_COLUMNS]]
            rows.append(cells + ["…"] if len(values) > PREVIEW_COLUMNS else cells)
            if len(rows) > PREVIEW_ROWS:
                break
    except UnreadableFile:
        pass  # the report says why; the preview shows the rows before it
    finally:
        stream.detach()
    return rows


def _cut(value: str) -> str:
    return value if len(value) <= PREVIEW_CHARS else value[: PREVIEW_CHARS - 1] + "…"


@require_http_methods(["GET", "POST"])
def customer_upload(request: HttpRequest) -> HttpResponse:
    """The CCO imports customer outcomes (retention, revenue) for the say-versus-do view."""
    require_perm(request.user, "cco.manage_product")
    form = CustomerUploadForm(
        request.POST or None, request.FILES or None, initial={"as_of": timezone.localdate()}
    )
    context: dict[str, object] = {"form": form, "outcomes": CustomerOutcome.objects.count()}
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        upload.seek(0)
        stream = open_text(upload.file)
        try:
            report = customer_outcomes_import_csv(stream=stream, as_of=form.cleaned_data["as_of"])
        finally:
            stream.detach()
        context["report"] = report
        status = 400 if report.rejected else 200
    elif request.method == "POST":
        status = 400
    return render(request, "metrics/customer_upload.html", context, status=status)


@require_GET
def say_do(request: HttpRequest) -> HttpResponse:
    """Say versus do at one level (touch point, journey, department, organisation), for one
    segment or all: retention of promoters, passives and detractors, the gap, revenue at risk."""
    require_perm(request.user, "cco.view_product")
    query, errors = selectors.say_do_query(request.GET)
    context: dict[str, object] = {
        "levels": selectors.LEVEL_LABELS,
        "segments": selectors.say_do_segments(),
        "min_customers": selectors.MIN_CUSTOMERS,
        "errors": errors,
        **query,
    }
    if errors:
        return render(request, "metrics/say_do.html", context, status=400)
    context["rows"] = selectors.say_do_by_scope(scope=query["level"], segment=query["segment"])
    context["level_label"] = selectors.LEVEL_LABELS[query["level"]]
    return render(request, "metrics/say_do.html", context)
