"""The CCO sets where amber and red begin for each score and for KPIs."""

import math
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from cco.access import require_perm
from metrics.cutoff_models import (
    MAX_AMBER_BANDS,
    CutoffMeasure,
    ScoreCutoffChange,
    ScoreCutoffSetting,
)
from metrics.selectors.cutoffs import ScoreCutoffs, forget_score_cutoffs, score_cutoffs


def finite_number(value: object) -> float | None:
    """The value as a float, or None for anything that is not a finite number (a yes/no is
    not a number, nor is NaN or infinity)."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def score_cutoffs_clean(values: dict[str, Any]) -> dict[str, float]:
    """Every measure's amber band as a number from 0 to the widest its scale allows; refused
    whole, naming each bad field, when any is missing or wrong."""
    errors: dict[str, str] = {}
    cleaned: dict[str, float] = {}
    for measure, label in CutoffMeasure.choices:
        if measure not in values:
            errors[measure] = f"Give {label}'s amber band."
            continue
        number = finite_number(values[measure])
        widest = MAX_AMBER_BANDS[measure]
        if number is None:
            errors[measure] = f"{label}'s amber band must be a number."
        elif number < 0:
            errors[measure] = f"{label}'s amber band cannot be negative."
        elif number > widest:
            errors[measure] = f"{label}'s amber band can be at most {widest:g}."
        else:
            cleaned[measure] = number
    unknown = sorted(set(values) - set(CutoffMeasure.values))
    if unknown:
        errors["non_field_errors"] = f"Unknown measure: {', '.join(unknown)}."
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def score_cutoffs_update(*, actor: Any, values: dict[str, Any]) -> ScoreCutoffs:
    """Store the CCO's amber bands, with one history row (who, when, old → new) per measure
    that changed, in the same transaction. Nothing is saved unless every value is valid."""
    require_perm(actor, "cco.manage_product")
    cleaned = score_cutoffs_clean(values)
    # Two CCOs saving at once take turns, and each history row names the value it replaced:
    # read under the lock, from the database rather than a cached copy.
    list(ScoreCutoffSetting.objects.select_for_update())
    forget_score_cutoffs()
    current = score_cutoffs()
    for measure, band in cleaned.items():
        old = current.band(measure)
        if band == old:
            continue
        ScoreCutoffSetting.objects.update_or_create(measure=measure, defaults={"amber_band": band})
        ScoreCutoffChange.objects.create(
            measure=measure, old_amber_band=old, new_amber_band=band, changed_by=actor
        )
    # Cleared now (a rolled-back change then reads the database again) and at commit (a
    # request that read the old rows in between cannot leave them cached).
    forget_score_cutoffs()
    transaction.on_commit(forget_score_cutoffs)
    # Built here rather than read back, so nothing is cached before the change is committed.
    return ScoreCutoffs(**{**current.as_dict(), **cleaned})
