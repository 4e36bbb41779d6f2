"""Front-line blockers read for pages and for the agenda: voices counted, the agenda rule
applied in one place."""

from datetime import date
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from accountability import stats
from accountability.models import (
    BLOCKER_AGENDA_VOICES,
    AgendaKind,
    Blocker,
    BlockerStatus,
    BlockerVoice,
)

FILTERS = ("unresolved", "open", "answered", "resolved", "all")


def _counted() -> QuerySet[Blocker]:
    """Blockers with `voice_count`: a subquery per row rather than a join grouped over every
    voice, so a page of the list (or of the API) counts the voices of its own rows only, and
    `count()` leaves it out."""
    voices = (
        BlockerVoice.objects.filter(blocker=OuterRef("pk"))
        .order_by()
        .values("blocker")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Blocker.objects.annotate(voice_count=Coalesce(Subquery(voices), Value(0)))


def blockers_with_voices() -> QuerySet[Blocker]:
    """Blockers with their department, touch point and raiser, and `voice_count`."""
    return _counted().select_related("department", "touchpoint", "raised_by")


def blockers_filtered(*, show: str, department_id: int | None) -> QuerySet[Blocker]:
    """The list's rows: the raiser is not shown there, so not joined."""
    rows = _counted().select_related("department", "touchpoint")
    if show == "unresolved":
        rows = rows.exclude(status=BlockerStatus.RESOLVED)
    elif show in BlockerStatus.values:
        rows = rows.filter(status=show)
    if department_id is not None:
        rows = rows.filter(department_id=department_id)
    return rows


def goes_on_agenda(*, voices: int, status: str, answer_due: date, meeting_day: date) -> bool:
    """Unresolved with at least BLOCKER_AGENDA_VOICES voices, or unanswered after its service
    level's last day."""
    if status == BlockerStatus.RESOLVED:
        return False
    loud = voices >= BLOCKER_AGENDA_VOICES
    overdue = status == BlockerStatus.OPEN and answer_due < meeting_day
    return loud or overdue


def blocker_severity(*, voices: int, status: str, answer_due: date, meeting_day: date) -> float:
    """Voices, plus a day for each day past the service level while unanswered."""
    late = stats.days_past(answer_due, until=meeting_day) if status == BlockerStatus.OPEN else 0
    return float(voices + late)


def agenda_blockers(*, meeting_day: date) -> list[tuple[Blocker, float]]:
    """The blockers the meeting of `meeting_day` discusses, each with its severity."""
    rows = blockers_with_voices().exclude(status=BlockerStatus.RESOLVED)
    rows = rows.filter(
        Q(voice_count__gte=BLOCKER_AGENDA_VOICES)
        | Q(status=BlockerStatus.OPEN, answer_due__lt=meeting_day)
    ).order_by("raised_at", "pk")
    out = []
    for b in rows:
        voices: int = getattr(b, "voice_count", 0)
        severity = blocker_severity(
            voices=voices, status=b.status, answer_due=b.answer_due, meeting_day=meeting_day
        )
        out.append((b, severity))
    return out


def blocker_agenda_candidates(*, meeting_day: date) -> list[dict[str, Any]]:
    """The agenda lines of the blockers the meeting discusses (accountability.services.meetings
    adds them to the agenda with the other sections' candidates)."""
    lines = []
    for blocker, _ in agenda_blockers(meeting_day=meeting_day):
        voices: int = getattr(blocker, "voice_count", 0)
        late = blocker.past_service_level(meeting_day)
        lines.append(
            {
                "kind": AgendaKind.BLOCKER,
                "source_id": blocker.pk,
                "title": f"Blocker: {blocker.title}"[:300],
                "detail": f"{voices} voice{'s' if voices != 1 else ''}"
                + (" · unanswered past its service level" if late else ""),
                "department_id": blocker.department_id,
            }
        )
    return lines


def blocker_counts(*, today: date) -> dict[int, tuple[int, int]]:
    """Per department: (unresolved blockers, of which unanswered past their service level — the
    model's `past_service_level`: open and `answer_due < today`)."""
    rows = (
        Blocker.objects.exclude(status=BlockerStatus.RESOLVED)
        .values("department_id")
        .annotate(
            unresolved=Count("id"),
            late=Count("id", filter=Q(status=BlockerStatus.OPEN, answer_due__lt=today)),
        )
    )
    return {row["department_id"]: (row["unresolved"], row["late"]) for row in rows}
