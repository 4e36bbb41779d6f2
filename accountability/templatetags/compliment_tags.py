from typing import Any

from django import template
from django.utils import timezone

from accountability import compliment_selectors as selectors
from accountability.models import Compliment
from cco.models import Department

register = template.Library()

SHOWN = 5


@register.simple_tag(takes_context=True)
def compliments_for_you(context: Any) -> list[Compliment]:
    """The latest compliments routed to the person reading the page."""
    return selectors.compliments_for_person(context["request"].user, limit=SHOWN)


@register.simple_tag(takes_context=True)
def team_compliments(context: Any, department: Department) -> list[Compliment]:
    """The department's latest compliments, as far as the reader may see them."""
    user = context["request"].user
    return list(selectors.compliments_visible(user).filter(department=department)[:SHOWN])


@register.simple_tag
def department_compliment_counts(department: Department) -> list[selectors.MonthCount]:
    return selectors.monthly_counts(department.pk, today=timezone.localdate())
