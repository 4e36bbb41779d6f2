"""Pulse results, defined once: eNPS with its interval and item means, per group, with the
anonymity rule applied before anything leaves this module.

A group is a round's answers from one department, or from every department together. A group is
shown only when it holds at least the round's minimum of respondents, and only once the round has
closed. The total of every department is also hidden when the departments hidden for being too
small hold, together, fewer than the minimum (but some): the total less the shown departments
would otherwise give their figures away by subtraction.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, F, Q, Sum, prefetch_related_objects

from accountability.models import PulseAnswer, PulseItem, PulseItemScore, PulseRound
from cco.models import Department
from metrics.stats import Estimate, mean, nps


@dataclass(frozen=True)
class ItemResult:
    item: PulseItem
    mean: Estimate


@dataclass(frozen=True)
class GroupResult:
    """One group's figures; `shown` False means every figure is withheld (n included)."""

    label: str
    department_id: int | None
    shown: bool
    reason: str = ""
    enps: Estimate | None = None
    items: tuple[ItemResult, ...] = ()

    @property
    def n(self) -> int | None:
        return self.enps.n if self.enps else None


@dataclass(frozen=True)
class _Counts:
    n: int
    promoters: int
    passives: int
    detractors: int


def reader_scope(user: Any) -> set[int | None] | None:
    """The departments whose lines `user` reads: None (every one) for the CCO and executives, a
    head's own department otherwise. Pages and the API both ask here."""
    if user.is_cco or user.is_executive:
        return None
    return {user.department_id} if user.department_id else set()


def group_large_enough(n: int, minimum: int) -> bool:
    return n >= minimum


def _counts(rounds: list[PulseRound]) -> dict[int, dict[int | None, _Counts]]:
    """Per round, per department: respondents and their eNPS categories, in one query."""
    rows = (
        PulseAnswer.objects.filter(round__in=rounds)
        .values("round_id", "department_id")
        .annotate(
            n=Count("id"),
            promoters=Count("id", filter=_range(9, 10)),
            passives=Count("id", filter=_range(7, 8)),
        )
        .order_by()
    )
    counts: dict[int, dict[int | None, _Counts]] = {}
    for row in rows:
        counts.setdefault(row["round_id"], {})[row["department_id"]] = _Counts(
            row["n"],
            row["promoters"],
            row["passives"],
            row["n"] - row["promoters"] - row["passives"],
        )
    return counts


def _range(low: int, high: int) -> Q:
    return Q(enps__gte=low, enps__lte=high)


ItemSums = dict[int, tuple[int, int, int]]  # item id → (n, Σscore, Σscore²)


def _item_sums_by_department(rounds: list[PulseRound]) -> dict[int, dict[int | None, ItemSums]]:
    """Per round, per department: n, Σscore and Σscore² of every item, summed in the database —
    one query whatever the number of rounds, answers or departments."""
    rows = (
        PulseItemScore.objects.filter(answer__round__in=rounds)
        .values("answer__round_id", "answer__department_id", "item_id")
        .annotate(n=Count("id"), total=Sum("score"), total_sq=Sum(F("score") * F("score")))
        .order_by()
    )
    sums: dict[int, dict[int | None, ItemSums]] = {}
    for row in rows:
        by_department = sums.setdefault(row["answer__round_id"], {})
        by_department.setdefault(row["answer__department_id"], {})[row["item_id"]] = (
            row["n"],
            row["total"],
            row["total_sq"],
        )
    return sums


def _item_means(items: list[PulseItem], sums: ItemSums, minimum: int) -> tuple[ItemResult, ...]:
    out = []
    for item in items:
        n, total, total_sq = sums.get(item.pk, (0, 0, 0))
        if not group_large_enough(n, minimum):
            continue
        out.append(ItemResult(item, mean(n, float(total), float(total_sq))))
    return tuple(out)


def _every_department(sums: dict[int | None, ItemSums]) -> ItemSums:
    combined: dict[int, tuple[int, int, int]] = {}
    for by_item in sums.values():
        for item_id, (n, total, total_sq) in by_item.items():
            was = combined.get(item_id, (0, 0, 0))
            combined[item_id] = (was[0] + n, was[1] + total, was[2] + total_sq)
    return combined


