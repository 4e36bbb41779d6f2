"""The score and KPI cut-offs as every page reads them: stored rows over the defaults, cached.

Read on every page that colours a score, so the few rows are cached; the writer clears the
cache (`forget_score_cutoffs`) whenever it saves.
"""

from dataclasses import dataclass

from django.core.cache import cache

from metrics.cutoff_models import (
    DEFAULT_AMBER_BANDS,
    CutoffMeasure,
    ScoreCutoffChange,
    ScoreCutoffSetting,
)

CACHE_KEY = "metrics:score-cutoffs:v1"
CACHE_SECONDS = 600


@dataclass(frozen=True)
class ScoreCutoffs:
    """How far below target each measure is still amber (KPIs: per cent of the goal)."""

    nps: float
    csat: float
    ces: float
    kpi: float

    def band(self, measure: str) -> float:
        return float(getattr(self, measure))

    def as_dict(self) -> dict[str, float]:
        return {measure: self.band(measure) for measure in CutoffMeasure.values}

    @property
    def legend(self) -> list[tuple[str, str, str, str]]:
        """(measure, green, amber, red) wording of each band, for legends beside the colours."""
        return self.legend_rows(*CutoffMeasure.values)

    def legend_rows(self, *measures: str) -> list[tuple[str, str, str, str]]:
        labels = dict(CutoffMeasure.choices)
        rows = []
        for measure in measures:
            band = self.band(measure)
            if measure == CutoffMeasure.KPI:
                green, short = "at or beyond the goal", f"{band:g} % of the goal short of it"
            else:
                green, short = "at or above target", f"{band:g} points under target"
            rows.append((labels[measure], green, f"up to {short}", f"more than {short}"))
        return rows


def score_cutoffs() -> ScoreCutoffs:
    """The cut-offs in force: each stored row, or the default where the CCO set none."""
    cached = cache.get(CACHE_KEY)
    if cached is not None:
        return ScoreCutoffs(**cached)
    bands = dict(DEFAULT_AMBER_BANDS)
    bands.update(ScoreCutoffSetting.objects.values_list("measure", "amber_band"))
    cache.set(CACHE_KEY, bands, CACHE_SECONDS)
    return ScoreCutoffs(**bands)


def forget_score_cutoffs() -> None:
    cache.delete(CACHE_KEY)


def score_cutoff_history(*, limit: int = 50) -> list[ScoreCutoffChange]:
    return list(ScoreCutoffChange.objects.select_related("changed_by")[:limit])
