"""One truth: the same figure read through every page, CSV, API answer and email is the same.

The demo organisation is seeded once for the module (its last 100 days, at full daily volume;
each test runs inside it and is rolled back). Then, for the demo data:

- every department's scorecard (NPS against target, KPIs at goal, actions on time, open CX
  issues, each with its colour) is read through the overview's page and CSV for the scorecard's
  window, the accountability scorecard's CSV, page and API, and the department page's KPIs;
  its overdue count, average days late and attendance through the accountability page and API;
- every touch point's headline score through the metrics list, its own page and its
  department's page; its weekly series through its page's chart and the scores API; its score
  over the scorecard's window through the overview's journey-map CSV and its day roll-ups from
  the API, pooled;
- every initiative's health and every expected result's verdict through the API, the CSV
  export, the initiative page and the overview's roadmap panel;
- the organisation's figures of last week through the executive digest and the overview's
  tiles CSV for the same week.
"""

import csv
import io
import re
from collections import Counter
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape

from accountability.selectors import SCORECARD_WINDOW_DAYS
from cco.models import Department, User
from metrics import stats
from metrics.models import Scope, Touchpoint
from metrics.selectors import headline_window
from overview.digest import digest_filters, executive_digest_send
from roadmap.selectors import current_roadmap, initiative_rows

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    """The demo data, seeded once for every test here and rolled back after the last."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", "--days", "100", "--force", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def demo(seeded, db):  # type: ignore[no-untyped-def]
    return User.objects.get(username="executive")


def read_csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.content[:300]
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def number(cell: str) -> str:
    """A CSV cell without the quote that keeps a spreadsheet from reading "-4" as a formula."""
    return cell.lstrip("'")


def scorecard_window() -> dict[str, str]:
    today = timezone.localdate()
    start = today - timedelta(days=SCORECARD_WINDOW_DAYS)
    return {"period": "custom", "start": start.isoformat(), "end": today.isoformat()}


# --- Departments ------------------------------------------------------------------------------


def test_every_department_reads_the_same_on_the_overview_and_the_scorecard(client, demo):
    client.force_login(demo)
    overview = read_csv(client.get("/overview/scorecard.csv", scorecard_window()))
    scorecard = read_csv(client.get("/accountability/scorecard.csv"))
    departments = set(Department.objects.values_list("name", flat=True))

    assert {row["department"] for row in overview} == departments
    assert overview == scorecard

    # The accountability scorecard's API and page give the same on-time figure and open issues.
    api = client.get("/api/accountability-scorecard/").json()
    by_name = {row["department"]: row for row in scorecard}
    assert len(api) == len(departments)
    page = client.get("/accountability/scorecard/").content.decode()
    for entry in api:
        name = entry["department_name"]
        row = by_name[name]
        if entry["due_count"]:
            expected = f"{entry['on_time_pct']:.0f}% ({entry['done_on_time']}/{entry['due_count']})"
        else:
            expected = "none due"
        assert row["Actions on time"] == expected, name
        assert row["Open CX issues"] == str(entry["open_issues"]), name
        # The colours too: the cut-offs are read once for every route.
        if entry["due_count"]:
            assert row["Actions on time rag"] == entry["on_time_rag"], name
        assert row["Open CX issues rag"] == entry["open_issues_rag"], name
        assert escape(name) in page
    # Something is really being compared: the demo has work due and issues open.
    assert any(row["Actions on time"] != "none due" for row in scorecard)
    assert any(row["Open CX issues"] != "0" for row in scorecard)


def _table_row(page: str, department: Department) -> str:
    """The accountability scorecard table's row of one department."""
    link = f'?department={department.slug}">{escape(department.name)}</a>'
    rows = [chunk for chunk in page.split("<tr>") if link in chunk]
    assert len(rows) == 1, department.name
    return rows[0].split("</tr>")[0]


def test_every_departments_delivery_figures_read_the_same_on_the_scorecard_page_and_the_api(
    client, demo
):
    client.force_login(demo)
    api = {row["department"]: row for row in client.get("/api/accountability-scorecard/").json()}
    page = client.get("/accountability/scorecard/").content.decode()
    for department in Department.objects.all():
        entry, row = api[department.pk], _table_row(page, department)
        if entry["due_count"]:
            label = entry["on_time_rag"].title()
            badge = f'rag-{entry["on_time_rag"]}">{label} · {entry["on_time_pct"]}%</span>'
            assert badge in row, department.name
            assert f"{entry['done_on_time']}/{entry['due_count']}" in row
        else:
            assert "nothing due yet" in row, department.name
        overdue = (
            f'<span class="badge rag-red">{entry["overdue"]}</span>' if entry["overdue"] else ">0<"
        )
        assert overdue in row, department.name
        days_late = entry["avg_days_late"]
        assert f'<td class="num">{days_late if days_late is not None else "–"}</td>' in row
        issues = entry["open_issues_rag"]
        assert f'rag-{issues}">{issues.title()} · {entry["open_issues"]}</span>' in row
        if entry["attendance_pct"] is not None:
            attended = f"{entry['meetings_attended']}/{entry['meetings_expected']}"
            assert f'{entry["attendance_pct"]}% <span class="muted">{attended}' in row
        else:
            assert '<span class="muted">–</span>' in row, department.name
    assert any(entry["overdue"] for entry in api.values())
    assert any(entry["attendance_pct"] is not None for entry in api.values())


