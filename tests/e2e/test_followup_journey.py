"""A detractor's answer arrives by webhook, becomes a case on the head's pages, is worked in the
browser and closed, and the department's close-the-loop rate moves (issue 17)."""

import json
import urllib.request
from datetime import UTC, datetime

import pytest
from django.core.cache import cache
from playwright.sync_api import expect
from standardwebhooks.webhooks import Webhook

from accountability.models import FollowupCase
from metrics.services.webhooks import webhook_source_create
from tests.metrics.factories import TouchpointFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _deliver(url: str, secret: str, body: dict) -> dict:
    text = json.dumps(body)
    at = datetime.now(tz=UTC)
    request = urllib.request.Request(  # noqa: S310 - the live test server on loopback
        url,
        data=text.encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "webhook-id": "journey-1",
            "webhook-timestamp": str(int(at.timestamp())),
            "webhook-signature": Webhook(secret).sign("journey-1", at, text),
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return json.loads(response.read())


def test_a_webhook_detractor_is_called_back_and_closes_the_loop(
    page, live_server, sign_in, head_a, department_a, screenshot
):
    cache.clear()
    touchpoint = TouchpointFactory(department=department_a, slug="phone-support")
    _, secret = webhook_source_create(slug="survey", name="Survey", shape="native")
    answer = _deliver(
        f"{live_server.url}/api/webhooks/responses/survey/",
        secret,
        {
            "external_id": "r-1",
            "touchpoint": touchpoint.slug,
            "metric": "nps",
            "score": 2,
            "responded_at": datetime.now(tz=UTC).isoformat(),
            "customer_id": "C-2024",
        },
    )
    assert answer["inserted"] == 1
    case = FollowupCase.objects.get()

    sign_in(page, head_a)
    section = page.locator(".followup-figures")
    expect(section).to_contain_text("none closed or past due yet")
    section.get_by_role("link", name="the cases").click()
    page.get_by_role("link", name="C-2024").click()

    card = page.locator(f"#followup-{case.pk}")
    card.get_by_label("I tried to reach the customer").check()
    card.get_by_label("Note").fill("Spoke to them: the fee was never explained")
    card.get_by_role("button", name="Record").click()
    expect(card.get_by_role("status")).to_contain_text("Saved")
    expect(card).to_contain_text("1 contact attempt")

    card.get_by_label("Root cause").select_option(label="Process")
    card.get_by_label("Outcome").select_option(label="Resolved")
    card.get_by_role("button", name="Record").click()
    expect(card).to_contain_text("outcome: Resolved")

    page.goto(f"{live_server.url}{department_a.get_absolute_url()}")
    expect(page.locator(".followup-figures")).to_contain_text("100.0% loop closed")
    case.refresh_from_db()
    assert (case.status, case.outcome, case.version) == ("closed", "resolved", 3)
    screenshot(page)
    assert page.console_errors == []
