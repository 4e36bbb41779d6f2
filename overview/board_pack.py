"""The quarterly board pack: what the board reads about customer experience, one quarter at a
time, as a PDF (overview/board_pack_pdf.py draws it).

Every figure comes from the selectors the pages use — the overview's tiles, journey map,
scorecard and roadmap health, metrics' NPS series and say versus do, accountability's issues
and decisions — so the pack never disagrees with the screen. Nothing is recomputed here.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.utils import timezone

from accountability import selectors as accountability_selectors
from accountability.note_selectors import Period, change_notes_in
from metrics.selectors import (
    Grain,
    SayDoScope,
    Scope,
    ScorePoint,
    period_after,
    period_start_of,
    say_do_by_scope,
    score_series,
)
from overview import selectors
from overview.filters import DashboardFilters
from roadmap import selectors as roadmap_selectors

QUARTER_PATTERN = re.compile(r"(?P<year>\d{4})-Q(?P<quarter>[1-4])")
TOP_ISSUES = 8


@dataclass(frozen=True)
class Quarter:
    year: int
    number: int

    @property
    def start(self) -> date:
        return date(self.year, 3 * (self.number - 1) + 1, 1)

    @property
    def end(self) -> date:
        return period_after(Grain.QUARTER, self.start) - timedelta(days=1)

    @property
    def label(self) -> str:
        return f"{self.year} Q{self.number}"

    @property
    def slug(self) -> str:
        return f"{self.year}-Q{self.number}"

    @classmethod
    def parse(cls, text: str) -> "Quarter | None":
        """ "2026-Q3" → Quarter(2026, 3); None for anything else (e.g. 2026-Q5, 26-Q1)."""
        match = QUARTER_PATTERN.fullmatch(text)
        if match is None or int(match["year"]) < 1900:
            return None
        return cls(int(match["year"]), int(match["quarter"]))

    @classmethod
    def containing(cls, day: date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    def previous(self) -> "Quarter":
        return Quarter.containing(self.start - timedelta(days=1))


@dataclass
class BoardPack:
    quarter: Quarter
    until: date  # the quarter's end, or today while it runs
    built_on: date
    overview: selectors.Overview
    trend: list[ScorePoint]  # organisation NPS by month, the four quarters to this one's end
    say_do: SayDoScope | None  # the organisation's
    say_do_departments: list[SayDoScope]
    accomplishments: list
    results: list  # expected results with their readings and verdicts
    returns: list  # initiatives with a budget or a result in money, with their return
    issues: list[Any]  # accountability's open CX issues, oldest first
    decisions: list[Any]  # decisions recorded in the quarter, latest first
    change_notes: list[Any]  # "You said, we did" notes published in the quarter, latest first

    @property
    def has_responses(self) -> bool:
        return self.overview.tiles.responses_total > 0

    @property
    def is_empty(self) -> bool:
        """Nothing happened in the quarter that the pack could report."""
        return not (
            self.has_responses or self.accomplishments or self.decisions or self.trend_has_data
        )

    @property
    def trend_has_data(self) -> bool:
        return any(point.n for point in self.trend)


def board_pack_data(quarter: Quarter, *, today: date | None = None) -> BoardPack:
    today = today or timezone.localdate()
    until = min(quarter.end, today)
    filters = DashboardFilters(
        period="custom",
        start=quarter.start,
        end=until,
        grain=Grain.MONTH,
        journey=None,
        department=None,
    )
    data = selectors.overview(filters)
    year_before = period_start_of(Grain.MONTH, quarter.start.replace(year=quarter.year - 1))
    trend = score_series(
        metric="nps",
        scope=Scope.ORGANISATION,
        scope_id=0,
        grain=Grain.MONTH,
        start=period_after(Grain.QUARTER, year_before),
        end=until,
    )
    organisation = say_do_by_scope(scope=Scope.ORGANISATION)
    return BoardPack(
        quarter=quarter,
        until=until,
        built_on=today,
        overview=data,
        trend=trend,
        say_do=organisation[0] if organisation else None,
        say_do_departments=say_do_by_scope(scope=Scope.DEPARTMENT),
        accomplishments=roadmap_selectors.key_accomplishments(start=quarter.start, end=until),
        results=(results := roadmap_selectors.current_results(on=until)),
        returns=roadmap_selectors.initiative_returns(results),
        issues=list(accountability_selectors.open_cx_issues()[:TOP_ISSUES]),
        decisions=accountability_selectors.decisions_between(start=quarter.start, end=until),
        change_notes=list(change_notes_in(Period(quarter.start))),
    )
