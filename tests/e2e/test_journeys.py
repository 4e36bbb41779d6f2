"""The three people's journeys (issue 7), in Chromium against the live test server.

Each signs in through the real login form, under the real Content-Security-Policy; a console
error (a refused script, a JavaScript exception) fails the journey. The last page of each is
saved to test-artifacts/.
"""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def _post_from_the_browser(page, path: str, form: dict) -> int:
    """POST as the signed-in browser would, session cookie and CSRF token included."""
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    response = page.request.post(
        path, form=form, headers={"X-CSRFToken": token, "Referer": page.url}
    )
    return response.status


def _expect_every_chart_drawn(page) -> int:
    charts = page.locator(".chart[data-figure]")
    count = charts.count()
    for index in range(count):
        chart = charts.nth(index)
        expect(chart).to_have_attribute("data-drawn", "true")
        expect(chart.locator("svg.main-svg").first).to_be_visible()
    return count


@pytest.fixture
def scored_organisation(department_a, department_b, head_a, head_b, cco):
    """Two departments with scored touch points on a journey, a current roadmap, and work."""
    from metrics.services import rollup_rebuild
    from tests.accountability.factories import ActionItemFactory
    from tests.metrics.factories import JourneyStageFactory, TouchpointFactory, responses
    from tests.roadmap.factories import ExpectedResultFactory, InitiativeFactory

    stage = JourneyStageFactory(name="Pay a bill", journey__name="Billing journey")
    phone = TouchpointFactory(
        stage=stage, name="Billing hotline", department=department_b, nps_floor=0
    )
    web = TouchpointFactory(stage=stage, name="Self-service bills", department=department_a)
    now = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0)
    for days_ago in (5, 20, 40, 70):
        when = now - timedelta(days=days_ago)
        responses(phone, "nps", [10, 9, 9, 8, 7, 3, 2, 10, 9, 6] * 3, when)
        responses(web, "nps", [10, 10, 9, 9, 9, 8, 7, 5, 9, 10] * 3, when)
    rollup_rebuild()
    initiative = InitiativeFactory(
        title="Answer every bill question first time", department=department_b
    )
    ExpectedResultFactory(initiative=initiative)
    return {
        "item_a": ActionItemFactory(
            title="Publish the new bill explainer", department=department_a
        ),
        "item_b": ActionItemFactory(title="Retrain the billing hotline", department=department_b),
    }


def test_executive_reads_the_overview_drills_down_downloads_and_cannot_change_anything(
    page, live_server, sign_in, executive, department_b, scored_organisation, screenshot
):
    sign_in(page, executive)
    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="Customer experience overview")).to_be_visible()
    assert _expect_every_chart_drawn(page) >= 3

    # Change the period: the panels are swapped in place and the address remembers it.
    before = page.locator(".period-line").inner_text()
    page.get_by_label("Period").select_option(label="Last 12 months")
    expect(page).to_have_url(re.compile(r"period=year"))
    expect(page.locator(".period-line")).not_to_have_text(before)
    assert _expect_every_chart_drawn(page) >= 3

    # A chart's CSV is exactly its data.
    with page.expect_download() as download:
        page.locator("#trend-title").locator("..").get_by_role("link", name="Download CSV").click()
    rows = list(csv.reader(io.StringIO(open(download.value.path()).read())))
    assert len(rows) >= 2 and all(len(row) == len(rows[0]) for row in rows)

    # No edit control anywhere on what an executive sees.
    assert page.locator("form[method=post]:not([action$='/logout/'])").count() == 0
    page.get_by_role("link", name=department_b.name, exact=True).first.click()
    expect(page).to_have_url(re.compile(re.escape(department_b.get_absolute_url())))
    expect(page.get_by_role("heading", name=department_b.name, exact=True, level=1)).to_be_visible()
    item = scored_organisation["item_b"]
    page.get_by_role("link", name=item.title).click()
    expect(page.get_by_role("heading", name=item.title, level=1)).to_be_visible()
    assert page.locator("form[method=post]:not([action$='/logout/'])").count() == 0
    expect(page.get_by_role("button", name="Save")).to_have_count(0)

    # Posting the form by hand is refused, and nothing changes.
    status = _post_from_the_browser(
        page, page.url, {"status": "done", "note": "closing it myself", "version": item.version}
    )
    assert status == 403
    item.refresh_from_db()
    assert item.status != "done"
    screenshot(page)
    assert page.console_errors == []


