"""A contributor answers the pulse on a phone (390×844) without sideways scrolling; a blocker is
raised, voiced and reaches the agenda (issue 19)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accountability.models import AgendaItem, AgendaKind, Blocker, PulseAnswer, PulseParticipation
from accountability.services.blockers import blocker_voice
from accountability.services.meetings import agenda_build
from accountability.services.pulse import round_create
from cco.models import Role
from tests.accountability.factories import MeetingFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_contributor_answers_the_pulse_on_a_phone(
    page, live_server, sign_in, cco, contributor, screenshot
):
    today = timezone.localdate()
    round_ = round_create(
        title="Autumn pulse", department=None, opens_on=today, closes_on=today + timedelta(days=7),
        items=["I have the tools to solve the customer's problem", "I know what feedback does"],
        min_group=5, created_by=cco,
    )  # fmt: skip
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, contributor)
    page.goto(f"{live_server.url}/accountability/pulse/{round_.pk}/")
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"sideways scroll: {widths}"
    page.locator("label", has=page.locator("input[name=enps][value='9']")).click()
    for item in round_.items.all():
        page.locator("label", has=page.locator(f"input[name=item_{item.pk}][value='4']")).click()
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_text("Thank you. Your answer is saved without your name.")).to_be_visible()
    screenshot(page)
    assert PulseAnswer.objects.get().enps == 9
    assert PulseParticipation.objects.get().person == contributor
    assert page.console_errors == []


def test_a_blocker_is_raised_voiced_and_reaches_the_agenda(
    page, live_server, sign_in, contributor, department_b
):
    sign_in(page, contributor)
    page.goto(f"{live_server.url}/accountability/blockers/")
    page.get_by_label("What is in the way").fill("Refunds need three approvals")
    page.get_by_label("Department that can remove it").select_option(label="Billing")
    page.get_by_role("button", name="Raise").click()
    expect(page.get_by_role("heading", name="1 voice")).to_be_visible()
    blocker = Blocker.objects.get()
    for i in range(2):
        blocker_voice(
            actor=UserFactory(username=f"colleague-{i}", role=Role.CONTRIBUTOR), blocker=blocker
        )
    meeting = MeetingFactory()
    agenda_build(meeting=meeting)
    line = AgendaItem.objects.get(meeting=meeting, kind=AgendaKind.BLOCKER)
    assert line.source_id == blocker.pk and "3 voices" in line.detail
    assert page.console_errors == []
