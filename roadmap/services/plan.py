"""Writes to the plan: roadmaps, pillars, initiatives, milestones, dependencies, results.

Each service validates the whole change first and raises ValidationError (keyed by field) with
nothing saved; changes to an initiative write an InitiativeUpdate row in the same transaction.
"""

from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cco.access import require_perm
from cco.models import Department, User
from metrics.models import Touchpoint
from roadmap.models import (
    Dependency,
    ExpectedResult,
    Initiative,
    InitiativeUpdate,
    Milestone,
    Pillar,
    Roadmap,
    Status,
)
from roadmap.scopes import scope_exists, scope_label
from roadmap.services.measures import measure_problems, scope_from_kpi
from roadmap.stats import find_cycle

# What a department head may change on an initiative their department owns.
HEAD_FIELDS = frozenset({"progress", "notes"})
INITIATIVE_FIELDS = frozenset(
    {
        "pillar",
        "title",
        "description",
        "department",
        "sponsor",
        "start_date",
        "end_date",
        "status",
        "progress",
        "notes",
        "budget",
        "driver",
    }
)
FIELD_LABELS = {
    "pillar": "pillar",
    "title": "title",
    "department": "owning department",
    "sponsor": "sponsor",
    "start_date": "start",
    "end_date": "end",
    "status": "status",
    "progress": "progress",
    "budget": "budget",
    "driver": "driver cited",
}


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _fmt(day: date) -> str:
    return f"{day:%d %b %Y}"


# --- Roadmaps and pillars -------------------------------------------------------------------


def roadmap_problems(roadmap: Roadmap) -> dict[str, str]:
    problems: dict[str, str] = {}
    if roadmap.end_year < roadmap.start_year:
        problems["end_year"] = (
            f"The end year ({roadmap.end_year}) must not be before the start year "
            f"({roadmap.start_year})."
        )
    elif roadmap.pk:
        outside = (
            Initiative.objects.filter(pillar__roadmap=roadmap)
            .exclude(start_date__gte=roadmap.start_date, end_date__lte=roadmap.end_date)
            .order_by("start_date")
            .first()
        )
        if outside is not None:
            problems["start_year"] = (
                f"“{outside}” runs {_fmt(outside.start_date)} – {_fmt(outside.end_date)}, "
                f"outside {roadmap.start_year}–{roadmap.end_year}; move it first."
            )
    return problems


@transaction.atomic
def roadmap_save(*, actor: User, roadmap: Roadmap) -> Roadmap:
    """Create or update a roadmap; marking it current unmarks the previous current one."""
    require_perm(actor, "cco.manage_product")
    roadmap.full_clean(validate_constraints=False)
    if problems := roadmap_problems(roadmap):
        raise ValidationError(problems)
    if roadmap.is_current:
        Roadmap.objects.filter(is_current=True).exclude(pk=roadmap.pk).update(is_current=False)
    roadmap.save()
    return roadmap


@transaction.atomic
def pillar_save(*, actor: User, pillar: Pillar) -> Pillar:
    require_perm(actor, "cco.manage_product")
    pillar.full_clean()
    pillar.save()
    return pillar


# --- Initiatives ----------------------------------------------------------------------------


def initiative_problems(initiative: Initiative) -> dict[str, str]:
    """Every rule an initiative must satisfy, checked against the database as it is."""
    problems: dict[str, str] = {}
    if initiative.end_date <= initiative.start_date:
        problems["end_date"] = (
            f"The end date ({_fmt(initiative.end_date)}) must be after the start date "
            f"({_fmt(initiative.start_date)})."
        )
        return problems
    roadmap = initiative.pillar.roadmap
    if initiative.start_date < roadmap.start_date or initiative.end_date > roadmap.end_date:
        problems["start_date" if initiative.start_date < roadmap.start_date else "end_date"] = (
            f"The initiative must fit inside the roadmap “{roadmap}” "
            f"({roadmap.start_year}–{roadmap.end_year}); it runs "
            f"{_fmt(initiative.start_date)} – {_fmt(initiative.end_date)}."
        )
    same_title = Initiative.objects.filter(
        pillar__roadmap=roadmap, title__iexact=initiative.title
    ).exclude(pk=initiative.pk)
    if same_title.exists():
        problems["title"] = f"The roadmap already has an initiative called “{initiative.title}”."
    if initiative.pk:
        outside = (
            initiative.milestones.exclude(
                due_date__gte=initiative.start_date, due_date__lte=initiative.end_date
            )
            .order_by("due_date")
            .first()
        )
        if outside is not None:
            problems.setdefault(
                "end_date" if outside.due_date > initiative.end_date else "start_date",
                f"Milestone “{outside}” is due {_fmt(outside.due_date)}, outside the new span; "
                "move the milestone first.",
            )
    if initiative.status == Status.IN_PROGRESS and (
        not initiative.pk or not initiative.expected_results.exists()
    ):
        problems["status"] = (
            "An initiative cannot move to “in progress” before its expected results are "
            "stated: add at least one expected result (metric, scope, baseline, target) first."
        )
    return problems


