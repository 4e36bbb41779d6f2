"""What every view of the overview shows alike, whatever its filters: say versus do, the
drivers, and the follow-up cases' figures (overall and per department, so the tile can follow
the department filter). overview.panels reads them once per data version for every filter."""

from dataclasses import dataclass

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

    def followups(self, department_id: int | None) -> FollowupFigures:
        if department_id is None:
            return self.followups_overall
        return self.followups_by_department.get(department_id, NO_FOLLOWUPS)


def shared_figures() -> SharedFigures:
    """Six queries: say versus do, the drivers, and the follow-up cases' figures for everyone
    and per department (the tile follows the department filter; both by one definition)."""
    return SharedFigures(
        say_do=say_do_summary(),
        drivers=driver_analyses(),
        followups_overall=followup_figures_overall(),
        followups_by_department=followup_figures_by_department(),
    )
