"""The owning head publishes a change note from a resolved CX issue on a phone (390×844) and
everyone reads it on "You said, we did", without sideways scrolling."""

import pytest

from accountability.models import ChangeNote, CXIssueStatus
from tests.accountability.factories import CXIssueFactory
from tests.conftest import CHROMIUM
from tests.metrics.factories import TouchpointFactory

pytestmark = pytest.mark.browser

PASSWORD = "a-change-note-password"
SCREENSHOT = "test-artifacts/you-said-we-did-phone.png"


def _no_sideways_scroll(page) -> None:  # type: ignore[no-untyped-def]
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"sideways scroll on {page.url}: {widths}"


@pytest.mark.django_db(transaction=True)
def test_a_head_publishes_a_note_from_a_resolved_issue_and_it_shows_by_journey(
    monkeypatch, live_server, head_b, department_b
):
    from playwright.sync_api import expect, sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    head_b.set_password(PASSWORD)
    head_b.save()
    touchpoint = TouchpointFactory(department=department_b, name="Invoice query")
    issue = CXIssueFactory(
        department=department_b, touchpoint=touchpoint, status=CXIssueStatus.RESOLVED,
        title="Refunds take a month", root_cause="Three approvals", remediation_plan="One",
    )  # fmt: skip
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.set_default_timeout(15_000)
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.goto(f"{live_server.url}/login/?next={issue.get_absolute_url()}")
        page.fill("input[name=username]", head_b.username)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"**{issue.get_absolute_url()}")
        _no_sideways_scroll(page)
        page.get_by_label("What you said").fill("Refunds took a month")
        page.get_by_label("What we did").fill("One approval instead of three")
        choice = page.get_by_label(f"{touchpoint.stage.journey.name} · Invoice query")
        expect(choice).to_be_checked()
        page.get_by_role("button", name="Publish").click()
        expect(page.get_by_text("Change note published.")).to_be_visible()
        _no_sideways_scroll(page)
        page.get_by_role("navigation", name="Main").get_by_role(
            "link", name="You said, we did"
        ).click()
        section = page.get_by_role("region", name=touchpoint.stage.journey.name)
        expect(section.get_by_text("One approval instead of three")).to_be_visible()
        _no_sideways_scroll(page)
        page.screenshot(path=SCREENSHOT, full_page=True)
        browser.close()
    assert ChangeNote.objects.get().cx_issue == issue
    assert errors == []