def test_department_head_updates_their_item_sees_the_history_and_is_refused_elsewhere(
    page, live_server, sign_in, head_a, department_a, scored_organisation, screenshot
):
    own, other = scored_organisation["item_a"], scored_organisation["item_b"]
    sign_in(page, head_a)
    expect(page).to_have_url(f"{live_server.url}{department_a.get_absolute_url()}")
    expect(page.get_by_role("heading", name=department_a.name, exact=True, level=1)).to_be_visible()

    page.get_by_role("link", name=own.title).first.click()
    card = page.locator(f"#action-{own.pk}")
    card.get_by_label("Status").select_option(label="In progress")
    card.get_by_label("Progress note").fill("Draft with the designers; ships Friday")
    card.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status").filter(has_text="Saved")).to_be_visible()
    page.reload()
    history = page.locator(".history")
    expect(history).to_contain_text("Draft with the designers; ships Friday")
    expect(history).to_contain_text("open → in_progress")

    # Another department's item: readable, but no form, and a hand-made post is refused.
    page.goto(f"{live_server.url}{other.get_absolute_url()}")
    expect(page.get_by_role("heading", name=other.title, level=1)).to_be_visible()
    expect(page.get_by_role("button", name="Save")).to_have_count(0)
    status = _post_from_the_browser(
        page, page.url, {"status": "done", "note": "not mine", "version": other.version}
    )
    assert status == 403
    other.refresh_from_db()
    assert other.status == "open" and other.version == 1
    screenshot(page)
    assert page.console_errors == []


def test_cco_runs_the_meeting_from_a_breach_to_the_minutes_then_plans_on_the_roadmap(
    page, live_server, sign_in, cco, head_b, department_b, screenshot
):
    from tests.accountability.factories import BreachFactory, MeetingFactory, MeetingSeriesFactory
    from tests.metrics.factories import TouchpointFactory
    from tests.roadmap.factories import PillarFactory

    touchpoint = TouchpointFactory(name="Billing hotline", department=department_b, nps_floor=10)
    BreachFactory(touchpoint=touchpoint)
    series = MeetingSeriesFactory(chair=cco, name="Customer accountability session")
    series.attendees.set([head_b])
    MeetingFactory(series=series)
    pillar = PillarFactory(name="Effortless billing")

    sign_in(page, cco)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Accountability").click()
    page.get_by_role("link", name="Prepare and run").first.click()
    page.get_by_role("button", name="Open the meeting and build the agenda").click()
    page.wait_for_selector("#meeting-timer")

    # The agenda carries the CX issue the breach raised against the accountable department.
    issue = page.locator("article.agenda-item", has_text="Billing hotline")
    expect(issue).to_be_visible()
    expect(issue).to_contain_text(department_b.name)

    row = page.locator(f"#attendance-{head_b.pk}")
    row.locator("input[name=present]").check()
    expect(page.locator(f"#attendance-{head_b.pk} input[name=present]")).to_be_checked()
    issue.get_by_role("button", name="Decision", exact=True).click()
    dialog = page.locator("#decision-dialog")
    dialog.locator("textarea[name=text]").fill("Add two agents to the billing hotline")
    dialog.get_by_role("button", name="Record").click()
    expect(page.locator("#decisions")).to_contain_text("Add two agents to the billing hotline")
    issue = page.locator("article.agenda-item", has_text="Billing hotline")
    issue.get_by_role("button", name="Action item", exact=True).click()
    page.locator("#action-dialog input[name=title]").fill("Hire two billing agents")
    page.locator("#action-dialog").get_by_role("button", name="Add action item").click()
    expect(page.locator("#meeting-actions")).to_contain_text("Hire two billing agents")

    page.get_by_role("button", name="Close and send the minutes").click()
    expect(page.get_by_role("heading", name=re.compile("Minutes"))).to_be_visible()
    minutes = page.locator("main")
    expect(minutes).to_contain_text("Add two agents to the billing hotline")
    expect(minutes).to_contain_text("Hire two billing agents")
    expect(minutes).to_contain_text(str(head_b))

    # The roadmap: a new initiative with the result it must deliver, shown on the timeline.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Roadmap").click()
    page.get_by_role("link", name="New initiative").click()
    page.get_by_label("Pillar").select_option(label=pillar.name)
    page.get_by_label("Title").fill("One-call billing resolution")
    page.get_by_label("Department").select_option(label=department_b.name)
    year = timezone.localdate().year
    page.get_by_label("Start date").fill(f"{year}-01-01")
    page.get_by_label("End date").fill(f"{year + 1}-12-31")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="One-call billing resolution")).to_be_visible()
    initiative_path = page.url.removeprefix(live_server.url)
    page.get_by_role("link", name="State an expected result").click()
    page.get_by_label("Measure").select_option(label="NPS")
    page.get_by_label("Scope").select_option(label=f"Department: {department_b.name}")
    page.get_by_label("Typed baseline").fill("5")
    page.get_by_label("Target").fill("25")
    page.get_by_label("By date").fill(f"{year + 1}-12-31")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("expected result was saved")
    expect(page.locator("main")).to_contain_text("Billing")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Roadmap").click()
    expect(page.get_by_role("link", name="One-call billing resolution")).to_be_visible()
    assert _expect_every_chart_drawn(page) >= 1
    # The drawn timeline has a bar for it that opens the initiative.
    links = page.evaluate(
        "() => JSON.parse(document.getElementById('timeline-figure').textContent)"
        ".data.flatMap(trace => (trace.customdata || []).flat())"
    )
    assert initiative_path in links, links
    expect(page.locator(".roadmap-chart .bars path").first).to_be_visible()
    screenshot(page)
    assert page.console_errors == []
