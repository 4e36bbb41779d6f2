"""CX issues: raised from metric breaches (one open issue per touch point × metric, later breaches
attach to it) or by hand, then resolved."""

from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accountability import stats
from accountability.models import CXIssue, CXIssueBreach, CXIssueStatus, EventKind, IssueOrigin
from accountability.services.versioned import history_created, versioned_update
from cco.models import Department, User


def _breach_title(breach: Any) -> str:
    touchpoint = getattr(breach, "touchpoint", None)
    where = touchpoint.name if touchpoint else f"{breach.scope} {breach.scope_id}"
    return (
        f"{where}: {breach.get_metric_display()} {breach.get_rule_display().lower()} "
        f"— {breach.summary}; {breach.grain} of {breach.period_start:%d %b %Y}"
    )


def _breach_department_id(breach: Any) -> int | None:
    department_id = getattr(breach, "owning_department_id", None)
    # No scope sorts before "department" (touchpoint, stage, journey, organisation), so a `<=`
    # here would pick the same breaches.
    if department_id is None and getattr(breach, "scope", "") == "department":  # pragma: no mutate
        department_id = breach.scope_id
    return department_id


def _breach_description(breach: Any) -> str:
    return f"Raised automatically from {breach}. Sample size {breach.n}" + (
        f", 95% interval {breach.low:.1f} to {breach.high:.1f}."
        if breach.low is not None and breach.high is not None
        else "."
    )


def _open_issue_for(breach: Any) -> CXIssue | None:
    """The open issue a breach of the same scope × metric already counts against, locked so two
    runs attaching at once count both breaches."""
    return (
        CXIssue.objects.select_for_update()
        .filter(scope=breach.scope, scope_id=breach.scope_id, metric=breach.metric)
        .exclude(status=CXIssueStatus.RESOLVED)
        .order_by("raised_at", "pk")
        .first()
    )


def _attach(*, issue: CXIssue, breach: Any) -> None:
    """Count a later breach against an open issue: count, worst and latest value, history, and
    escalation (accountability.stats.issue_escalates) — all in the caller's transaction."""
    CXIssueBreach.objects.create(issue=issue, breach=breach, attached_at=breach.detected_at)
    first_value = issue.breach.value if issue.breach is not None else breach.value
    issue.breach_count += 1
    issue.worst_value = (
        breach.value if issue.worst_value is None else min(issue.worst_value, breach.value)
    )
    issue.latest_value = breach.value
    issue.escalated = issue.escalated or stats.issue_escalates(
        breach_count=issue.breach_count, first_value=first_value, latest_value=breach.value
    )
    issue.updated_at = timezone.now()
    issue.version += 1
    issue.save(
        update_fields=[
            "breach_count",
            "worst_value",
            "latest_value",
            "escalated",
            "updated_at",
            "version",
        ]
    )
    issue.events.create(
        actor=None,
        at=issue.updated_at,
        kind=EventKind.BREACH,
        from_status=issue.status,
        to_status=issue.status,
        note=f"Breach attached: {breach.summary} ({breach.grain} of {breach.period_start}).",
    )


@transaction.atomic
def cx_issues_raise_from_breaches(*, breach_ids: Iterable[int] | None = None) -> list[CXIssue]:
    """Count each metrics Breach not yet counted against a CX issue; returns the new issues.

    One open issue per scope (touch point) × metric: a breach whose scope and metric already
    have an open (not resolved) issue attaches to it — the issue counts it, keeps the worst and
    latest value and may escalate — instead of raising another. After the issue is resolved a
    new breach raises a new one. Idempotent: a breach is linked to one issue at most (a unique
    link in the database), so re-running detection, the signal and meeting opening count nothing
    twice. Breaches with no accountable department (an organisation-wide score) are left to the
    CCO to raise by hand.
    """
    Breach = apps.get_model("metrics", "Breach")
    breaches = Breach.objects.filter(cx_issue_link__isnull=True).select_related("touchpoint")
    if breach_ids is not None:
        breaches = breaches.filter(pk__in=list(breach_ids))
    known_departments = set(Department.objects.values_list("pk", flat=True))
    raised = []
    # Oldest first, so the first breach of an incident raises the issue and the later ones
    # attach to it in the order they happened (one detection run: by period).
    for breach in breaches.order_by("detected_at", "period_start", "pk"):
        department_id = _breach_department_id(breach)
        if department_id is None or department_id not in known_departments:
            continue
        existing = _open_issue_for(breach)
        if existing is not None:
            _attach(issue=existing, breach=breach)
            continue
        issue = CXIssue.objects.create(
            # A touch point's name is at most 120 characters, so a title never reaches the
            # 300 the column holds: a cut at 299 or 301 changes nothing.
            title=_breach_title(breach)[:300],  # pragma: no mutate
            description=_breach_description(breach),
            touchpoint_id=breach.touchpoint_id,
            scope=breach.scope,
            scope_id=breach.scope_id,
            metric=breach.metric,
            department_id=department_id,
            origin=IssueOrigin.BREACH,
            breach=breach,
            breach_count=1,
            worst_value=breach.value,
            latest_value=breach.value,
            raised_at=breach.detected_at,
        )
        CXIssueBreach.objects.create(issue=issue, breach=breach, attached_at=breach.detected_at)
        history_created(obj=issue, actor=None, at=timezone.now(), note=f"Raised from {breach}.")
        raised.append(issue)
    return raised


