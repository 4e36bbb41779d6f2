"""One truth for the roadmap: each initiative's health and each expected result's verdict, with
the months it was judged on, read the same on the initiative page, the department page, the
API, the CSV export and the executive overview's roadmap panel.

The demo roadmap is seeded on a day inside the plan over scores that rise, fall and stay quiet,
so every health level and verdict appears; the selectors' reading is the reference and every
other path must say exactly the same.
"""

import csv
import io
from collections import Counter
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from cco.models import Department
from roadmap.selectors import InitiativeRow, current_roadmap, initiative_rows
from tests.roadmap.factories import demo_scores
from tests.roadmap.test_demo import run_seed, seed_departments

pytestmark = pytest.mark.django_db

INSIDE_THE_PLAN = datetime(2027, 6, 15, 12, 0, tzinfo=UTC)


@pytest.fixture
def rows(time_machine) -> list[InitiativeRow]:  # type: ignore[no-untyped-def]
    time_machine.move_to(INSIDE_THE_PLAN)
    seed_departments()
    demo_scores()
    run_seed()
    roadmap = current_roadmap()
    assert roadmap is not None
    found = initiative_rows(roadmap=roadmap)
    levels = Counter(row.health.level for row in found)
    kinds = Counter(reading.verdict.kind for row in found for reading in row.readings)
    # The day was chosen so the reconciliation covers every level and verdict that matter.
    assert {"on_track", "at_risk", "not_started", "done"} <= set(levels)
    assert {"achieved", "on_track", "behind", "too_early"} <= set(kinds)
    return found


def test_the_api_gives_each_initiatives_health_as_the_pages_read_it(api_for, executive, rows):
    body = api_for(executive).get("/api/initiatives/", {"page_size": 100}).json()
    by_id = {item["id"]: item for item in body["results"]}
    assert len(by_id) == len(rows)
    for row in rows:
        item = by_id[row.initiative.pk]
        assert item["health"] == row.health.level, row.initiative.title
        assert item["health_reasons"] == list(row.health.reasons)
        assert item["health_judged_on"] == "; ".join([row.health_basis, *row.health.judged_on])


def test_the_api_gives_each_results_verdict_and_window_as_the_pages_read_it(
    api_for, executive, rows
):
    api = api_for(executive)
    body = api.get("/api/expected-results/", {"page_size": 100}).json()
    by_id = {item["id"]: item for item in body["results"]}
    readings = [reading for row in rows for reading in row.readings]
    assert len(by_id) == len(readings)
    for reading in readings:
        item = by_id[reading.result.pk]
        assert (item["verdict"], item["judged_on"]) == (
            reading.verdict.kind,
            reading.verdict.judged_on,
        )
        assert (item["baseline_source"], item["baseline_used"]) == (
            reading.baseline.source,
            reading.baseline.value,
        )
        detail = api.get(f"/api/expected-results/{reading.result.pk}/reading/").json()
        assert (detail["verdict"], detail["actual"], detail["expected"]) == (
            reading.verdict.kind,
            reading.verdict.actual,
            reading.verdict.expected,
        )
        assert detail["baseline"]["text"] == reading.baseline.text


def test_the_csv_export_gives_the_same_health_reasons_and_verdicts(client_for, executive, rows):
    response = client_for(executive).get(reverse("roadmap:export-initiatives"))
    lines = list(csv.DictReader(io.StringIO(response.content.decode())))
    by_title = {line["initiative"]: line for line in lines}
    assert len(by_title) == len(rows)
    for row in rows:
        line = by_title[row.initiative.title]
        assert line["health"] == row.health.label, row.initiative.title
        assert line["health_reasons"] == " ".join(row.health.reasons)
        assert line["health_judged_on"] == row.health_basis
        assert line["expected_results"] == "; ".join(row.health.judged_on)
        assert line["baselines"] == "; ".join(f"{r.name}: {r.baseline.text}" for r in row.readings)


def test_the_initiative_and_department_pages_show_the_same_health_and_verdicts(
    client_for, executive, rows
):
    client = client_for(executive)
    for row in rows:
        html = client.get(row.initiative.get_absolute_url()).content.decode()
        assert f'<span class="badge badge-{row.health.rag}">{row.health.label}</span>' in html
        for reason in row.health.reasons:
            assert reason in html
        for reading in row.readings:
            assert f"{reading.verdict.label}: {reading.verdict.judged_on}." in html
            assert reading.baseline.text in html
    for department in Department.objects.filter(initiatives__isnull=False).distinct():
        html = client.get(department.get_absolute_url()).content.decode()
        for row in rows:
            if row.initiative.department_id == department.pk and row.health.level != "dropped":
                shown = f'{row.health.label}</span><br><span class="muted small">{row.health_basis}'
                assert shown in html, (department.slug, row.initiative.title)


def test_the_overviews_roadmap_panel_counts_and_names_the_same_verdicts(
    client_for, executive, rows
):
    response = client_for(executive).get("/", {"view": "overview"})
    panel = response.context["roadmap"]
    readings = [reading for row in rows for reading in row.readings]
    assert panel.verdicts == Counter(reading.verdict.kind for reading in readings)
    behind = [reading for reading in readings if reading.verdict.kind == "behind"]
    assert [(result.pk, verdict) for result, verdict in panel.behind] == [
        (reading.result.pk, reading.verdict) for reading in behind
    ]
    html = response.content.decode()
    assert f"{panel.verdicts['behind']} behind" in html
    assert f"{panel.verdicts['too_early']} too early" in html
    for reading in behind:
        assert reading.verdict.judged_on in html
