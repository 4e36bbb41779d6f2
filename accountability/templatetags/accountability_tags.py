from typing import Any

from django import template

from accountability import followup_selectors, selectors, stats
from accountability.cutoffs import delivery_cutoffs
from accountability.models import AgendaItem
from cco.models import Department

register = template.Library()


@register.filter
def get_source(sources: dict[str, dict[int, Any]], item: AgendaItem) -> Any:
    """The live CX issue or action item behind an agenda item, when it has one."""
    if not item.source_id:
        return None
    return sources.get(item.kind, {}).get(item.source_id)


@register.simple_tag
def department_accountability(department: Department) -> selectors.DepartmentWork:
    """A department's open action items and CX issues, for the department page section."""
    return selectors.department_work(department=department)


@register.simple_tag
def delivery_cutoff_legend() -> list[tuple[str, str, str, str]]:
    """The on-time and open-issue cut-offs in force, as (figure, green, amber, red) wording."""
    return delivery_cutoffs().legend


@register.simple_tag
def department_followups(department: Department) -> stats.FollowupFigures:
    """A department's follow-up figures (the scorecard's definition), for its pages."""
    return followup_selectors.followup_figures(department_id=department.pk)


@register.simple_tag(takes_context=True)
def department_pulse(context: Any, department: Department) -> dict[str, Any]:
    """The department's eNPS beside its customers' scores, for the reader allowed to see it."""
    from django.utils import timezone

    from accountability import pulse_relation, pulse_side

    user = context["request"].user
    if not pulse_side.may_read_department_pulse(user, department):
        return {"allowed": False}
    today = timezone.localdate()
    rows = pulse_side.department_side_by_side(department, today=today)
    found = pulse_relation.relation(today=today)
    # The scatter names every department's eNPS: the CCO's and the executives' to read; a head
    # reads the relation's r alone, and their own department's line above.
    every = user.is_cco or user.is_executive
    return {
        "allowed": True,
        "rows": rows,
        "figure": pulse_side.side_by_side_figure(rows),
        "relation": found,
        "relation_figure": (
            pulse_relation.relation_figure(found, highlight=department.pk) if every else None
        ),
        "caveat": pulse_relation.CAVEAT,
        "min_departments": pulse_relation.MIN_DEPARTMENTS,
    }