@transaction.atomic
def cx_issue_raise(
    *,
    actor: User,
    title: str,
    department: Department,
    description: str = "",
    touchpoint_id: int | None = None,
) -> CXIssue:
    """Raise a CX issue by hand against the accountable department."""
    title = title.strip()
    if not title:
        raise ValidationError({"title": "Say what the customer experiences."})
    if touchpoint_id is not None:
        Touchpoint = apps.get_model("metrics", "Touchpoint")
        if not Touchpoint.objects.filter(pk=touchpoint_id).exists():
            raise ValidationError({"touchpoint": f"There is no touch point {touchpoint_id}."})
    now = timezone.now()
    issue = CXIssue.objects.create(
        title=title,
        description=description,
        department=department,
        touchpoint_id=touchpoint_id,
        scope="touchpoint" if touchpoint_id else "",
        scope_id=touchpoint_id,
        origin=IssueOrigin.MANUAL,
        raised_by=actor,
        raised_at=now,
        updated_at=now,
    )
    history_created(obj=issue, actor=actor, at=now)
    return issue


@transaction.atomic
def cx_issue_update(
    *,
    issue_id: int,
    actor: User,
    expected_version: int,
    root_cause: str | None = None,
    remediation_plan: str | None = None,
    status: str | None = None,
    note: str = "",
) -> CXIssue:
    """Write the root cause and remediation plan, move the status, or add a note.

    An issue cannot be resolved (nor its plan agreed) without a root cause and a remediation
    plan. Versioned like action items: a stale `expected_version` raises `VersionConflict`.
    """
    issue = CXIssue.objects.get(pk=issue_id)
    note = note.strip()
    changes: dict[str, object] = {}
    if root_cause is not None and root_cause.strip() != issue.root_cause:
        changes["root_cause"] = root_cause.strip()
    if remediation_plan is not None and remediation_plan.strip() != issue.remediation_plan:
        changes["remediation_plan"] = remediation_plan.strip()
    errors: dict[str, str] = {}
    if status is not None and status != issue.status:
        if status not in CXIssueStatus.values:
            errors["status"] = (
                f"{status!r} is not a status; use one of {', '.join(CXIssueStatus.values)}."
            )
        else:
            changes["status"] = status
            # "resolved" sorts after "open" and "plan_agreed", the only other statuses allowed
            # here, so a `>=` would stamp the same saves.
            changes["resolved_at"] = (
                timezone.now() if status == CXIssueStatus.RESOLVED else None  # pragma: no mutate
            )
    final_status = changes.get("status", issue.status)
    if final_status in (CXIssueStatus.PLAN_AGREED, CXIssueStatus.RESOLVED):
        # Only "plan_agreed" and "resolved" reach here, and "resolved" sorts last: `>=` is `==`.
        label = (
            "resolved"
            if final_status == CXIssueStatus.RESOLVED  # pragma: no mutate
            else "given an agreed plan"
        )
        if not changes.get("root_cause", issue.root_cause):
            errors["root_cause"] = f"An issue cannot be {label} without a root cause."
        if not changes.get("remediation_plan", issue.remediation_plan):
            errors["remediation_plan"] = f"An issue cannot be {label} without a remediation plan."
    if errors:
        raise ValidationError(errors)
    edited = [name for name in ("root_cause", "remediation_plan") if name in changes]
    written = versioned_update(
        obj=issue,
        actor=actor,
        expected_version=expected_version,
        changes=changes,
        note=note,
        edited=f"Updated {' and '.join(edited)}.".replace("_", " ") if edited else "",
    )
    if not written:
        return issue
    return CXIssue.objects.select_related("department", "touchpoint").get(pk=issue_id)
