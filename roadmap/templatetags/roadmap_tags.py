"""Template tags for pages that show roadmap data without a roadmap view of their own."""

from django import template

from roadmap.selectors import InitiativeRow, department_initiatives

register = template.Library()


@register.simple_tag
def department_initiative_rows(department_id: int) -> list[InitiativeRow]:
    """The initiatives a department owns, with derived health, progress and next milestone."""
    return department_initiatives(department_id=department_id)
