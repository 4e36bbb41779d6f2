"""Errors the services of every app raise, and the pages and the API answer in one way.

Django's own `ValidationError` (bad input), `PermissionDenied` (not allowed) and
`ProtectedError` / `RestrictedError` (a delete blocked by dependents) need no class of ours;
what Django lacks is the lost-update refusal of a versioned save.
"""

from datetime import datetime

from django.utils import timezone


class VersionConflict(Exception):
    """Someone else saved the object after the person opened it; nothing was written.

    Carries who changed it last and when, so a page can say "changed by X at T since you
    opened it" and the API can answer HTTP 409 with the same words and the version to retry on.
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