def _estimate(counts: _Counts) -> Estimate:
    return nps(counts.promoters, counts.passives, counts.detractors)


def round_results(
    round_: PulseRound, *, today: date, department_ids: set[int | None] | None = None
) -> list[GroupResult]:
    """Every group of the round a reader may see: one line per department that answered, then the
    total of every department (for a round sent to all). `department_ids` narrows the lines to
    those departments (a head sees their own); None means all. Withheld groups say why, with no
    figure at all."""
    return rounds_results([round_], today=today, department_ids=department_ids)[round_.pk]


def rounds_results(
    rounds: list[PulseRound],
    *,
    today: date,
    department_ids: set[int | None] | None = None,
    with_items: bool = True,
) -> dict[int, list[GroupResult]]:
    """`round_results` of several rounds, by round id, in as many queries as for one: counts,
    department names, item sums (and the items of rounds not fetched with them). Without
    `with_items` the lines hold the eNPS alone, and neither items nor their sums are read."""
    final = [round_ for round_ in rounds if round_.results_final(today)]
    results: dict[int, list[GroupResult]] = {round_.pk: [] for round_ in rounds}
    if not final:
        return results
    counts = _counts(final)
    item_sums: dict[int, dict[int | None, ItemSums]] = {}
    if with_items:
        prefetch_related_objects(final, "items")
        item_sums = _item_sums_by_department(final)
    wanted = {k for by_department in counts.values() for k in by_department if k}
    names = dict(Department.objects.filter(pk__in=wanted).values_list("pk", "name"))
    for round_ in final:
        results[round_.pk] = _lines(
            round_,
            counts.get(round_.pk, {}),
            item_sums.get(round_.pk, {}),
            names,
            department_ids,
            with_items,
        )
    return results


def _lines(
    round_: PulseRound,
    counts: dict[int | None, _Counts],
    item_sums: dict[int | None, ItemSums],
    names: dict[int, str],
    department_ids: set[int | None] | None,
    with_items: bool,
) -> list[GroupResult]:
    """One round's lines, the anonymity rule applied to each group and to the total."""
    minimum = round_.min_group
    items = list(round_.items.all()) if with_items else []
    lines: list[GroupResult] = []
    hidden_total = 0
    for department_id, c in sorted(counts.items(), key=lambda kv: names.get(kv[0] or 0, "~")):
        label = names.get(department_id or 0, "No department")
        if group_large_enough(c.n, minimum):
            line = GroupResult(
                label, department_id, True, enps=_estimate(c),
                items=_item_means(items, item_sums.get(department_id, {}), minimum),
            )  # fmt: skip
        else:
            hidden_total += c.n
            line = GroupResult(label, department_id, False, reason=_too_few(minimum))
        if department_ids is None or department_id in department_ids:
            lines.append(line)
    if round_.department_id is None and department_ids is None and counts:
        lines.append(
            _total(
                round_,
                counts,
                hidden_total,
                _item_means(items, _every_department(item_sums), minimum),
            )
        )
    return lines


def _too_few(minimum: int) -> str:
    return f"Fewer than {minimum} respondents: not shown, to keep answers anonymous."


def total_shown(total_n: int, hidden_n: int, minimum: int) -> bool:
    """The total of every department is shown when it is large enough and the departments hidden
    for being small hold none or at least the minimum between them."""
    return group_large_enough(total_n, minimum) and (
        hidden_n == 0 or group_large_enough(hidden_n, minimum)
    )


def _total(
    round_: PulseRound,
    counts: dict[int | None, _Counts],
    hidden_n: int,
    items: tuple[ItemResult, ...],
) -> GroupResult:
    total = _Counts(
        sum(c.n for c in counts.values()),
        sum(c.promoters for c in counts.values()),
        sum(c.passives for c in counts.values()),
        sum(c.detractors for c in counts.values()),
    )
    label = "Every department"
    if not total_shown(total.n, hidden_n, round_.min_group):
        reason = (
            _too_few(round_.min_group)
            if not group_large_enough(total.n, round_.min_group)
            else "Not shown: with the departments shown it would give away the figures of the "
            "small ones withheld."
        )
        return GroupResult(label, None, False, reason=reason)
    return GroupResult(label, None, True, enps=_estimate(total), items=items)
