"""The CCO sets up a standing meeting series from a page."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from accountability.models import Meeting, MeetingSeries


def test_the_cco_sets_up_a_series_with_the_heads_and_its_first_meeting(
    client_for, cco, head_a, head_b
):
    first = timezone.localdate() + timedelta(days=3)
    response = client_for(cco).post(
        "/accountability/series/new/",
        {
            "name": "Customer accountability",
            "cadence": "weekly",
            "weekday": first.weekday(),
            "start_time": "09:30",
            "duration_minutes": 60,
            "location": "Board room",
            "attendees": [head_a.pk, head_b.pk],
            "first_on": first.isoformat(),
        },
    )
    series = MeetingSeries.objects.get()
    assert response.status_code == 302
    assert response["Location"] == series.get_absolute_url()
    assert series.chair == cco
    assert set(series.attendees.all()) == {head_a, head_b}
    meeting = Meeting.objects.get(series=series)
    assert timezone.localtime(meeting.scheduled_at).date() == first


def test_a_duplicate_name_is_refused_on_the_field_and_nothing_saved(client_for, cco):
    client = client_for(cco)
    data = {
        "name": "Weekly",
        "cadence": "weekly",
        "weekday": 0,
        "start_time": "09:00",
        "duration_minutes": 60,
    }
    client.post("/accountability/series/new/", data)
    response = client.post("/accountability/series/new/", {**data, "name": "weekly"})
    assert response.status_code == 400
    assert "A series called &#x27;weekly&#x27; already exists." in response.content.decode()
    assert MeetingSeries.objects.count() == 1


def test_a_first_meeting_in_the_past_is_refused(client_for, cco):
    response = client_for(cco).post(
        "/accountability/series/new/",
        {
            "name": "Weekly",
            "cadence": "weekly",
            "weekday": 0,
            "start_time": "09:00",
            "duration_minutes": 60,
            "first_on": (timezone.localdate() - timedelta(days=1)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert "The first meeting cannot be in the past." in response.content.decode()
    assert not MeetingSeries.objects.exists()


@pytest.mark.parametrize("persona", ["executive", "head_a", "contributor", "outsider"])
def test_only_the_cco_sets_up_a_series(request, client_for, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get("/accountability/series/new/").status_code == 403
    response = client.post("/accountability/series/new/", {"name": "Mine"})
    assert response.status_code == 403
    assert not MeetingSeries.objects.exists()


def test_a_series_set_up_after_todays_meeting_time_starts_next_week(time_machine, cco):
    from accountability.services import meeting_series_create

    # An afternoon, so there is an earlier time today whatever the real clock says.
    time_machine.move_to(datetime(2026, 12, 2, 15, 0, tzinfo=timezone.get_current_timezone()))
    now = timezone.localtime()
    earlier_today = (now - timedelta(minutes=30)).time().replace(second=0, microsecond=0)
    series = meeting_series_create(
        actor=cco, name="Today", start_time=earlier_today, weekday=now.weekday()
    )
    meeting = Meeting.objects.get(series=series)
    assert meeting.scheduled_at > timezone.now()
    assert timezone.localtime(meeting.scheduled_at).date() == now.date() + timedelta(days=7)
