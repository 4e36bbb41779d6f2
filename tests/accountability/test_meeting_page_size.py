"""The meeting page stays small with a long agenda: 60 items fit in 120 KB of HTML."""

import pytest
from django.urls import reverse

from accountability import services
from accountability.demo import long_agenda
from accountability.models import AgendaItem
from tests.accountability.factories import MeetingFactory, MeetingSeriesFactory
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

LIMIT = 120 * 1024


@pytest.fixture
def long_meeting(cco):
    for index in range(6):
        department = DepartmentFactory(name=f"Department {index}", slug=f"department-{index}")
        for person in range(4):
            UserFactory(
                username=f"person-{index}-{person}",
                role="contributor" if person else "department_head",
                department=department,
            )
    meeting = MeetingFactory(series=MeetingSeriesFactory(chair=cco, duration_minutes=60))
    services.meeting_open(meeting_id=meeting.pk, actor=cco)
    AgendaItem.objects.filter(meeting=meeting).delete()
    long_agenda(meeting=meeting, actor=cco, items=60, parked=10)
    return meeting


def test_the_opened_page_with_sixty_agenda_items_is_at_most_120_kb(client_for, cco, long_meeting):
    assert long_meeting.agenda.count() == 60

    response = client_for(cco).get(reverse("accountability:meeting-run", args=[long_meeting.pk]))

    assert response.status_code == 200
    print(f"meeting_page_bytes={len(response.content)}")
    assert len(response.content) <= LIMIT
