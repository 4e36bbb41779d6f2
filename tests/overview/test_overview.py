"""The executive overview: figures built from known roll-ups, filters, roles, CSV, empty states."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from accountability.models import ActionStatus
from accountability.scorecard import SCORECARD_COLUMNS
from metrics.services.rollups import rollup_rebuild
from overview import selectors
from overview.filters import DashboardFilterForm
from tests.accountability.factories import ActionItemFactory, CXIssueFactory
from tests.metrics.factories import JourneyStageFactory, TouchpointFactory
from tests.overview.world import add_responses


def filters_for(**params):
    form = DashboardFilterForm(params or None)
    return form.filters()


def overview_for(**params):
    return selectors.overview(filters_for(**params))


def test_the_organisation_nps_tile_is_the_hand_computed_score(journey_world):
    tile = overview_for(period="30d").tiles.nps
    # 80 promoters, 40 passives, 80 detractors of 200 → 0.
    assert tile.current.n == 200
    assert tile.current.value == pytest.approx(0.0)
    assert tile.current.low < 0 < tile.current.high
    assert tile.previous.n == 0
    assert tile.significant is False


def test_a_department_filter_scores_that_department_only(journey_world, department_a):
    tile = overview_for(period="30d", department=department_a.slug).tiles.nps
    assert tile.label == "Customer service NPS"
    assert tile.current.value == pytest.approx(40.0)


def test_a_significant_change_against_the_previous_period_is_flagged(journey_world):
    # The previous 30 days: Shop scored far lower.
    add_responses(journey_world["shop"], [0] * 100, days_ago=45)
    rollup_rebuild(detect=False)
    tile = overview_for(period="30d", department=journey_world["shop"].department.slug).tiles.nps
    assert tile.previous.value == pytest.approx(-100.0)
    assert tile.change == pytest.approx(140.0)
    assert tile.significant is True


def test_the_trend_figure_carries_the_scores_and_their_interval(journey_world):
    from overview.charts import nps_trend_figure

    figure = nps_trend_figure(overview_for(period="30d", grain="day").trend)
    line = next(t for t in figure["data"] if t["name"] == "Organisation NPS")
    assert line["y"] == [0.0]
    assert line["customdata"] == [200]
    band = next(t for t in figure["data"] if t["name"] == "95% interval")
    assert band["fill"] == "toself"


def test_the_journey_map_calls_out_the_peak_the_pit_and_the_fall(journey_world):
    journey_map = overview_for(period="30d").journey_map
    row = journey_map.journeys[0]
    assert row.peak.name == "Buy"
    assert row.pit.name == "Pay"
    assert (row.steepest_drop[0].name, row.steepest_drop[1].name) == ("Buy", "Pay")
    assert [c.touchpoint.name for c in journey_map.peaks] == ["Shop"]
    assert [c.touchpoint.name for c in journey_map.pits] == ["Invoice"]
    assert {c.touchpoint.name: c.rag for s in row.stages for c in s.touchpoints} == {
        "Shop": "green",
        "Invoice": "red",
    }


def test_the_scorecard_rates_each_department_red_amber_green(journey_world, department_b):
    today = timezone.localdate()
    ActionItemFactory(
        department=department_b,
        due=today - timedelta(days=2),
        status=ActionStatus.DONE,
        completed_on=today - timedelta(days=5),
    )
    ActionItemFactory(department=department_b, due=today - timedelta(days=2))
    CXIssueFactory.create_batch(3, department=department_b)
    rows = {r.department.slug: r for r in overview_for(period="30d").scorecard}
    billing = [cell.rag for cell in rows["billing"].cells]
    assert billing == ["red", "grey", "red", "red"]
    assert rows["billing"].cells[2].text == "50% (1/2)"
    assert [cell.rag for cell in rows["customer-service"].cells] == [
        "green",
        "grey",
        "grey",
        "green",
    ]


def test_the_scorecard_is_a_table_that_says_each_rating_in_words_as_well_as_colour(
    client_for, executive, journey_world, department_b
):
    ActionItemFactory(department=department_b, due=timezone.localdate() - timedelta(days=2))
    html = client_for(executive).get("/?period=30d").content.decode()
    table = html[
        html.index('class="table scorecard-table"') : html.index(
            "</table>", html.index("scorecard-table")
        )
    ]
    assert "figure-scorecard" not in html
    for column in SCORECARD_COLUMNS:
        assert f">{column}</button>" in table
    billing = table[table.index("/departments/billing/") :].split("</tr>")[0]
    assert billing.count('class="rag-cell rag-red"') == 2
    assert '<span class="rag-word">Off target</span>' in billing
    assert '<span class="rag-text">0% (0/1)</span>' in billing
    assert 'data-sort-value="1"' in billing


def test_the_overview_page_shows_every_panel_to_an_executive(client_for, executive, journey_world):
    response = client_for(executive).get("/")
    html = response.content.decode()
    assert response.status_code == 200
    for heading in (
        "NPS trend",
        "Journeys: peaks and pits",
        "Department scorecard",
        "Roadmap health",
        "Journey map",
    ):
        assert heading in html
    for figure in ("figure-trend", "figure-journeys"):
        assert f'id="{figure}"' in html
    assert "vendor/plotly-basic.min.js" in html
    assert "{#" not in html and "{%" not in html  # no template comment shows as text


def test_htmx_filter_changes_return_only_the_panels(client_for, executive, journey_world):
    response = client_for(executive).get("/?period=year", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="panels">')
    assert "<html" not in html


def test_bad_filters_are_named_and_the_defaults_shown(client_for, executive, journey_world):
    response = client_for(executive).get("/?period=custom&start=2026-05-01&end=2026-04-01")
    html = response.content.decode()
    assert response.status_code == 200
    assert "The end date must be on or after the start date." in html
    assert "Some filters could not be used" in html


def test_an_unknown_period_is_refused_with_a_message(client_for, executive, db):
    html = client_for(executive).get("/?period=forever").content.decode()
    assert "Select a valid choice. forever is not one of the available choices." in html


def test_without_responses_the_overview_says_how_to_import(client_for, executive, db):
    html = client_for(executive).get("/").content.decode()
    assert "No responses in this period yet" in html
    assert "import_responses" in html
    assert 'data-figure="figure-trend"' not in html


def test_a_department_head_lands_on_their_department(client_for, head_a):
    response = client_for(head_a).get("/")
    assert response.status_code == 302
    assert response["Location"] == "/departments/customer-service/"


def test_a_department_head_can_open_the_overview_read_only(client_for, head_a, journey_world):
    response = client_for(head_a).get("/?view=overview")
    assert response.status_code == 200
    assert "Read-only view of the whole organisation" in response.content.decode()


def test_a_person_without_a_role_is_refused_the_overview(client_for, outsider):
    assert client_for(outsider).get("/").status_code == 403
    assert client_for(outsider).get("/overview/trend.csv").status_code == 403


def test_a_chart_downloads_as_csv_with_exactly_its_rows(client_for, executive, journey_world):
    response = client_for(executive).get("/overview/journeys.csv?period=30d")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["journey", "stage", "touch point", "owner", "nps", "n", "target", "rag"]
    assert rows[1][2:] == ["Shop", "Customer service", "40.0", "100", "30.0", "green"]
    assert rows[2][2:] == ["Invoice", "Billing", "-40.0", "100", "30.0", "red"]


def test_csv_cells_that_look_like_formulas_are_neutralised(client_for, executive, journey_world):
    shop = journey_world["shop"]
    shop.name = '=HYPERLINK("http://evil.example","x")'
    shop.save()
    body = client_for(executive).get("/overview/journeys.csv?period=30d").content.decode()
    assert "'=HYPERLINK" in body


def test_an_unknown_chart_has_no_csv(client_for, executive, db):
    assert client_for(executive).get("/overview/secrets.csv").status_code == 404


def build_world(size):
    """`size` departments, each with a touch point, responses, an action item, an issue, a
    KPI reading, an initiative with a milestone and an expected result, and a breach."""
    from tests.accountability.factories import BreachFactory
    from tests.factories import DepartmentFactory
    from tests.metrics.factories import KPIFactory, KPIObservationFactory
    from tests.roadmap.factories import (
        ExpectedResultFactory,
        InitiativeFactory,
        MilestoneFactory,
        PillarFactory,
        RoadmapFactory,
    )

    today = timezone.localdate()
    pillar = PillarFactory(roadmap=RoadmapFactory(name="The plan"))
    for index in range(size):
        department = DepartmentFactory()
        stage = JourneyStageFactory()
        touchpoint = TouchpointFactory(stage=stage, department=department, nps_target=20.0)
        add_responses(touchpoint, [9, 10, 3] * 20, days_ago=index % 20)
        ActionItemFactory(department=department, due=today - timedelta(days=1))
        CXIssueFactory(department=department)
        KPIObservationFactory(
            kpi=KPIFactory(department=department),
            value=70.0,
            week_start=today - timedelta(days=today.weekday() + 7),
        )
        initiative = InitiativeFactory(pillar=pillar, department=department)
        MilestoneFactory(
            initiative=initiative,
            due_date=today - timedelta(days=3),
            done_date=today - timedelta(days=4),
            is_key=True,
        )
        ExpectedResultFactory(initiative=initiative, scope="touchpoint", scope_id=touchpoint.pk)
        BreachFactory(touchpoint=touchpoint, period_start=today - timedelta(days=10))
    rollup_rebuild(detect=False)


def test_roadmap_health_counts_initiatives_milestones_and_verdicts(db):
    build_world(2)
    health = overview_for(period="30d").roadmap
    assert health.roadmap.name == "The plan"
    assert [p.by_status for p in health.pillars] == [{"planned": 2}]
    assert sum(health.verdicts.values()) == 2
    tiles = overview_for(period="30d").tiles
    assert (tiles.milestones.done_on_time, tiles.milestones.due_count) == (2, 2)
    assert tiles.open_issues == 2


@pytest.mark.parametrize("persona", ["executive", "head_a"])
def test_the_overview_makes_the_same_few_queries_whatever_the_data_size(
    request, db, client_for, persona
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accountability.cutoffs import forget_delivery_cutoffs
    from metrics.selectors.cutoffs import forget_score_cutoffs

    client = client_for(request.getfixturevalue(persona))
    counts = []
    for size in (2, 12):
        build_world(size)
        # Measured with the red / amber / green cut-offs not cached: two of the queries.
        forget_score_cutoffs()
        forget_delivery_cutoffs()
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/?period=90d&view=overview").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    # 20 for the panels with the cut-offs cached, two for the cut-offs, two for the follow-up
    # cases' tile (its counts, then the median time to first contact, both summed in SQL instead
    # of reading every case), one for the drivers panel (both outcomes' stored analyses), two for
    # the breakdowns by segment and by channel (the segment list for the filter is cached by
    # roll-up version: one more when the cache is cold); two for the front line panel's blockers
    # and compliments, one for its latest closed pulse round (none here). Two more for the
    # follow-up figures per department, read with the figures every filter shares (overview.panels).
    assert counts[0] <= 33, counts


def test_every_tile_carries_its_unit_interval_and_n(client_for, executive, journey_world):
    page = client_for(executive).get("/?period=30d").content.decode()
    assert "200 NPS answers" in page  # a count reads as a count, not as a score
    # The journey's NPS (0 here) with its interval and n, and the legend of the map's colours.
    journey = overview_for(period="30d").tiles.journeys[0][1]
    assert f"{journey.low:.0f} to {journey.high:.0f} (95 %) · n = 200" in page
    assert (
        "Red: more than 5 points under target" in page and "fewer than 30 answers (n shown)" in page
    )
    assert "it does not follow the period, journey or department filters" in page
    assert "open today, whatever the period" in page
