"""What every accountability service shares: the conflict error and the history lookup."""

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone


class Conflict(Exception):
    """Someone else saved the object after the person opened it; nothing was written.

    Carries who changed it last and when, so the page can say "changed by X at T since you
    opened it" and the API can answer HTTP 409 with the same words.
    """

    def __init__(self, *, what: str, changed_by: str, changed_at: datetime | None, version: int):
        self.what = what
        self.changed_by = changed_by
        self.changed_at = changed_at
        self.current_version = version
        when = (
            f" at {timezone.localtime(changed_at):%d %b %Y %H:%M}" if changed_at is not None else ""
        )
        super().__init__(
            f"This {what} was changed by {changed_by}{when} since you opened it. "
            "Nothing of yours was saved: review their change, then save again."
        )


def conflict_from_history(*, what: str, obj: Any, events: QuerySet) -> Conflict:
    """The conflict to raise when `obj` moved on: who changed it last and when, read from its
    history (`events`, rows with `actor` and `at`), or its own `updated_at` without one."""
    last = events.select_related("actor").order_by("-at", "-pk").first()
    return Conflict(
        what=what,
        changed_by=str(last.actor) if last and last.actor else "someone else",
        changed_at=last.at if last else obj.updated_at,
        version=obj.version,
    )
