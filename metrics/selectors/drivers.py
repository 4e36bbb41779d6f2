"""The driver analyses as pages, the board pack and the roadmap read them (one query)."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from metrics.models import DriverAnalysis, DriverOutcome


@dataclass(frozen=True)
class Drivers:
    outcome: str
    label: str
    customers: int
    enough: bool
    refusal: str
    ranked: list[dict[str, Any]] = field(default_factory=list)  # estimated, first = strongest
    too_few: list[dict[str, Any]] = field(default_factory=list)  # listed without a figure


def driver_analyses(touchpoint_ids: Iterable[int] | None = None) -> dict[str, Drivers | None]:
    """Each outcome's drivers (None when never computed), optionally only these touch points
    (a journey's page): their order and figures are the whole analysis's, not refitted."""
    wanted = set(touchpoint_ids) if touchpoint_ids is not None else None
    found: dict[str, Drivers | None] = {outcome: None for outcome in DriverOutcome.values}
    for analysis in DriverAnalysis.objects.all():
        rows = [row for row in analysis.drivers if wanted is None or row["touchpoint_id"] in wanted]
        found[analysis.outcome] = Drivers(
            outcome=analysis.outcome,
            label=analysis.get_outcome_display(),
            customers=analysis.customers,
            enough=analysis.enough,
            refusal=analysis.refusal,
            ranked=[row for row in rows if row.get("estimated")],
            too_few=[row for row in rows if not row.get("estimated")],
        )
    return found


def driver_for_touchpoint(touchpoint_id: int) -> dict[str, dict[str, Any] | None]:
    """One touch point's figures in each analysis (the roadmap's cited driver)."""
    return {
        outcome: next(iter(drivers.ranked), None) if drivers else None
        for outcome, drivers in driver_analyses([touchpoint_id]).items()
    }