@transaction.atomic
def initiative_create(
    *,
    actor: User,
    pillar: Pillar,
    title: str,
    department: Department,
    start_date: date,
    end_date: date,
    description: str = "",
    sponsor: User | None = None,
    status: str = Status.PROPOSED,
    progress: int | None = None,
    notes: str = "",
    budget: Decimal | None = None,
    driver: Touchpoint | None = None,
) -> Initiative:
    """Add an initiative to a pillar of the plan (the CCO only)."""
    require_perm(actor, "cco.manage_product")
    initiative = Initiative(
        pillar=pillar,
        title=title.strip(),
        department=department,
        start_date=start_date,
        end_date=end_date,
        description=description,
        sponsor=sponsor,
        status=status,
        progress=progress,
        notes=notes,
        budget=budget,
        driver=driver,
    )
    initiative.full_clean(validate_constraints=False, validate_unique=False)
    if problems := initiative_problems(initiative):
        raise ValidationError(problems)
    initiative.save()
    InitiativeUpdate.objects.create(
        initiative=initiative, author=actor, summary=f"Created ({initiative.get_status_display()})"
    )
    return initiative


def _describe(initiative: Initiative, name: str, value: Any) -> str:
    if name == "status":
        return dict(Status.choices).get(value, str(value))
    if name == "progress":
        return "rolled up from milestones" if value is None else f"{value}%"
    if name in ("start_date", "end_date") and value:
        return _fmt(value)
    return str(value) if value not in (None, "") else "—"


@transaction.atomic
def initiative_update(
    *, actor: User, initiative: Initiative, changes: Mapping[str, Any], note: str = ""
) -> Initiative:
    """Change an initiative. The CCO may change anything; the owning department's head may
    change progress and notes only. Records who changed what in the same transaction."""
    unknown = set(changes) - INITIATIVE_FIELDS
    if unknown:
        raise ValidationError({name: "This field cannot be changed here." for name in unknown})
    require_perm(actor, "cco.change_owned", initiative)
    initiative = (
        Initiative.objects.select_for_update()
        .select_related("pillar__roadmap")
        .get(pk=initiative.pk)
    )
    changed = {name: value for name, value in changes.items() if getattr(initiative, name) != value}
    if not actor.has_perm("cco.manage_product") and set(changed) - HEAD_FIELDS:
        fields = ", ".join(sorted(set(changed) - HEAD_FIELDS))
        raise PermissionDenied(
            f"A department head may update progress and notes only, not: {fields}."
        )
    summary = []
    for name, value in changed.items():
        if name == "notes":
            summary.append("notes updated")
        elif name == "description":
            summary.append("description updated")
        else:
            label = FIELD_LABELS.get(name, name)
            summary.append(
                f"{label} {_describe(initiative, name, getattr(initiative, name))} → "
                f"{_describe(initiative, name, value)}"
            )
        setattr(initiative, name, value)
    initiative.full_clean(validate_constraints=False, validate_unique=False)
    if problems := initiative_problems(initiative):
        raise ValidationError(problems)
    if not changed and not note:
        return initiative
    initiative.save()
    InitiativeUpdate.objects.create(
        initiative=initiative,
        author=actor,
        summary=_sentence("; ".join(summary)) or "Note added",
        note=note,
    )
    return initiative