def test_the_overview_pages_scorecard_table_shows_what_its_csv_says(client, demo):
    client.force_login(demo)
    window = scorecard_window()
    csv_rows = read_csv(client.get("/overview/scorecard.csv", window))
    response = client.get("/", window)
    rows = response.context["scorecard"]
    columns = list(response.context["scorecard_columns"])
    html = response.content.decode()
    assert len(rows) == len(csv_rows)
    for row, line in zip(rows, csv_rows, strict=True):
        assert row.department.name == line["department"]
        for column, cell in zip(columns, row.cells, strict=True):
            assert cell.rag == line[f"{column} rag"], (line["department"], column)
            assert cell.text == number(line[column]), (line["department"], column)
            # The table says the colour in words and the figure beside it.
            assert f'<span class="rag-text">{escape(cell.text)}</span>' in html


def test_every_departments_kpis_at_goal_read_the_same_on_its_page_and_the_scorecard(client, demo):
    client.force_login(demo)
    scorecard = {row["department"]: row for row in read_csv(client.get("/overview/scorecard.csv"))}
    judged_somewhere = False
    for department in Department.objects.all():
        page = client.get(f"/metrics/departments/{department.slug}/").content.decode()
        shown = {
            colour: page.count(f'<td><span class="badge rag-{colour}">{colour.title()}</span></td>')
            for colour in ("green", "amber", "red")
        }
        judged = sum(shown.values())
        cell = scorecard[department.name]["KPIs vs goal"]
        if judged:
            judged_somewhere = True
            assert cell == f"{shown['green']} of {judged} at goal", department.name
            worst = next(c for c in ("red", "amber", "green") if shown[c])
            assert scorecard[department.name]["KPIs vs goal rag"] == worst, department.name
        else:
            assert cell == "no KPI readings", department.name
    assert judged_somewhere


# --- Touch points -----------------------------------------------------------------------------


def test_every_touch_points_headline_reads_the_same_on_every_metrics_page(client, demo):
    client.force_login(demo)
    listing = client.get("/metrics/").content.decode()
    department_pages: dict[str, str] = {}
    touchpoints = list(Touchpoint.objects.select_related("department"))
    assert touchpoints
    for touchpoint in touchpoints:
        headline = headline_window(metric="nps", scope=Scope.TOUCHPOINT, scope_id=touchpoint.pk)
        shown = render_to_string(
            "metrics/_score.html", {"point": headline.current if headline else None}
        )
        slug = touchpoint.department.slug
        if slug not in department_pages:
            department_pages[slug] = client.get(f"/metrics/departments/{slug}/").content.decode()
        detail = client.get(touchpoint.get_absolute_url()).content.decode()
        for where, page in (
            ("list", listing),
            ("department", department_pages[slug]),
            ("detail", detail),
        ):
            assert shown in page, (touchpoint.name, where)


def test_every_touch_points_weekly_series_reads_the_same_on_its_chart_and_the_api(
    client, api_for, demo
):
    client.force_login(demo)
    api = api_for(demo)
    start = timezone.localdate() - timedelta(weeks=52)
    for touchpoint in Touchpoint.objects.all():
        figure = client.get(touchpoint.get_absolute_url()).context["trend"]
        line = next(trace for trace in figure["data"] if "customdata" in trace)
        points = api.get(
            "/api/scores/",
            {
                "metric": "nps",
                "scope": "touchpoint",
                "scope_id": touchpoint.pk,
                "grain": "week",
                "start": start.isoformat(),
            },
        ).json()
        assert points, touchpoint.name
        assert line["customdata"] == [point["n"] for point in points], touchpoint.name
        assert line["y"] == pytest.approx([point["value"] for point in points]), touchpoint.name


