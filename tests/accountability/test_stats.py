"""Schedule arithmetic, scorecard figures and the ICS writer, without the database."""

from datetime import UTC, date, datetime

import pytest

from accountability import ics, stats


@pytest.mark.parametrize(
    ("cadence", "after", "anchor", "expected"),
    [
        ("weekly", date(2026, 11, 24), None, date(2026, 12, 1)),  # Tue → next Tue
        ("weekly", date(2026, 11, 23), None, date(2026, 11, 24)),  # Mon → Tue
        ("fortnightly", date(2026, 11, 24), date(2026, 11, 24), date(2026, 12, 8)),
        ("fortnightly", date(2026, 12, 2), date(2026, 11, 24), date(2026, 12, 8)),
        ("monthly", date(2026, 11, 24), None, date(2026, 12, 1)),  # first Tuesday
        ("monthly", date(2026, 12, 1), None, date(2027, 1, 5)),
    ],
)
def test_the_next_meeting_follows_the_cadence(cadence, after, anchor, expected):
    assert stats.next_meeting_date(cadence=cadence, weekday=1, after=after, anchor=anchor) == (
        expected
    )


def test_delivery_figures_ignore_work_not_yet_due():
    today = date(2026, 11, 24)
    figures = stats.delivery_figures(
        [
            (date(2026, 11, 10), date(2026, 11, 9)),  # on time
            (date(2026, 11, 10), date(2026, 11, 15)),  # 5 days late
            (date(2026, 11, 20), None),  # 4 days overdue
            (date(2026, 11, 30), None),  # not due yet
        ],
        today=today,
    )

    assert figures == stats.DeliveryFigures(
        due_count=3, done_on_time=1, overdue=1, on_time_pct=33.3, avg_days_late=4.5
    )


def test_no_work_due_gives_no_percentage_rather_than_zero():
    figures = stats.delivery_figures([], today=date(2026, 1, 1))
    assert figures.on_time_pct is None and figures.avg_days_late is None


def test_ics_text_is_escaped_and_long_lines_are_folded_without_splitting_characters():
    event = ics.CalendarEvent(
        uid="meeting-1@example.com",
        start=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
        end=datetime(2026, 12, 1, 10, 30, tzinfo=UTC),
        summary="Customer accountability; weekly, with heads",
        description="é" * 100,
    )

    text = ics.calendar_text([event], name="Meetings", now=datetime(2026, 11, 24, tzinfo=UTC))

    assert "SUMMARY:Customer accountability\\; weekly\\, with heads\r\n" in text
    assert "DTSTART:20261201T093000Z\r\n" in text
    lines = text.split("\r\n")
    assert all(len(line.encode("utf-8")) <= 75 for line in lines)
    unfolded = text.replace("\r\n ", "")
    assert "DESCRIPTION:" + "é" * 100 + "\r\n" in unfolded
