"""The CCO runs a meeting in a real browser: htmx partials, the timer, no CSP refusals."""

import pytest
from django.core import mail

from accountability.models import ActionItem, Decision, Meeting, MeetingStatus
from tests.accountability.factories import CXIssueFactory, MeetingFactory, MeetingSeriesFactory
from tests.conftest import CHROMIUM

# The browser marker skips it where Chromium is absent (and fails it on CI): tests/conftest.py.
pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_the_cco_runs_a_meeting_without_page_reloads(
    monkeypatch, live_server, cco, head_a, department_a
):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # plain synchronous calls that Django would otherwise refuse. Scoped to this test only.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

    cco.set_password("a-meeting-password")
    cco.save()
    series = MeetingSeriesFactory(chair=cco, name="Customer accountability session")
    series.attendees.set([head_a])
    CXIssueFactory(department=department_a, title="Hold music loops forever")
    meeting = MeetingFactory(series=series)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        page.set_default_timeout(15_000)
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda error: errors.append(str(error)))
        run_url = f"/accountability/meetings/{meeting.pk}/"
        page.goto(f"{live_server.url}/login/?next={run_url}")
        page.fill("input[name=username]", cco.username)
        page.fill("input[name=password]", "a-meeting-password")
        page.click("button[type=submit]")
        page.wait_for_url(f"**{run_url}")
        page.click("text=Open the meeting and build the agenda")
        page.wait_for_selector("#meeting-timer")
        # A marker on the window survives only while the page is never reloaded.
        page.evaluate("window.sameVisit = true")

        row = page.locator(f"#attendance-{head_a.pk}")
        row.locator("input[name=present]").check()
        page.wait_for_timeout(300)
        page.locator(f"#attendance-{head_a.pk} input[name=rating]").fill("8")
        page.locator(f"#attendance-{head_a.pk} input[name=rating]").dispatch_event("change")
        issue = page.locator("article.agenda-item", has_text="Hold music loops forever")
        issue.locator("textarea[name=notes]").fill("The night rota has one agent")
        issue.locator("input[name=discussed]").check()
        issue.locator("button:has-text('Save')").click()
        page.wait_for_selector("article.agenda-item.discussed")
        issue = page.locator("article.agenda-item", has_text="Hold music loops forever")
        issue.get_by_role("button", name="Decision", exact=True).click()
        page.locator("#decision-dialog textarea[name=text]").fill("Add a second night agent")
        page.locator("#decision-dialog button:has-text('Record')").click()
        page.wait_for_selector("#decisions li:has-text('Add a second night agent')")
        issue.get_by_role("button", name="Action item", exact=True).click()
        page.locator("#action-dialog input[name=title]").fill("Roster a second night agent")
        page.locator("#action-dialog button:has-text('Add action item')").click()
        page.wait_for_selector("#meeting-actions li:has-text('Roster a second night agent')")
        assert page.evaluate("window.sameVisit") is True
        assert page.locator(".timer-elapsed").inner_text() != ""

        page.click("text=Close and send the minutes")
        page.wait_for_selector("h1:has-text('Minutes')")
        minutes = page.content()
        browser.close()

    assert "Add a second night agent" in minutes and "Roster a second night agent" in minutes
    assert errors == []
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.CLOSED
    assert meeting.attendance.get(person=head_a).rating == 8
    assert Decision.objects.get().cx_issue is not None
    assert ActionItem.objects.get().department == department_a
    assert Meeting.objects.filter(status=MeetingStatus.SCHEDULED).count() == 1
    assert {message.to[0] for message in mail.outbox} >= {"head-a@example.com"}
