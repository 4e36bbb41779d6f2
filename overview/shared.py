"""What every view of the overview shows alike, whatever its filters: say versus do, the
drivers, the follow-up cases' and the blockers' figures (overall and per department, so the
tiles can follow the department filter) and the pulse's relation to customers' NPS.
overview.panels reads them once per data version for every filter."""

from dataclasses import dataclass

from django.utils import timezone

from accountability import blocker_selectors, pulse_relation
from accountability.followup_selectors import (
    followup_figures_by_department,
    followup_figures_overall,
)
from accountability.stats import NO_FOLLOWUPS, FollowupFigures
from metrics.selectors import SayDo, say_do_summary
from metrics.selectors.drivers import Drivers, driver_analyses


@dataclass(frozen=True)
class SharedFigures:
    """What every view of the overview shows alike, whatever its filters: read once per data
    version and shared by every filter combination (overview.panels caches it)."""

    say_do: SayDo
    drivers: dict[str, Drivers | None]
    followups_overall: FollowupFigures
    followups_by_department: dict[int, FollowupFigures]
    # Per department: (unresolved blockers, of which unanswered past their service level).
    blocker_counts: dict[int, tuple[int, int]]
    relation: pulse_relation.Relation

    def followups(self, department_id: int | None) -> FollowupFigures:
        if department_id is None:
            return self.followups_overall
        return self.followups_by_department.get(department_id, NO_FOLLOWUPS)


def shared_figures() -> SharedFigures:
    """About eight queries: say versus do, the drivers, the follow-up cases' figures for
    everyone and per department (both by one definition), the blockers per department and the
    latest pulse round's relation."""
    today = timezone.localdate()
    return SharedFigures(
        say_do=say_do_summary(),
        drivers=driver_analyses(),
        followups_overall=followup_figures_overall(today=today),
        followups_by_department=followup_figures_by_department(today=today),
        blocker_counts=blocker_selectors.blocker_counts(today=today),
        relation=pulse_relation.relation(today=today),
    )
