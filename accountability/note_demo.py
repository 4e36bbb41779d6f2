"""Demo change notes ("You said, we did"): one from the resolved CX issue and one from each of a
few delivered initiatives, on touch points of several journeys, tied to the demo themes and
published over the last two quarters."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from accountability.models import ChangeNote, CXIssue, CXIssueStatus
from accountability.services.notes import change_note_publish, default_touchpoint_ids
from cco.models import Role, User
from metrics.models import Theme, Touchpoint
from roadmap.models import Initiative, Status

# What customers said (the demo verbatims) and the theme it is read for.
SAID = [
    ("Had to call twice.", "Repeat contact"),
    ("I waited far too long.", "Waiting"),
    ("Nobody told me what was happening.", "Kept in the dark"),
]
INITIATIVE_NOTES = 3


def seed_change_notes() -> int:
    """The notes published (none when some exist already)."""
    cco = User.objects.filter(role=Role.CCO, is_active=True).order_by("pk").first()
    if cco is None or ChangeNote.objects.exists():
        return 0
    themes = {theme.name: theme.pk for theme in Theme.objects.all()}
    issues = CXIssue.objects.filter(status=CXIssueStatus.RESOLVED).order_by("pk")[:2]
    initiatives = Initiative.objects.filter(status=Status.DONE).order_by("end_date", "pk")
    candidates: list[CXIssue | Initiative] = [*issues, *initiatives[:INITIATIVE_NOTES]]
    sources = [(source, ids) for source in candidates if (ids := _touchpoints(source))]
    now = timezone.now()
    with transaction.atomic():
        for index, (source, ids) in enumerate(sources):
            said, theme = SAID[index % len(SAID)]
            note = change_note_publish(
                actor=cco,
                title=_title(source),
                you_said=said,
                we_did=_did(source),
                touchpoint_ids=_across_journeys(ids) if index % 2 == 0 else ids,
                theme_ids=[themes[theme]] if theme in themes else [],
                **_source(source),
            )
            # Spread over about two quarters, the oldest first.
            at = now - timedelta(days=30 * (len(sources) - index) - 10)
            ChangeNote.objects.filter(pk=note.pk).update(published_at=at, updated_at=at)
    return len(sources)


def _source(source: CXIssue | Initiative) -> dict[str, int]:
    key = "cx_issue_id" if isinstance(source, CXIssue) else "initiative_id"
    return {key: source.pk}


def _title(source: CXIssue | Initiative) -> str:
    if isinstance(source, CXIssue):
        return f"Fixed: {source.title.lower()}"[:120]
    return f"Delivered: {source.title}"[:120]


def _did(source: CXIssue | Initiative) -> str:
    if isinstance(source, CXIssue):
        return (source.remediation_plan or "We found the cause and fixed it.")[:500]
    return f"{source.title}, delivered by {source.department.name} in {source.end_date:%B %Y}."


def _touchpoints(source: CXIssue | Initiative) -> list[int]:
    """The source's own touch points, else two of its department's; for a department owning
    none (a programme-wide initiative), the first touch point of every journey."""
    own = default_touchpoint_ids(source) or list(
        Touchpoint.objects.filter(department_id=source.department_id)
        .order_by("stage__journey__order", "pk")
        .values_list("pk", flat=True)[:2]
    )
    if own:
        return own
    firsts: dict[int, int] = {}
    for pk, journey in Touchpoint.objects.order_by("stage__order", "pk").values_list(
        "pk", "stage__journey"
    ):
        firsts.setdefault(journey, pk)
    return list(firsts.values())


def _across_journeys(ids: list[int]) -> list[int]:
    """Add a touch point of another journey, so the page shows the note under two."""
    journeys = Touchpoint.objects.filter(pk__in=ids).values("stage__journey")
    other = Touchpoint.objects.exclude(stage__journey__in=journeys).order_by("pk").first()
    return [*ids, other.pk] if other is not None else ids
