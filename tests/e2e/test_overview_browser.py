"""The overview and the department pages in Chromium, as an executive and a head see them.

The URL is the state (Back and Forward bring back the controls and the charts together), and at
a laptop's and a phone's size no page scrolls sideways, every chart is drawn and the console is
clean.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e import test_journeys

pytestmark = pytest.mark.django_db(transaction=True)
scored_organisation = test_journeys.scored_organisation
LAPTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


def charts_with_data(page) -> list[int]:
    """How many points each drawn chart holds (Plotly's own record of what it drew)."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('.chart[data-figure]')).map(el =>
            el.dataset.drawn === 'true' && el.querySelector('svg.main-svg') && el.data
              ? el.data.reduce((sum, trace) => sum + ((trace.x || trace.values || []).length), 0)
              : -1)"""
    )


# What sticks out on the right, outermost first: names the culprit when a page scrolls sideways.
OVERFLOWING = """() => Array.from(document.querySelectorAll('body *'))
    .filter(el => el.getBoundingClientRect().right > window.innerWidth + 1)
    .filter(el => !el.parentElement.closest('*') ||
        el.parentElement.getBoundingClientRect().right <= window.innerWidth + 1)
    .slice(0, 8)
    .map(el => el.tagName + '.' + el.className + ' '
        + Math.round(el.getBoundingClientRect().width))"""


def expect_every_chart_drawn(page) -> list[int]:
    charts = page.locator(".chart[data-figure]")
    for index in range(charts.count()):
        expect(charts.nth(index)).to_have_attribute("data-drawn", "true")
    points = charts_with_data(page)
    assert points and all(count > 0 for count in points), points
    return points


def select_values(page) -> dict[str, str]:
    return page.evaluate(
        """() => Object.fromEntries(Array.from(document.querySelectorAll('form.filters select'))
              .map(s => [s.name, s.value]))"""
    )


def test_back_and_forward_restore_the_controls_and_the_charts_together(
    request, page, live_server, sign_in, executive, department_b
):
    request.getfixturevalue("scored_organisation")
    sign_in(page, executive)
    expect_every_chart_drawn(page)
    whole = page.locator(".period-line").inner_text()

    with page.expect_response(re.compile(r"journey=")) as first:
        page.locator("select[name=journey]").select_option(label="Billing journey")
    assert first.value.request.headers.get("hx-request") == "true"
    journey = select_values(page)["journey"]
    assert journey
    expect(page).to_have_url(re.compile(rf"journey={journey}"))
    expect(page.locator(".period-line")).to_contain_text("Billing journey")
    journey_points = expect_every_chart_drawn(page)

    page.locator("select[name=department]").select_option(label=department_b.name)
    expect(page).to_have_url(re.compile(rf"department={department_b.slug}"))
    expect(page.locator(".period-line")).to_contain_text(f"· {department_b.name} ·")
    expect_every_chart_drawn(page)

    page.go_back()
    expect(page).to_have_url(re.compile(rf"journey={journey}&department=(&|$)"))
    expect(page.locator(".period-line")).to_contain_text("Billing journey")
    expect(page.locator(".period-line")).not_to_contain_text(f"· {department_b.name} ·")
    assert select_values(page)["journey"] == journey
    assert select_values(page)["department"] == ""
    assert expect_every_chart_drawn(page) == journey_points

    page.go_back()
    expect(page.locator(".period-line")).to_have_text(whole)
    assert select_values(page)["journey"] == ""
    expect_every_chart_drawn(page)

    page.go_forward()
    expect(page.locator(".period-line")).to_contain_text("Billing journey")
    assert select_values(page)["journey"] == journey
    assert expect_every_chart_drawn(page) == journey_points
    assert page.console_errors == []


def pages_to_check(live_server, scored, department_b):
    from django.urls import reverse

    from metrics.models import Touchpoint

    touchpoint = Touchpoint.objects.get(name="Billing hotline")
    return {
        "overview": "/",
        "department": department_b.get_absolute_url(),
        "my department": reverse("accountability:my-department")
        + f"?department={department_b.slug}",
        "touch point": touchpoint.get_absolute_url(),
        "action item": scored["item_b"].get_absolute_url(),
    }


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1440x900", "390x844"])
def test_the_main_pages_fit_the_screen_draw_every_chart_and_log_no_error(
    request, page, live_server, sign_in, executive, department_b, viewport, screenshot
):
    scored = request.getfixturevalue("scored_organisation")
    page.set_viewport_size(viewport)
    sign_in(page, executive)
    for name, path in pages_to_check(live_server, scored, department_b).items():
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
        if page.locator(".chart[data-figure]").count():
            expect_every_chart_drawn(page)
        wide, inner = page.evaluate(
            "() => [document.scrollingElement.scrollWidth, window.innerWidth]"
        )
        assert wide <= inner, f"{name} at {viewport['width']} px is {wide} px wide: " + str(
            page.evaluate(OVERFLOWING)
        )
        if viewport == PHONE:
            modebars = page.locator(".modebar-container .modebar")
            assert modebars.count() == 0 or not modebars.first.is_visible(), name
    page.goto(f"{live_server.url}/")
    top = page.locator(".tiles .tile").first.bounding_box()
    assert top is not None and top["y"] + top["height"] <= viewport["height"], top
    screenshot(page)
    assert page.console_errors == []


def serious_findings(page) -> list[str]:
    """axe-core's serious and critical violations on the page as it stands, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_the_main_pages_have_no_serious_accessibility_findings(
    request, page, live_server, sign_in, executive, department_b
):
    from django.urls import reverse

    scored = request.getfixturevalue("scored_organisation")
    sign_in(page, executive)
    paths = {
        **pages_to_check(live_server, scored, department_b),
        "roadmap": reverse("roadmap:timeline"),
        "accountability": reverse("accountability:home"),
        "scorecard": reverse("accountability:scorecard"),
        "touch points": reverse("metrics:touchpoint-list"),
        "departments": reverse("department-list"),
    }
    findings = {}
    for name, path in paths.items():
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
        if page.locator(".chart[data-figure]").count():
            expect_every_chart_drawn(page)
        found = serious_findings(page)
        if found:
            findings[name] = found
    assert findings == {}
    assert page.console_errors == []


def test_the_sign_in_page_has_no_serious_accessibility_findings(page, live_server):
    page.goto(f"{live_server.url}/login/")
    assert serious_findings(page) == []
