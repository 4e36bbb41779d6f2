"""The versioned update: no lost updates, and the history written with the change.

Action items and CX issues carry a `version` and an `updated_at`, and their history rows
(`HistoryEvent`) hang off them as `events`. A person saves the version they read; the row is
updated only while it is still that version (UPDATE … WHERE id = %s AND version = %s), so two
people saving at once never overwrite each other: the second gets `VersionConflict`, naming who
changed it and when. The history rows are written in the caller's transaction, so a change
and its history are saved together or not at all.
"""

from datetime import datetime
from typing import Any

from django.db.models import F
from django.utils import timezone

from accountability.models import ActionItem, CXIssue, EventKind, FollowupCase
from cco.errors import VersionConflict
from cco.models import User

Versioned = ActionItem | CXIssue | FollowupCase


def history_created(*, obj: Versioned, actor: User | None, at: datetime, note: str = "") -> None:
    """The first history row of a newly created object."""
    obj.events.create(actor=actor, at=at, kind=EventKind.CREATED, to_status=obj.status, note=note)


def version_conflict(obj: Versioned) -> VersionConflict:
    """The conflict to raise when `obj` moved on: who changed it last and when, read from its
    history, or its own `updated_at` without one."""
    current = type(obj)._default_manager.get(pk=obj.pk)
    last = obj.events.select_related("actor").order_by("-at", "-pk").first()
    return VersionConflict(
        what=str(obj._meta.verbose_name),
        changed_by=str(last.actor) if last and last.actor else "someone else",
        changed_at=last.at if last else current.updated_at,
        version=current.version,
    )


def versioned_update(
    *,
    obj: Versioned,
    actor: User,
    expected_version: int,
    changes: dict[str, Any],
    note: str = "",
    edited: str = "",
) -> bool:
    """Write `changes` to `obj` if it is still at `expected_version`, with its history rows.

    History: a status change (carrying `note`), else a progress note when `note` is given, and
    an "edited" row worded by `edited` when other fields changed. Returns False when there was
    nothing to write. Call it inside the caller's `transaction.atomic()`.
    """
    if not changes and not note:
        if expected_version != obj.version:
            raise version_conflict(obj)
        return False
    now = timezone.now()
    updated = (
        type(obj)
        ._default_manager.filter(pk=obj.pk, version=expected_version)
        .update(**changes, updated_at=now, version=F("version") + 1)
    )
    # A row count is never negative: `<= 0` would mean the same.
    if updated == 0:  # pragma: no mutate
        raise version_conflict(obj)
    if "status" in changes:
        obj.events.create(
            actor=actor,
            at=now,
            kind=EventKind.STATUS,
            from_status=obj.status,
            to_status=str(changes["status"]),
            note=note,
        )
    elif note:
        obj.events.create(actor=actor, at=now, kind=EventKind.NOTE, note=note)
    if edited:
        obj.events.create(actor=actor, at=now, kind=EventKind.EDITED, note=edited)
    return True
