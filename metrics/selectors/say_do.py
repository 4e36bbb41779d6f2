"""Say versus do at every level: what promoters, passives and detractors went on to do, at a
touch point, journey, department or the organisation, for one segment or all, read only from the
say-versus-do roll-up (metrics.services.customers.say_do_rebuild).

Revenue at risk at a scope = the revenue of the customers whose latest answer there was poor (a
detractor, 0–6) × the retention gap (promoters' retention − detractors' retention), with the
gap's 95 % interval carried through. No figure is shown for a group of fewer than
MIN_CUSTOMERS customers, nor a gap or revenue at risk unless both promoters and detractors reach
it.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cco.models import Department
from metrics import stats
from metrics.models import Journey, NpsCategory, SayDoRollup, Scope, Touchpoint

# Customers per group (promoters, passives, detractors) before a figure is shown.
MIN_CUSTOMERS = 30
LEVELS = (Scope.TOUCHPOINT, Scope.JOURNEY, Scope.DEPARTMENT, Scope.ORGANISATION)
LEVEL_LABELS = {level.value: str(level.label) for level in LEVELS}


@dataclass(frozen=True)
class SayDoGroup:
    category: str
    label: str
    customers: int
    retained: int
    revenue_customers: int
    revenue_total: float
    retention: stats.Estimate  # % retained, Wilson 95 % interval

    @property
    def enough(self) -> bool:
        return self.customers >= MIN_CUSTOMERS

    @property
    def mean_revenue(self) -> float | None:
        return self.revenue_total / self.revenue_customers if self.revenue_customers else None


@dataclass(frozen=True)
class RevenueAtRisk:
    value: float
    low: float
    high: float
    poor_revenue: float  # the detractors' revenue the gap is applied to


@dataclass(frozen=True)
class SayDoScope:
    scope: str
    scope_id: int
    name: str
    segment: str
    groups: list[SayDoGroup]  # promoters, passives, detractors
    gap: stats.Difference | None  # promoters' retention − detractors', points; None: too few
    revenue_at_risk: RevenueAtRisk | None

    @property
    def customers(self) -> int:
        return sum(group.customers for group in self.groups)

    @property
    def refusal(self) -> str:
        """Why the gap and revenue at risk are not shown ("" when they are)."""
        if self.gap is not None:
            return ""
        short = [
            f"{group.label.split(' ')[0].lower()} {group.customers}"
            for group in self.groups
            if group.category != NpsCategory.PASSIVE and not group.enough
        ]
        return (
            f"Too few customers to compare: {', '.join(short)}; at least {MIN_CUSTOMERS} "
            "promoters and detractors are needed."
        )


def _group(category: str, row: SayDoRollup | None) -> SayDoGroup:
    customers = row.customers if row else 0
    retained = row.retained if row else 0
    return SayDoGroup(
        category=category,
        label=dict(NpsCategory.choices)[category],
        customers=customers,
        retained=retained,
        revenue_customers=row.revenue_customers if row else 0,
        revenue_total=row.revenue_total if row else 0.0,
        retention=stats.wilson(retained, customers),
    )


def compare(groups: list[SayDoGroup]) -> tuple[stats.Difference | None, RevenueAtRisk | None]:
    """The retention gap (promoters − detractors, Agresti–Caffo) and revenue at risk, or
    (None, None) when promoters or detractors are fewer than MIN_CUSTOMERS."""
    by_category = {group.category: group for group in groups}
    promoters = by_category[NpsCategory.PROMOTER]
    detractors = by_category[NpsCategory.DETRACTOR]
    if not (promoters.enough and detractors.enough):
        return None, None
    gap = stats.difference_agresti_caffo(
        promoters.retained, promoters.customers, detractors.retained, detractors.customers
    )
    # Both groups have customers here, so the difference and its interval are known.
    value, low, high = gap.value or 0.0, gap.low or 0.0, gap.high or 0.0
    poor = detractors.revenue_total
    return gap, RevenueAtRisk(
        value=poor * value / 100, low=poor * low / 100, high=poor * high / 100, poor_revenue=poor
    )


def _names(scope: str, ids: set[int]) -> dict[int, str]:
    if scope == Scope.ORGANISATION:
        return {0: "The organisation"}
    if scope == Scope.TOUCHPOINT:
        return dict(Touchpoint.objects.filter(pk__in=ids).values_list("pk", "name"))
    if scope == Scope.JOURNEY:
        return dict(Journey.objects.filter(pk__in=ids).values_list("pk", "name"))
    return dict(Department.objects.filter(pk__in=ids).values_list("pk", "name"))


def say_do_by_scope(
    *, scope: str, segment: str = "", scope_ids: list[int] | None = None
) -> list[SayDoScope]:
    """Each scope of one level with matched customers (in `segment`, "" for all), by name."""
    if scope not in LEVELS:
        raise ValueError(f"unknown level {scope!r}")
    rows = SayDoRollup.objects.filter(scope=scope, segment=segment)
    if scope_ids is not None:
        rows = rows.filter(scope_id__in=scope_ids)
    stored: dict[int, dict[str, SayDoRollup]] = {}
    for row in rows:
        stored.setdefault(row.scope_id, {})[row.category] = row
    names = _names(scope, set(stored))
    result = []
    for scope_id, categories in stored.items():
        groups = [_group(category, categories.get(category)) for category in NpsCategory.values]
        gap, at_risk = compare(groups)
        result.append(
            SayDoScope(
                scope=scope,
                scope_id=scope_id,
                name=names.get(scope_id, f"#{scope_id}"),
                segment=segment,
                groups=groups,
                gap=gap,
                revenue_at_risk=at_risk,
            )
        )
    return sorted(result, key=lambda item: item.name.lower())


def say_do_for(*, scope: str, scope_id: int, segment: str = "") -> SayDoScope | None:
    """One scope's say versus do (None when no customer there has both an answer and an
    outcome)."""
    found = say_do_by_scope(scope=scope, segment=segment, scope_ids=[scope_id])
    return found[0] if found else None


def say_do_segments() -> list[str]:
    """The segments the roll-up knows, in order (answers without a segment count only in all)."""
    return list(
        SayDoRollup.objects.filter(scope=Scope.ORGANISATION)
        .exclude(segment="")
        .order_by("segment")
        .values_list("segment", flat=True)
        .distinct()
    )


def say_do_query(params: Mapping[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """The level and segment asked for (?level=&segment=), and the fields in error with why."""
    level = str(params.get("level") or Scope.TOUCHPOINT)
    segment = str(params.get("segment") or "")
    errors = {}
    if level not in LEVEL_LABELS:
        errors["level"] = f"{level[:60]!r} is not one of {', '.join(LEVEL_LABELS)}"
    if segment and segment not in say_do_segments():
        errors["segment"] = f"no customers with an outcome in segment {segment[:60]!r}"
    return {"level": level, "segment": segment}, errors
