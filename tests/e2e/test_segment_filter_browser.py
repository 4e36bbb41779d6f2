"""The overview's segment and channel filters in Chromium: one request per change, the URL is
the state, Back and Forward bring back the controls, the breakdown charts and the headline."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e import test_journeys
from tests.e2e.test_overview_browser import expect_every_chart_drawn, select_values

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]
scored_organisation = test_journeys.scored_organisation


@pytest.fixture
def segmented_organisation(scored_organisation):
    """The scored organisation, with the self-service touch point on the web and answers from
    enterprises (warm) and consumers (cold) there."""
    from metrics.models import SurveyResponse, Touchpoint
    from metrics.services import rollup_rebuild
    from metrics.services.segments import segment_rollup_rebuild

    web = Touchpoint.objects.get(name="Self-service bills")
    web.channel = "web"
    web.save()
    at = timezone.now().replace(hour=12, minute=0, second=0, microsecond=0) - timedelta(days=4)
    SurveyResponse.objects.bulk_create(
        SurveyResponse(touchpoint=web, metric="nps", score=score, responded_at=at, source="e2e",
                       external_id=f"seg-{segment}-{i}", segment=segment)
        for segment, score in (("Enterprise", 10), ("Consumer", 2))
        for i in range(40)
    )  # fmt: skip
    rollup_rebuild()
    segment_rollup_rebuild()
    return scored_organisation


def test_segment_and_channel_filters_keep_the_url_as_the_state(
    page, live_server, sign_in, executive, segmented_organisation
):
    sign_in(page, executive)
    expect_every_chart_drawn(page)
    expect(page.locator("#breakdown-title")).to_be_visible()
    whole = page.locator(".period-line").inner_text()

    with page.expect_response(re.compile(r"segment=Enterprise")) as first:
        page.locator("select[name=segment]").select_option("Enterprise")
    assert first.value.request.headers.get("hx-request") == "true"
    expect(page).to_have_url(re.compile(r"segment=Enterprise"))
    expect(page.locator(".period-line")).to_contain_text("Enterprise")
    expect(page.locator(".tiles .tile").first).to_contain_text("Organisation NPS · Enterprise")
    enterprise_points = expect_every_chart_drawn(page)

    page.locator("select[name=channel]").select_option("web")
    expect(page).to_have_url(re.compile(r"segment=Enterprise&channel=web"))
    expect(page.locator(".period-line")).to_contain_text("Enterprise · Web")
    expect_every_chart_drawn(page)

    page.go_back()
    expect(page).to_have_url(re.compile(r"segment=Enterprise&channel=$"))
    expect(page.locator(".period-line")).not_to_contain_text("· Web")
    assert select_values(page)["segment"] == "Enterprise"
    assert select_values(page)["channel"] == ""
    assert expect_every_chart_drawn(page) == enterprise_points

    page.go_back()
    expect(page.locator(".period-line")).to_have_text(whole)
    assert select_values(page)["segment"] == ""
    expect_every_chart_drawn(page)

    page.go_forward()
    expect(page.locator(".period-line")).to_contain_text("Enterprise")
    assert select_values(page)["segment"] == "Enterprise"
    assert expect_every_chart_drawn(page) == enterprise_points
    assert page.console_errors == []
