from typing import Any

from django import template

from metrics import stats
from metrics.selectors import ScorePoint, department_scorecard
from metrics.selectors.cutoffs import score_cutoffs

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


@register.filter
def rag_label(rag: str) -> str:
    """ "Green", "Amber", "Red" or "Not judged": the word beside a colour."""
    return stats.rag_label(rag)


@register.simple_tag
def score_cutoff_legend(*measures: str) -> list[tuple[str, str, str, str]]:
    """These measures' (name, green, amber, red) wording, from the cut-offs in force."""
    return score_cutoffs().legend_rows(*measures)
