"""Front-line blocker workflows: raise (with the raiser's own voice), add a voice, answer,
resolve, and turn a resolved blocker into an action item in one step."""

from datetime import date
from typing import TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from accountability import stats
from accountability.models import (
    BLOCKER_SLA_WORKING_DAYS,
    ActionItem,
    ActionOrigin,
    Blocker,
    BlockerStatus,
    BlockerVoice,
)
from accountability.services.actions import action_item_create
from cco.models import Department, User
from metrics.models import Touchpoint

M = TypeVar("M", bound=models.Model)


class AlreadyVoiced(Exception):
    """This person has added their voice to this blocker already."""


def blocker_raise(
    *,
    actor: User,
    title: str,
    department_id: object,
    touchpoint_id: object = None,
    description: str = "",
) -> Blocker:
    """ValidationError names each bad field: no title, a department or touch point that does not
    exist, a touch point another department owns."""
    errors: dict[str, str] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = "Say what is in the way."
    department = _get(Department, department_id)
    if department is None:
        errors["department"] = f"No department {department_id!r}."
    touchpoint = None
    if touchpoint_id not in (None, ""):
        touchpoint = _get(Touchpoint, touchpoint_id)
        if touchpoint is None:
            errors["touchpoint"] = f"No touch point {touchpoint_id!r}."
        elif department is not None and touchpoint.department_id != department.pk:
            errors["touchpoint"] = "That touch point belongs to another department."
    if errors or department is None:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        blocker = Blocker.objects.create(
            title=title,
            description=description.strip(),
            department=department,
            touchpoint=touchpoint,
            raised_by=actor,
            raised_at=now,
            answer_due=stats.add_working_days(timezone.localdate(now), BLOCKER_SLA_WORKING_DAYS),
        )
        BlockerVoice.objects.create(blocker=blocker, person=actor, at=now)
    return blocker


def _get(model: type[M], pk: object) -> M | None:
    text = str(pk).strip() if pk is not None else ""
    if not text.isdigit():
        return None
    return model._default_manager.filter(pk=int(text)).first()


def blocker_voice(*, actor: User, blocker: Blocker) -> None:
    if blocker.status == BlockerStatus.RESOLVED:
        raise ValidationError({"blocker": "This blocker is resolved."})
    try:
        with transaction.atomic():
            BlockerVoice.objects.create(blocker=blocker, person=actor)
    except IntegrityError as exc:
        raise AlreadyVoiced from exc


def blocker_answer(*, actor: User, blocker: Blocker, answer: str, resolve: bool) -> Blocker:
    if not actor.has_perm("cco.answer_blocker", blocker):
        raise PermissionDenied("Only the owning department's head or the CCO answers.")
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": "Write the answer."})
    if blocker.status == BlockerStatus.RESOLVED:
        raise ValidationError({"answer": "This blocker is resolved already."})
    now = timezone.now()
    blocker.answer = answer
    blocker.answered_by = actor
    blocker.answered_at = now
    blocker.status = BlockerStatus.RESOLVED if resolve else BlockerStatus.ANSWERED
    blocker.resolved_at = now if resolve else None
    blocker.save()
    return blocker


def blocker_to_action(*, actor: User, blocker: Blocker, due: date, title: str = "") -> ActionItem:
    """A resolved blocker becomes its department's action item, linked both ways."""
    if not actor.has_perm("cco.answer_blocker", blocker):
        raise PermissionDenied("Only the owning department's head or the CCO does this.")
    if blocker.status != BlockerStatus.RESOLVED:
        raise ValidationError({"blocker": "Resolve the blocker first: say what will be done."})
    if blocker.action_item_id is not None:
        raise ValidationError({"blocker": "This blocker has its action item already."})
    with transaction.atomic():
        item = action_item_create(
            actor=actor,
            title=(title or blocker.title).strip(),
            department=blocker.department,
            due=due,
            description=f"From a front-line blocker: {blocker.answer}",
            origin=ActionOrigin.MANUAL,
        )
        blocker.action_item = item
        blocker.save(update_fields=["action_item"])
    return item
