from typing import Any

from django import template

from metrics.selectors import ScorePoint, department_scorecard

register = template.Library()


@register.simple_tag
def metrics_department_scorecard(department: Any) -> dict[str, Any]:
    """The department page's metrics section: its touch points' scores and its KPIs."""
    return department_scorecard(department_id=department.pk)


@register.filter
def score_text(point: ScorePoint | None) -> str:
    """ "32 ± 6" (n shown separately), or the reason there is no score."""
    if point is None or point.value is None:
        return "no responses yet"
    if not point.enough:
        return "too few responses"
    if point.low is None or point.high is None:
        return f"{point.value:.0f}"
    half = (point.high - point.low) / 2
    return (
        f"{point.value:.0f} ± {half:.0f}"
        if abs(point.value) >= 10
        else (f"{point.value:.1f} ± {half:.1f}")
    )
