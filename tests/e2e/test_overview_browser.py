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
    expect(page).to_have_url(re.compile(rf"journey={journey}&department=$"))
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