def test_every_touch_points_score_over_a_window_reads_the_same_on_the_overview_and_the_api(
    client, api_for, demo
):
    client.force_login(demo)
    api = api_for(demo)
    window = scorecard_window()
    journeys = {
        row["touch point"]: row for row in read_csv(client.get("/overview/journeys.csv", window))
    }
    touchpoints = list(Touchpoint.objects.all())
    assert len(journeys) == len(touchpoints)
    for touchpoint in touchpoints:
        body = api.get(
            "/api/rollups/",
            {
                "metric": "nps",
                "scope": "touchpoint",
                "scope_id": touchpoint.pk,
                "grain": "day",
                "start": window["start"],
                "end": window["end"],
                "page_size": 500,
            },
        ).json()
        assert body["next"] is None
        days = body["results"]
        pooled = stats.nps(
            sum(day["promoters"] for day in days),
            sum(day["passives"] for day in days),
            sum(day["detractors"] for day in days),
        )
        row = journeys[touchpoint.name]
        assert int(row["n"]) == pooled.n, touchpoint.name
        expected = "" if pooled.value is None else str(round(pooled.value, 1))
        assert number(row["nps"]) == expected, touchpoint.name


# --- Initiatives ------------------------------------------------------------------------------


def test_every_initiatives_health_and_verdicts_read_the_same_on_every_route(client, api_for, demo):
    client.force_login(demo)
    api = api_for(demo)
    roadmap = current_roadmap()
    assert roadmap is not None
    rows = initiative_rows(roadmap=roadmap)
    assert rows
    initiatives = {
        item["id"]: item
        for item in api.get("/api/initiatives/", {"roadmap": roadmap.pk, "page_size": 500}).json()[
            "results"
        ]
    }
    results = {
        item["id"]: item
        for item in api.get("/api/expected-results/", {"page_size": 500}).json()["results"]
    }
    export = {
        line["initiative"]: line for line in read_csv(client.get("/roadmap/export/initiatives.csv"))
    }
    readings = [reading for row in rows for reading in row.readings]
    for row in rows:
        title = row.initiative.title
        item = initiatives[row.initiative.pk]
        assert (item["health"], item["health_reasons"]) == (
            row.health.level,
            list(row.health.reasons),
        ), title
        line = export[title]
        assert (line["health"], line["health_reasons"]) == (
            row.health.label,
            " ".join(row.health.reasons),
        ), title
        assert line["expected_results"] == "; ".join(row.health.judged_on), title
        html = client.get(row.initiative.get_absolute_url()).content.decode()
        assert f'<span class="badge badge-{row.health.rag}">{row.health.label}</span>' in html
        # The return on the budget: one figure on the page, the API and the CSV.
        money = row.money
        assert item["money_return"]["text"] == money.text, title
        shown = f"<strong>{money.text}</strong>" if money.ratio else escape(money.label)
        assert shown in html, title
        assert line["return"] == (str(round(money.ratio.value, 4)) if money.ratio else money.label)
        for reading in row.readings:
            result = results[reading.result.pk]
            assert (result["verdict"], result["judged_on"]) == (
                reading.verdict.kind,
                reading.verdict.judged_on,
            ), title
            assert escape(f"{reading.verdict.label}: {reading.verdict.judged_on}.") in html, title
    # The overview's roadmap panel counts the same verdicts.
    panel = client.get("/", {"view": "overview"}).context["roadmap"]
    assert panel.verdicts == Counter(reading.verdict.kind for reading in readings)
    assert readings


# --- The executive digest ---------------------------------------------------------------------


def test_the_digest_says_what_the_overview_says_for_the_same_week(client, demo):
    client.force_login(demo)
    today = timezone.localdate()
    week = digest_filters(today)
    tiles = {
        row["measure"]: row
        for row in read_csv(
            client.get(
                "/overview/tiles.csv",
                {
                    "period": "custom",
                    "start": week.start.isoformat(),
                    "end": week.end.isoformat(),
                    "grain": "day",
                },
            )
        )
    }
    assert executive_digest_send(today=today) > 0
    body = mail.outbox[-1].body

    def shown(pattern: str) -> tuple[float, str]:
        """The digest's whole number and its count; the CSV has one decimal, so they agree
        within rounding."""
        found = re.search(pattern, body)
        assert found, (pattern, body)
        return float(found.group(1)), found.group(2)

    nps = tiles["Organisation NPS"]
    value, n = shown(r"Organisation NPS: (-?\d+) ± \d+ \(n = (\d+)\)")
    assert n == nps["n"] and abs(value - float(number(nps["value"]))) <= 0.55
    assert f"Responses: {tiles['Responses counted']['value']}\n" in body
    for label, measure in (
        ("Action items done on time", "Action items done on time %"),
        ("Milestones on time", "Milestones on time %"),
    ):
        row = tiles[measure]
        if row["n"] == "0":
            assert f"{label}: none due" in body
            continue
        value, n = shown(rf"{label}: (\d+)% of (\d+)")
        assert n == row["n"] and abs(value - float(row["value"])) <= 0.55, label
    assert f"Open CX issues: {tiles['Open CX issues']['value']}" in body
    # The open issues are the departments' open issues, summed.
    scorecard = read_csv(client.get("/accountability/scorecard.csv"))
    assert sum(int(row["Open CX issues"]) for row in scorecard) == int(
        tiles["Open CX issues"]["value"]
    )
