"""The overview's front-line panel: blockers unresolved and unanswered past their service level,
compliments from customers in the period, and the relation between employees' eNPS and
customers' NPS across departments — each read from the accountability module that defines it.

The blockers and the relation are the same for every filter (overview.shared, read once per data
version); the panel is cached with the others (overview.panels). The relation's figures are
rendered only for pulse readers, whose panels HTML is cached apart."""

from dataclasses import dataclass

from accountability import compliment_selectors, pulse_relation
from overview.filters import DashboardFilters
from overview.shared import SharedFigures


@dataclass(frozen=True)
class FrontLinePanel:
    open_blockers: int
    late_blockers: int
    compliments: int
    relation: pulse_relation.Relation
    caveat: str = pulse_relation.CAVEAT


def front_line_panel(filters: DashboardFilters, alike: SharedFigures) -> FrontLinePanel:
    department_id = filters.department.pk if filters.department else None
    counts = alike.blocker_counts
    if department_id is not None:
        counts = {k: v for k, v in counts.items() if k == department_id}
    return FrontLinePanel(
        open_blockers=sum(open_ for open_, _ in counts.values()),
        late_blockers=sum(late for _, late in counts.values()),
        compliments=compliment_selectors.compliment_count(
            start=filters.start, end=filters.end, department_id=department_id
        ),
        relation=alike.relation,
    )