@transaction.atomic
def initiative_delete(*, actor: User, initiative: Initiative) -> None:
    require_perm(actor, "cco.manage_product")
    initiative.delete()


# --- Milestones -----------------------------------------------------------------------------


def milestone_problems(milestone: Milestone) -> dict[str, str]:
    problems: dict[str, str] = {}
    initiative = milestone.initiative
    if not initiative.start_date <= milestone.due_date <= initiative.end_date:
        problems["due_date"] = (
            f"The due date ({_fmt(milestone.due_date)}) must fall inside the initiative "
            f"“{initiative}” ({_fmt(initiative.start_date)} – {_fmt(initiative.end_date)})."
        )
    if milestone.done_date is not None and milestone.done_date > timezone.localdate():
        problems["done_date"] = (
            f"The done date ({_fmt(milestone.done_date)}) is in the future; tick it when done."
        )
    duplicate = Milestone.objects.filter(
        initiative=initiative, title__iexact=milestone.title
    ).exclude(pk=milestone.pk)
    if duplicate.exists():
        problems["title"] = f"“{initiative}” already has a milestone called “{milestone.title}”."
    return problems


@transaction.atomic
def milestone_save(*, actor: User, milestone: Milestone) -> Milestone:
    """Create or change a milestone: the CCO, or the head of the owning department."""
    require_perm(actor, "cco.change_owned", milestone.initiative)
    creating = milestone.pk is None
    milestone.title = milestone.title.strip()
    milestone.full_clean(validate_constraints=False, validate_unique=False)
    if problems := milestone_problems(milestone):
        raise ValidationError(problems)
    milestone.save()
    InitiativeUpdate.objects.create(
        initiative=milestone.initiative,
        author=actor,
        summary=f"Milestone “{milestone}” {'added' if creating else 'changed'}, due "
        f"{_fmt(milestone.due_date)}",
    )
    return milestone


@transaction.atomic
def milestone_set_done(*, actor: User, milestone: Milestone, done: bool) -> Milestone:
    """Tick a milestone done (today) or undo it."""
    require_perm(actor, "cco.change_owned", milestone.initiative)
    milestone = (
        Milestone.objects.select_for_update().select_related("initiative").get(pk=milestone.pk)
    )
    if done == milestone.is_done:
        return milestone
    milestone.done_date = timezone.localdate() if done else None
    milestone.save(update_fields=["done_date"])
    InitiativeUpdate.objects.create(
        initiative=milestone.initiative,
        author=actor,
        summary=f"Milestone “{milestone}” {'done' if done else 'reopened'}",
    )
    return milestone


@transaction.atomic
def milestone_delete(*, actor: User, milestone: Milestone) -> None:
    require_perm(actor, "cco.manage_product")
    InitiativeUpdate.objects.create(
        initiative=milestone.initiative, author=actor, summary=f"Milestone “{milestone}” removed"
    )
    milestone.delete()


# --- Dependencies ---------------------------------------------------------------------------


def dependency_cycle(*, initiative: Initiative, depends_on: Initiative) -> list[Initiative]:
    """The initiatives (in order, first repeated last) a new dependency would loop through."""
    edges: dict[int, list[int]] = defaultdict(list)
    for source, target in Dependency.objects.values_list("initiative_id", "depends_on_id"):
        edges[source].append(target)
    ids = find_cycle(edges, new_from=initiative.pk, new_to=depends_on.pk)
    if not ids:
        return []
    by_id = Initiative.objects.in_bulk(set(ids))
    return [by_id[pk] for pk in ids]


