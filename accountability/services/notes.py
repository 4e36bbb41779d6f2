"""Change notes ("You said, we did"): publish one from a resolved CX issue or a delivered
initiative, edit it with the version read, withdraw it.

Who: the CCO, and the head of the department that owns the issue or initiative
(`cco.change_owned` on the source, then on the note). Every refusal of bad input is a
ValidationError naming the field; nothing is saved unless everything is right.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accountability.models import ChangeNote, CXIssue, CXIssueStatus
from accountability.models.notes import TEXT_MAX, TITLE_MAX
from cco.errors import VersionConflict
from cco.models import User
from metrics.models import Scope, Theme, Touchpoint
from roadmap.models import Initiative, Status

M = TypeVar("M", Touchpoint, Theme)


@dataclass(frozen=True)
class NoteText:
    title: str
    you_said: str
    we_did: str


def default_touchpoint_ids(source: CXIssue | Initiative) -> list[int]:
    """The touch points a note answers unless the publisher names others: the issue's touch
    point; the initiative's cited driver and the touch points its expected results are on."""
    if isinstance(source, CXIssue):
        if source.touchpoint_id:
            return [source.touchpoint_id]
        if source.scope == Scope.TOUCHPOINT and source.scope_id:
            return [source.scope_id]
        return []
    ids = [source.driver_id] if source.driver_id else []
    ids += source.expected_results.filter(scope=Scope.TOUCHPOINT).values_list("scope_id", flat=True)
    return sorted(set(ids))


def change_note_source(
    *, cx_issue_id: object = None, initiative_id: object = None
) -> CXIssue | Initiative:
    """The one issue or initiative a note answers, finished: ValidationError otherwise."""
    given = [value for value in (cx_issue_id, initiative_id) if value not in (None, "")]
    if len(given) != 1:
        raise ValidationError({"source": "Name one CX issue or one initiative, not both."})
    if cx_issue_id not in (None, ""):
        issue = CXIssue.objects.filter(pk=_pk(cx_issue_id)).first()
        if issue is None:
            raise ValidationError({"cx_issue": f"No CX issue {cx_issue_id!r}."})
        if issue.status != CXIssueStatus.RESOLVED:
            raise ValidationError(
                {"cx_issue": f"The CX issue is {issue.get_status_display().lower()}: "
                 "publish a change note once it is resolved."}
            )  # fmt: skip
        return issue
    initiative = Initiative.objects.filter(pk=_pk(initiative_id)).first()
    if initiative is None:
        raise ValidationError({"initiative": f"No initiative {initiative_id!r}."})
    if initiative.status != Status.DONE:
        raise ValidationError(
            {"initiative": f"The initiative is {initiative.get_status_display().lower()}: "
             "publish a change note once it is delivered (done)."}
        )  # fmt: skip
    return initiative


def change_note_publish(
    *,
    actor: User,
    title: str,
    you_said: str,
    we_did: str,
    cx_issue_id: object = None,
    initiative_id: object = None,
    touchpoint_ids: Iterable[object] | None = None,
    theme_ids: Iterable[object] = (),
) -> ChangeNote:
    """Publish a note. `touchpoint_ids=None` takes the source's own touch points."""
    source = change_note_source(cx_issue_id=cx_issue_id, initiative_id=initiative_id)
    if not actor.has_perm("cco.change_owned", source):
        raise PermissionDenied("Only the CCO or the owning department's head publishes this.")
    if touchpoint_ids is None:
        touchpoint_ids = default_touchpoint_ids(source)
    text, touchpoints, themes = _clean(title, you_said, we_did, touchpoint_ids, theme_ids)
    now = timezone.now()
    with transaction.atomic():
        note = ChangeNote.objects.create(
            title=text.title,
            you_said=text.you_said,
            we_did=text.we_did,
            cx_issue=source if isinstance(source, CXIssue) else None,
            initiative=source if isinstance(source, Initiative) else None,
            published_by=actor,
            published_at=now,
            updated_at=now,
        )
        note.touchpoints.set(touchpoints)
        note.themes.set(themes)
    return note


