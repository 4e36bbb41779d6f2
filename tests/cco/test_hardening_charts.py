"""Markup people type into names and titles is shown as text in every chart, never drawn.

plotly.js draws a subset of HTML in names, hover text, axis ticks and annotations: a milestone
titled `<a href="…">Login expired</a>` was a live link in the overview's trend hover. Every
user-written text that reaches a figure is fed here with markup in it, through the real pages.
"""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django.utils.html import escape

from accountability.models import ActionStatus
from metrics.models import Metric
from metrics.services.rollups import rollup_rebuild
from tests.accountability.factories import ActionItemFactory, BreachFactory
from tests.factories import DepartmentFactory
from tests.metrics.factories import (
    JourneyFactory,
    JourneyStageFactory,
    TouchpointFactory,
    responses,
)
from tests.roadmap.factories import (
    ExpectedResultFactory,
    InitiativeFactory,
    MilestoneFactory,
    PillarFactory,
    RoadmapFactory,
)


def markup(text: str) -> str:
    return f'<a href="https://evil.example">{text}</a>'


def shown(text: str) -> str:
    """How `markup(text)` must appear in a figure: escaped, so plotly.js shows it as written."""
    return f'&lt;a href="https://evil.example"&gt;{text}&lt;/a&gt;'


DEPARTMENT = "Sales"
JOURNEY = "Buying"
STAGE = "Checkout stage"
TOUCHPOINT = "Live chat"
PILLAR = "Trust"
INITIATIVE = "New help centre"
MILESTONE = "Login expired"


@pytest.fixture
def hostile_world(db: None) -> None:
    """One of everything whose name or title reaches a chart, each name holding a link."""
    today = timezone.localdate()
    sales = DepartmentFactory(name=markup(DEPARTMENT), slug="sales")
    journey = JourneyFactory(name=markup(JOURNEY), slug="buying")
    stage = JourneyStageFactory(journey=journey, name=markup(STAGE), order=1)
    chat = TouchpointFactory(
        stage=stage, department=sales, name=markup(TOUCHPOINT), slug="live-chat"
    )
    responses(chat, Metric.NPS, [10] * 40 + [0] * 10, timezone.now() - timedelta(days=3))
    rollup_rebuild(detect=False)
    BreachFactory(touchpoint=chat, period_start=today - timedelta(days=14))

    pillar = PillarFactory(roadmap=RoadmapFactory(), name=markup(PILLAR))
    initiative = InitiativeFactory(
        pillar=pillar,
        department=sales,
        title=markup(INITIATIVE),
        start_date=today - timedelta(days=120),
        end_date=today + timedelta(days=400),
    )
    MilestoneFactory(
        initiative=initiative,
        title=markup(MILESTONE),
        is_key=True,
        due_date=today - timedelta(days=5),
        done_date=today - timedelta(days=5),
    )
    ExpectedResultFactory(initiative=initiative)
    ActionItemFactory(
        department=sales,
        due=today - timedelta(days=2),
        status=ActionStatus.DONE,
        completed_on=today - timedelta(days=4),
    )


def figure_in(page: Any, key: str) -> Any:
    """The figure a page's context holds under `key` ("figures.trend": an entry of a dict)."""
    first, _, rest = key.partition(".")
    value = page.context[first]
    return value[rest] if rest else value


def strings(figure: Any) -> list[str]:
    """Every string anywhere in a figure's JSON."""
    found, stack = [], [figure]
    while stack:
        value = stack.pop()
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
    return found


# (page, the context entry holding the figure, the names that figure shows)
FIGURES = [
    ("/?period=90d", "figures.trend", [MILESTONE, INITIATIVE, TOUCHPOINT]),
    ("/?period=90d&department=sales", "figures.trend", [DEPARTMENT, MILESTONE, INITIATIVE]),
    ("/?period=90d&journey=buying", "figures.trend", [JOURNEY, TOUCHPOINT]),
    ("/?period=90d", "figures.journeys", [JOURNEY, STAGE]),
    ("/?period=90d", "figures.roadmap", [PILLAR]),
    ("/roadmap/", "figure", [INITIATIVE, MILESTONE, PILLAR, DEPARTMENT]),
    ("/accountability/scorecard/", "figure", [DEPARTMENT]),
    ("/metrics/touchpoints/live-chat/", "trend", []),
    ("/metrics/touchpoints/live-chat/", "distribution", []),
]


@pytest.mark.parametrize(("path", "key", "names"), FIGURES)
def test_names_with_markup_reach_the_figure_escaped_and_never_as_markup(
    client_for, cco, hostile_world, path, key, names
):
    page = client_for(cco).get(path)
    assert page.status_code == 200
    texts = strings(figure_in(page, key))
    for name in names:
        assert any(shown(name) in text for text in texts), f"{name} is not in {key} on {path}"
    raw = [text for text in texts if "<a" in text]
    assert not raw, f"markup reaches the {key} figure on {path}: {raw}"


def test_the_overview_scorecard_table_shows_names_escaped(client_for, cco, hostile_world):
    html = client_for(cco).get("/?period=90d").content.decode()
    table = html[html.index('class="table scorecard-table"') :]
    table = table[: table.index("</table>")]
    assert escape(markup(DEPARTMENT)) in table
    assert markup(DEPARTMENT) not in table


def test_the_journey_map_marks_its_peak_on_the_escaped_stage_name(client_for, cco, hostile_world):
    figure = figure_in(client_for(cco).get("/?period=90d"), "figures.journeys")
    stages = figure["data"][0]["x"]
    assert stages == [shown(STAGE)]
    # One scored stage is neither a peak nor a pit, so there may be no call-out at all; any
    # call-out there is must sit on the escaped name.
    assert {note["x"] for note in figure["layout"].get("annotations", [])} <= set(stages)


def test_quotes_in_names_are_left_as_plotly_shows_them():
    from cco.charts import plotly_text

    assert plotly_text('Say "hello" & <b>wave</b>') == 'Say "hello" &amp; &lt;b&gt;wave&lt;/b&gt;'
