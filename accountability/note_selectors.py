"""Reads of change notes ("You said, we did") the pages, the API and the board pack share."""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.db.models import Prefetch, QuerySet
from django.db.models.functions import TruncQuarter
from django.utils import timezone

from accountability.models import ChangeNote
from metrics.models import Grain, Journey, Touchpoint
from metrics.selectors import period_after

QUARTER = re.compile(r"(?P<year>\d{4})-Q(?P<number>[1-4])")


@dataclass(frozen=True)
class Period:
    """A calendar quarter of publication, named as in the board pack ("2026-Q4")."""

    start: date

    @property
    def end(self) -> date:
        """The first day after the quarter."""
        return period_after(Grain.QUARTER, self.start)

    @property
    def slug(self) -> str:
        return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"

    @property
    def label(self) -> str:
        return self.slug.replace("-", " ")

    @classmethod
    def parse(cls, text: str) -> "Period | None":
        match = QUARTER.fullmatch(text or "")
        if match is None:
            return None
        return cls(date(int(match["year"]), 3 * int(match["number"]) - 2, 1))


@dataclass
class JourneyNotes:
    journey: Journey
    notes: list[ChangeNote] = field(default_factory=list)


def change_notes() -> QuerySet[ChangeNote]:
    """Every note with what its card shows, newest first (four queries whatever the count)."""
    return ChangeNote.objects.select_related(
        "cx_issue__department", "initiative__department", "published_by"
    ).prefetch_related(
        Prefetch("touchpoints", queryset=Touchpoint.objects.select_related("stage__journey")),
        "themes",
    )


def change_notes_in(period: Period | None) -> QuerySet[ChangeNote]:
    notes = change_notes()
    if period is None:
        return notes
    return notes.filter(
        published_at__gte=_midnight(period.start), published_at__lt=_midnight(period.end)
    )


def notes_by_journey(
    *, journey_id: int | None = None, period: Period | None = None
) -> list[JourneyNotes]:
    """The notes under each journey their touch points are on (a note answering touch points of
    two journeys is under both), journeys in their order, notes newest first."""
    groups: dict[int, JourneyNotes] = {}
    notes = change_notes_in(period)
    if journey_id is not None:
        notes = notes.filter(touchpoints__stage__journey_id=journey_id).distinct()
    for note in notes:
        for journey in {
            tp.stage.journey_id: tp.stage.journey for tp in note.touchpoints.all()
        }.values():
            if journey_id is not None and journey.pk != journey_id:
                continue
            groups.setdefault(journey.pk, JourneyNotes(journey)).notes.append(note)
    return sorted(groups.values(), key=lambda group: (group.journey.order, group.journey.name))


def note_periods() -> list[Period]:
    """The quarters notes were published in, newest first (the page's period choices)."""
    starts = (
        ChangeNote.objects.annotate(quarter=TruncQuarter("published_at"))
        .values_list("quarter", flat=True)
        .distinct()
        .order_by("-quarter")
    )
    return [Period(_as_date(start)) for start in starts]


def _as_date(value: date | datetime) -> date:
    return timezone.localdate(value) if isinstance(value, datetime) else value


def _midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