@transaction.atomic
def dependency_add(*, actor: User, initiative: Initiative, depends_on: Initiative) -> Dependency:
    """Record that `initiative` depends on `depends_on`; a cycle is refused, naming it."""
    require_perm(actor, "cco.manage_product")
    if initiative.pk == depends_on.pk:
        raise ValidationError({"depends_on": "An initiative cannot depend on itself."})
    if initiative.pillar.roadmap_id != depends_on.pillar.roadmap_id:
        raise ValidationError({"depends_on": f"“{depends_on}” belongs to another roadmap."})
    if Dependency.objects.filter(initiative=initiative, depends_on=depends_on).exists():
        raise ValidationError({"depends_on": f"“{initiative}” already depends on “{depends_on}”."})
    # Serialise dependency changes so two concurrent additions cannot close a cycle together.
    list(Roadmap.objects.select_for_update().filter(pk=initiative.pillar.roadmap_id))
    if cycle := dependency_cycle(initiative=initiative, depends_on=depends_on):
        path = " → ".join(f"“{item}”" for item in cycle)
        raise ValidationError(
            {"depends_on": f"This dependency would make a cycle: {path}. Remove one link first."}
        )
    dependency = Dependency.objects.create(initiative=initiative, depends_on=depends_on)
    InitiativeUpdate.objects.create(
        initiative=initiative, author=actor, summary=f"Now depends on “{depends_on}”"
    )
    return dependency


@transaction.atomic
def dependency_remove(*, actor: User, dependency: Dependency) -> None:
    require_perm(actor, "cco.manage_product")
    InitiativeUpdate.objects.create(
        initiative=dependency.initiative,
        author=actor,
        summary=f"No longer depends on “{dependency.depends_on}”",
    )
    dependency.delete()


# --- Expected results -----------------------------------------------------------------------


def result_problems(result: ExpectedResult) -> dict[str, str]:
    problems: dict[str, str] = {}
    if not scope_exists(scope=result.scope, scope_id=result.scope_id):
        problems["scope_id"] = (
            "The organisation has scope id 0."
            if result.scope == "organisation"
            else f"There is no {result.get_scope_display().lower()} with id {result.scope_id}."
        )
    problems.update(measure_problems(result))
    if result.baseline == result.target and "target" not in problems:
        problems["target"] = "The target must differ from the baseline: state the change expected."
    initiative = result.initiative
    if result.by_date <= initiative.start_date:
        problems["by_date"] = (
            f"The by-date ({_fmt(result.by_date)}) must be after the initiative starts "
            f"({_fmt(initiative.start_date)})."
        )
    duplicate = ExpectedResult.objects.filter(
        initiative=initiative, metric=result.metric, scope=result.scope, scope_id=result.scope_id
    )
    if result.kpi_id is not None:
        duplicate = ExpectedResult.objects.filter(initiative=initiative, kpi_id=result.kpi_id)
    if duplicate.exclude(pk=result.pk).exists() and "scope_id" not in problems:
        problems["metric"] = (
            f"“{initiative}” already expects a {result.measure_name} result for "
            f"{scope_label(scope=result.scope, scope_id=result.scope_id)}."
        )
    return problems


@transaction.atomic
def expected_result_save(*, actor: User, result: ExpectedResult) -> ExpectedResult:
    """State (or restate) a result the initiative promises (the CCO only)."""
    require_perm(actor, "cco.manage_product")
    if result.scope == "organisation" and result.scope_id is None:
        result.scope_id = 0
    scope_from_kpi(result)
    # A KPI-backed measure without its KPI has no scope either: name the KPI, the cause.
    if missing := {k: v for k, v in measure_problems(result).items() if k == "kpi"}:
        raise ValidationError(missing)
    result.full_clean(validate_constraints=False, validate_unique=False)
    if problems := result_problems(result):
        raise ValidationError(problems)
    creating = result.pk is None
    result.save()
    InitiativeUpdate.objects.create(
        initiative=result.initiative,
        author=actor,
        summary=f"Expected result {'stated' if creating else 'changed'}: {result} "
        f"({scope_label(scope=result.scope, scope_id=result.scope_id)})",
    )
    return result


@transaction.atomic
def expected_result_delete(*, actor: User, result: ExpectedResult) -> None:
    require_perm(actor, "cco.manage_product")
    initiative = result.initiative
    if initiative.status == Status.IN_PROGRESS and initiative.expected_results.count() == 1:
        raise ValidationError(
            "This is the only expected result of an initiative in progress; state another "
            "before removing it."
        )
    InitiativeUpdate.objects.create(
        initiative=initiative, author=actor, summary=f"Expected result removed: {result}"
    )
    result.delete()
