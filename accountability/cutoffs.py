"""The accountability cut-offs as every page reads them: stored rows over the defaults, cached.

Read wherever on-time rates or open CX issues are coloured; the writer
(`accountability.services.cutoffs`) clears the cache whenever it saves.
"""

from dataclasses import dataclass

from django.core.cache import cache

from accountability.models.cutoffs import (
    DEFAULT_DELIVERY_CUTOFFS,
    DeliveryCutoffChange,
    DeliveryCutoffSetting,
    DeliveryFigure,
)
from accountability.stats import RagCutoffs, on_time_rag, open_issues_rag

CACHE_KEY = "accountability:delivery-cutoffs:v1"
CACHE_SECONDS = 600


@dataclass(frozen=True)
class DeliveryCutoffs:
    on_time: RagCutoffs
    open_issues: RagCutoffs

    def on_time_rag(self, pct: float | None) -> str:
        return on_time_rag(pct, self.on_time)

    def open_issues_rag(self, count: int) -> str:
        return open_issues_rag(count, self.open_issues)

    def as_dict(self) -> dict[str, float | int]:
        """The flat form the edit page and the API use (issues are counted in whole numbers)."""
        return {
            "on_time_green": self.on_time.green,
            "on_time_amber": self.on_time.amber,
            "open_issues_green": int(self.open_issues.green),
            "open_issues_amber": int(self.open_issues.amber),
        }

    @property
    def legend(self) -> list[tuple[str, str, str, str]]:
        """(figure, green, amber, red) wording, for legends beside the colours."""
        on_time, issues = self.on_time, self.open_issues
        return [
            (
                "Done on time",
                f"{on_time.green:g} % or more",
                f"{on_time.amber:g} % to under {on_time.green:g} %",
                f"under {on_time.amber:g} %",
            ),
            (
                "Open CX issues",
                "none" if issues.green == 0 else f"up to {issues.green:g}",
                f"{issues.green + 1:g} to {issues.amber:g}"
                if issues.amber > issues.green
                else "none (no amber band)",
                f"more than {issues.amber:g}",
            ),
        ]


def delivery_cutoffs() -> DeliveryCutoffs:
    """The cut-offs in force: each stored row, or the default where the CCO set none."""
    pairs = cache.get(CACHE_KEY)
    if pairs is None:
        pairs = dict(DEFAULT_DELIVERY_CUTOFFS)
        pairs.update(
            (figure, (green, amber))
            for figure, green, amber in DeliveryCutoffSetting.objects.values_list(
                "figure", "green", "amber"
            )
        )
        cache.set(CACHE_KEY, pairs, CACHE_SECONDS)
    return DeliveryCutoffs(
        on_time=RagCutoffs(*pairs[DeliveryFigure.ON_TIME]),
        open_issues=RagCutoffs(*pairs[DeliveryFigure.OPEN_ISSUES]),
    )


def forget_delivery_cutoffs() -> None:
    cache.delete(CACHE_KEY)


def delivery_cutoff_history(*, limit: int = 50) -> list[DeliveryCutoffChange]:
    return list(DeliveryCutoffChange.objects.select_related("changed_by")[:limit])
