"""The demo's pulse rounds differ between departments and respect the minimum; its blockers
cover every state and the loud and late ones reach the agenda."""

import pytest
from django.utils import timezone

from accountability import pulse_stats
from accountability.blocker_selectors import agenda_blockers
from accountability.models import ActionItem, Blocker, BlockerStatus, PulseParticipation, PulseRound
from accountability.pulse_demo import seed_pulse_and_blockers
from cco.models import Role
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_pulse_rounds_and_blockers_in_every_state(cco, department_a, department_b):
    DepartmentFactory(name="Claims", slug="claims")
    for i in range(4):
        UserFactory(username=f"demo-{i}", role=Role.CONTRIBUTOR, department=department_a)
    counts = seed_pulse_and_blockers()
    assert counts["rounds"] == PulseRound.objects.count() == 4
    assert not PulseParticipation.objects.exists()
    today = timezone.localdate()
    closed = PulseRound.objects.filter(closes_on__lt=today).order_by("closes_on")
    assert closed.count() == 3
    shown_values = set()
    withheld = 0
    for round_ in closed:
        for line in pulse_stats.round_results(round_, today=today):
            if line.shown:
                assert line.n >= round_.min_group
                shown_values.add(round(line.enps.value))
            else:
                withheld += 1
    assert len(shown_values) > 3 and withheld >= 1
    states = set(Blocker.objects.values_list("status", flat=True))
    assert states == set(BlockerStatus.values)
    assert ActionItem.objects.filter(blocker__isnull=False).count() == 1
    on_agenda = {b.title for b, _ in agenda_blockers(meeting_day=today)}
    assert len(on_agenda) == 2
    # Seeding again adds nothing.
    assert seed_pulse_and_blockers()["rounds"] == 0