def change_note_edit(
    *,
    actor: User,
    note_id: int,
    expected_version: int,
    title: str,
    you_said: str,
    we_did: str,
    touchpoint_ids: Iterable[object],
    theme_ids: Iterable[object] = (),
) -> ChangeNote:
    """Edit a note if it is still at `expected_version` (VersionConflict otherwise)."""
    note = ChangeNote.objects.select_related("cx_issue", "initiative").get(pk=note_id)
    if not actor.has_perm("cco.change_owned", note):
        raise PermissionDenied("Only the CCO or the owning department's head edits this note.")
    text, touchpoints, themes = _clean(title, you_said, we_did, touchpoint_ids, theme_ids)
    with transaction.atomic():
        updated = ChangeNote.objects.filter(pk=note.pk, version=expected_version).update(
            title=text.title,
            you_said=text.you_said,
            we_did=text.we_did,
            updated_at=timezone.now(),
            version=F("version") + 1,
        )
        if updated == 0:  # pragma: no mutate
            raise _conflict(note)
        note.touchpoints.set(touchpoints)
        note.themes.set(themes)
    note.refresh_from_db()
    return note


def change_note_withdraw(*, actor: User, note_id: int, expected_version: int) -> None:
    """Withdraw (delete) a note read at `expected_version`; its issue or initiative stays."""
    note = ChangeNote.objects.select_related("cx_issue", "initiative").get(pk=note_id)
    if not actor.has_perm("cco.change_owned", note):
        raise PermissionDenied("Only the CCO or the owning department's head withdraws this.")
    with transaction.atomic():
        deleted, _ = ChangeNote.objects.filter(pk=note.pk, version=expected_version).delete()
        if deleted == 0:  # pragma: no mutate
            raise _conflict(note)


def _conflict(note: ChangeNote) -> VersionConflict:
    current = ChangeNote.objects.select_related("published_by").get(pk=note.pk)
    return VersionConflict(
        what="change note",
        changed_by=str(current.published_by or "someone else"),
        changed_at=current.updated_at,
        version=current.version,
    )


def _clean(
    title: str,
    you_said: str,
    we_did: str,
    touchpoint_ids: Iterable[object],
    theme_ids: Iterable[object],
) -> tuple[NoteText, list[Touchpoint], list[Theme]]:
    errors: dict[str, str] = {}
    text = NoteText(
        title=(title or "").strip(),
        you_said=(you_said or "").strip(),
        we_did=(we_did or "").strip(),
    )
    for field, value, limit, empty in (
        ("title", text.title, TITLE_MAX, "Give the note a short title."),
        ("you_said", text.you_said, TEXT_MAX, "Say what customers told us."),
        ("we_did", text.we_did, TEXT_MAX, "Say what we changed."),
    ):
        if not value:
            errors[field] = empty
        elif len(value) > limit:
            errors[field] = f"At most {limit} characters (this has {len(value)})."
    touchpoints, missing = _existing(Touchpoint, touchpoint_ids)
    if missing:
        errors["touchpoints"] = f"No touch point {', '.join(missing)}."
    elif not touchpoints:
        errors["touchpoints"] = "Name at least one touch point the change answers."
    themes, missing = _existing(Theme, theme_ids)
    if missing:
        errors["themes"] = f"No theme {', '.join(missing)}."
    if errors:
        raise ValidationError(errors)
    return text, touchpoints, themes


def _existing(model: type[M], ids: Iterable[object]) -> tuple[list[M], list[str]]:
    """The rows of `ids` and the ids that name none (as typed)."""
    wanted = {str(value).strip(): _pk(value) for value in ids if str(value).strip()}
    found = {row.pk: row for row in model._default_manager.filter(pk__in=wanted.values())}
    missing = [text for text, pk in wanted.items() if pk not in found]
    return list({pk: found[pk] for pk in wanted.values() if pk in found}.values()), missing


def _pk(value: object) -> int:
    text = str(value).strip()
    return int(text) if text.isdigit() else -1
