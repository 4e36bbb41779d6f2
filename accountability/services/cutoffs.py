"""The CCO sets where amber and red begin for the accountability figures (and, on the same
page, for the scores: see `cutoffs_update`)."""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accountability.cutoffs import DeliveryCutoffs, delivery_cutoffs, forget_delivery_cutoffs
from accountability.models.cutoffs import DeliveryCutoffChange, DeliveryCutoffSetting
from accountability.stats import RagCutoffs
from cco.access import require_perm
from metrics.cutoff_models import CutoffMeasure
from metrics.services.cutoffs import finite_number, score_cutoffs_clean, score_cutoffs_update

DELIVERY_FIELDS = ("on_time_green", "on_time_amber", "open_issues_green", "open_issues_amber")
LABELS = {
    "on_time_green": "Done on time: green from",
    "on_time_amber": "Done on time: amber from",
    "open_issues_green": "Open CX issues: green up to",
    "open_issues_amber": "Open CX issues: amber up to",
}


def delivery_cutoffs_clean(values: dict[str, Any]) -> DeliveryCutoffs:
    """On time: per cents from 0 to 100 with amber not above green. Open CX issues: whole
    numbers from 0 with amber not below green. Refused whole, naming each bad field."""
    errors: dict[str, str] = {}
    numbers: dict[str, float] = {}
    for field in DELIVERY_FIELDS:
        label = LABELS[field]
        if field not in values:
            errors[field] = f"Give “{label}”."
            continue
        number = finite_number(values[field])
        if number is None:
            errors[field] = f"“{label}” must be a number."
        elif number < 0:
            errors[field] = f"“{label}” cannot be negative."
        elif field.startswith("on_time") and number > 100:
            errors[field] = f"“{label}” is a per cent: at most 100."
        elif field.startswith("open_issues") and not number.is_integer():
            errors[field] = f"“{label}” counts issues: a whole number."
        else:
            numbers[field] = number
    if "on_time_green" in numbers and "on_time_amber" in numbers:
        if numbers["on_time_amber"] > numbers["on_time_green"]:
            errors["on_time_amber"] = "Amber must begin at or below where green begins."
    if "open_issues_green" in numbers and "open_issues_amber" in numbers:
        if numbers["open_issues_amber"] < numbers["open_issues_green"]:
            errors["open_issues_amber"] = "Amber must reach at least as far as green."
    unknown = sorted(set(values) - set(DELIVERY_FIELDS))
    if unknown:
        errors["non_field_errors"] = f"Unknown field: {', '.join(unknown)}."
    if errors:
        raise ValidationError(errors)
    return DeliveryCutoffs(
        on_time=RagCutoffs(numbers["on_time_green"], numbers["on_time_amber"]),
        open_issues=RagCutoffs(numbers["open_issues_green"], numbers["open_issues_amber"]),
    )


@transaction.atomic
def delivery_cutoffs_update(*, actor: Any, values: dict[str, Any]) -> DeliveryCutoffs:
    """Store the CCO's cut-offs, with one history row (who, when, old → new) per figure that
    changed, in the same transaction. Nothing is saved unless every value is valid."""
    require_perm(actor, "cco.manage_product")
    new = delivery_cutoffs_clean(values)
    # Two CCOs saving at once take turns, and each history row names the values it replaced:
    # read under the lock, from the database rather than a cached copy.
    list(DeliveryCutoffSetting.objects.select_for_update())
    forget_delivery_cutoffs()
    old = delivery_cutoffs()
    for figure in ("on_time", "open_issues"):
        before, after = getattr(old, figure), getattr(new, figure)
        if before == after:
            continue
        DeliveryCutoffSetting.objects.update_or_create(
            figure=figure, defaults={"green": after.green, "amber": after.amber}
        )
        DeliveryCutoffChange.objects.create(
            figure=figure,
            old_green=before.green,
            old_amber=before.amber,
            new_green=after.green,
            new_amber=after.amber,
            changed_by=actor,
        )
    # Cleared now (a rolled-back change then reads the database again) and at commit (a
    # request that read the old rows in between cannot leave them cached).
    forget_delivery_cutoffs()
    transaction.on_commit(forget_delivery_cutoffs)
    return new


@transaction.atomic
def cutoffs_update(*, actor: Any, values: dict[str, Any]) -> None:
    """The cut-offs page: the score bands and the accountability cut-offs, checked together so
    every bad field is named at once, and saved together or not at all."""
    require_perm(actor, "cco.manage_product")
    score_values = {key: values[key] for key in CutoffMeasure.values if key in values}
    delivery_values = {key: values[key] for key in DELIVERY_FIELDS if key in values}
    errors: dict[str, list[str]] = {}
    for clean, part in (
        (score_cutoffs_clean, score_values),
        (delivery_cutoffs_clean, delivery_values),
    ):
        try:
            clean(part)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    score_cutoffs_update(actor=actor, values=score_values)
    delivery_cutoffs_update(actor=actor, values=delivery_values)
