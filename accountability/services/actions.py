"""Action items: create them, and update status, progress notes and details without lost updates."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accountability.models import ActionItem, ActionOrigin, ActionStatus, CXIssue, Meeting
from accountability.services.versioned import history_created, versioned_update
from cco.models import Department, Role, User

UNSET: Any = object()


def _owner_problem(owner: User | None, department: Department) -> str:
    if owner is None:
        return ""
    if not owner.is_active:
        return f"{owner} is no longer active; name someone who can do the work."
    if owner.department_id != department.pk and department.head_id != owner.pk:
        return f"{owner} is not in {department}; the owner must belong to the owning department."
    if owner.role not in (Role.DEPARTMENT_HEAD, Role.CONTRIBUTOR):
        return f"{owner} is {owner.get_role_display()}; name someone in {department}."
    return ""


def due_date_problem(due: date, *, today: date | None = None) -> str:
    """Why a new action item cannot have this due date: one in the past would be late the
    moment it is agreed (and skews the scorecard's days late). Checked where people create
    items — page, meeting page and API; the demo and imports may record past items."""
    today = today or timezone.localdate()
    if due < today:
        return f"The due date cannot be before today ({today:%d %b %Y})."
    return ""


@transaction.atomic
def action_item_create(
    *,
    actor: User | None,
    title: str,
    department: Department,
    due: date,
    owner_person: User | None = None,
    description: str = "",
    meeting: Meeting | None = None,
    cx_issue: CXIssue | None = None,
    initiative_id: int | None = None,
    origin: str | None = None,
    milestone_id: int | None = None,
    kpi_id: int | None = None,
) -> ActionItem:
    """Create an action item owned by `department`, with its "created" history row."""
    title = title.strip()
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = "Say what has to be done."
    if problem := _owner_problem(owner_person, department):
        errors["owner_person"] = problem
    if errors:
        raise ValidationError(errors)
    if origin is None:
        origin = (
            ActionOrigin.MEETING
            if meeting
            else ActionOrigin.CX_ISSUE
            if cx_issue
            else ActionOrigin.INITIATIVE
            if initiative_id
            else ActionOrigin.MANUAL
        )
    now = timezone.now()
    item = ActionItem.objects.create(
        title=title,
        description=description,
        department=department,
        owner_person=owner_person,
        due=due,
        origin=origin,
        meeting=meeting,
        cx_issue=cx_issue,
        initiative_id=initiative_id,
        milestone_id=milestone_id,
        kpi_id=kpi_id,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    history_created(obj=item, actor=actor, at=now)
    return item


@transaction.atomic
def action_item_update(
    *,
    item_id: int,
    actor: User,
    expected_version: int,
    status: str | None = None,
    note: str = "",
    title: str | None = None,
    due: date | None = None,
    owner_person: User | None = UNSET,
    today: date | None = None,
) -> ActionItem:
    """Change status, add a progress note or edit details, as one versioned write.

    Saved only while the item is still at `expected_version`: a stale one raises
    `VersionConflict` (see `services/versioned.py`), with the history rows written in the same
    transaction as the change.
    """
    item = ActionItem.objects.select_related("department").get(pk=item_id)
    today = today or timezone.localdate()
    note = note.strip()
    errors: dict[str, str] = {}
    changes: dict[str, Any] = {}
    if status is not None and status != item.status:
        if status not in ActionStatus.values:
            errors["status"] = (
                f"{status!r} is not a status; use one of {', '.join(ActionStatus.values)}."
            )
        else:
            changes["status"] = status
            changes["completed_on"] = today if status == ActionStatus.DONE else None
            # Of the statuses allowed here only "blocked" sorts at or before "blocked", so a
            # `<=` would ask the same saves for a note.
            if status == ActionStatus.BLOCKED and not note:  # pragma: no mutate
                errors["note"] = "Say what blocks this item, so the meeting can unblock it."
    if title is not None and title.strip() != item.title:
        if not title.strip():
            errors["title"] = "The title cannot be empty."
        changes["title"] = title.strip()
    if due is not None and due != item.due:
        changes["due"] = due
    if (
        # UNSET is a bare object(): `!=` against it falls back to identity, as `is not` does.
        owner_person is not UNSET  # pragma: no mutate
        and (owner_person.pk if owner_person else None) != item.owner_person_id
    ):
        if problem := _owner_problem(owner_person, item.department):
            errors["owner_person"] = problem
        changes["owner_person"] = owner_person
    if errors:
        raise ValidationError(errors)
    edited = [name for name in ("title", "due", "owner_person") if name in changes]
    written = versioned_update(
        obj=item,
        actor=actor,
        expected_version=expected_version,
        changes=changes,
        note=note,
        edited=", ".join(f"{name.replace('_', ' ')} → {changes[name]}" for name in edited),
    )
    if not written:
        return item
    return ActionItem.objects.select_related("department", "owner_person").get(pk=item_id)


@transaction.atomic
def action_item_move_due(
    *,
    item_id: int,
    actor: User,
    expected_version: int,
    due: date | None,
    reason: str,
    today: date | None = None,
) -> ActionItem:
    """Move an item's due date, with the reason kept in its history (one "edited" row naming
    both dates and the reason), as a versioned write like every other edit.

    Refused: no date, a date before today (today itself is fine), the date it already has, an
    empty reason, and an item already done (there is nothing left to be late).
    """
    item = ActionItem.objects.select_related("department").get(pk=item_id)
    today = today or timezone.localdate()
    reason = reason.strip()
    errors: dict[str, str] = {}
    if due is None:
        errors["due"] = "Give the new due date."
    elif due < today:
        errors["due"] = f"The new due date cannot be before today ({today:%d %b %Y})."
    elif due == item.due:
        errors["due"] = f"The item is already due on {due:%d %b %Y}; pick another date."
    if not reason:
        errors["reason"] = "Say why the due date moves: the reason stays in the item's history."
    if item.status == ActionStatus.DONE:
        errors["due"] = "The item is done; its due date no longer moves."
    if errors or due is None:
        raise ValidationError(errors)
    versioned_update(
        obj=item,
        actor=actor,
        expected_version=expected_version,
        changes={"due": due},
        edited=f"due date moved from {item.due:%d %b %Y} to {due:%d %b %Y}: {reason}",
    )
    return ActionItem.objects.select_related("department", "owner_person").get(pk=item_id)
