"""What an expected result's scope names: a touch point, journey, department or the whole
organisation, by (scope, scope_id).

The model's `scope_label`, the services' checks, the forms' choices and the API all read scopes
here; this module knows only the organisation and metrics models, so the roadmap's models can use
it without importing its selectors.
"""

from cco.models import Department
from metrics.models import Journey, Scope, Touchpoint

SCOPE_MODELS: dict[str, type[Touchpoint] | type[Journey] | type[Department]] = {
    Scope.TOUCHPOINT: Touchpoint,
    Scope.JOURNEY: Journey,
    Scope.DEPARTMENT: Department,
}


def scope_label(*, scope: str, scope_id: int) -> str:
    """A readable name for a scope, e.g. "Touch point: Phone support"."""
    if scope == Scope.ORGANISATION:
        return "Whole organisation"
    model = SCOPE_MODELS.get(scope)
    name = (
        model.objects.filter(pk=scope_id).values_list("name", flat=True).first() if model else None
    )
    return f"{Scope(scope).label}: {name or f'#{scope_id} (missing)'}"


def scope_labels(keys: set[tuple[str, int]]) -> dict[tuple[str, int], str]:
    """`scope_label` for many (scope, scope_id) at once: one query per kind of scope named."""
    labels = {}
    for scope, model in SCOPE_MODELS.items():
        ids = {scope_id for kind, scope_id in keys if kind == scope}
        if not ids:
            continue
        names = dict(model.objects.filter(pk__in=ids).values_list("pk", "name"))
        for scope_id in ids:
            labels[(scope, scope_id)] = (
                f"{Scope(scope).label}: {names.get(scope_id) or f'#{scope_id} (missing)'}"
            )
    for scope, scope_id in keys - labels.keys():
        labels[(scope, scope_id)] = scope_label(scope=scope, scope_id=scope_id)
    return labels


def scope_exists(*, scope: str, scope_id: int) -> bool:
    if scope == Scope.ORGANISATION:
        return scope_id == 0
    model = SCOPE_MODELS.get(scope)
    return model is not None and model.objects.filter(pk=scope_id).exists()


def scope_choices() -> list[tuple[str, str]]:
    """Every scope an expected result can name, as ("scope:id", label) pairs for a form."""
    choices = [(f"{Scope.ORGANISATION}:0", "Whole organisation")]
    choices += [
        (f"{Scope.DEPARTMENT}:{pk}", f"Department: {name}")
        for pk, name in Department.objects.order_by("name").values_list("pk", "name")
    ]
    choices += [
        (f"{Scope.JOURNEY}:{pk}", f"Journey: {name}")
        for pk, name in Journey.objects.order_by("order", "name").values_list("pk", "name")
    ]
    choices += [
        (f"{Scope.TOUCHPOINT}:{pk}", f"Touch point: {name}")
        for pk, name in Touchpoint.objects.order_by("name").values_list("pk", "name")
    ]
    return choices
