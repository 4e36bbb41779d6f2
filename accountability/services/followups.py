"""Follow-up cases: opened from low scores, assigned, worked and closed without lost updates."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Max, Model, Q
from django.db.models.signals import post_save
from django.utils import timezone

from accountability import stats
from accountability.models import (
    DEFAULT_THRESHOLDS,
    CXIssue,
    FollowupCase,
    FollowupCaseResponse,
    FollowupEvent,
    FollowupEventKind,
    FollowupOutcome,
    FollowupPolicy,
    FollowupStatus,
    FollowupThreshold,
    FollowupWatermark,
    RootCause,
)
from accountability.services.actions import _owner_problem
from accountability.services.issues import cx_issue_raise
from accountability.services.versioned import versioned_update
from cco.models import User
from metrics.models import SCORE_RANGES, Metric, SurveyResponse, Touchpoint
from metrics.services.rollups import acquire_rollup_lock


def followup_policy() -> FollowupPolicy:
    """The one policy row, made with the defaults the first time it is asked for."""
    policy, _ = FollowupPolicy.objects.get_or_create(pk=1)
    return policy


@dataclass(frozen=True)
class Thresholds:
    """The raw score at or below which a response opens a case, per touch point and metric."""

    defaults: dict[str, int]
    overrides: dict[tuple[int, str], int]

    def for_response(self, touchpoint_id: int, metric: str) -> int:
        return self.overrides.get((touchpoint_id, metric), self.defaults[metric])

    def highest(self, metric: str) -> int:
        own = [value for (_, m), value in self.overrides.items() if m == metric]
        return max([self.defaults[metric], *own])


def followup_thresholds() -> Thresholds:
    return Thresholds(
        defaults=dict(DEFAULT_THRESHOLDS),
        overrides={
            (tp, metric): value
            for tp, metric, value in FollowupThreshold.objects.values_list(
                "touchpoint_id", "metric", "at_or_below"
            )
        },
    )


# Candidates filed per batch: a few queries each, whatever the batch's size.
BATCH_SIZE = 2000
# Bound parameters per statement: under SQLite's lowest limit (999).
PARAMETERS_PER_STATEMENT = 990


@dataclass
class _Joinable:
    """A case a low score can join, as the batch sees it: its id (None until created), whether
    it is open, when its latest low score was given and what this batch adds to it."""

    pk: int | None
    is_open: bool
    last_response_at: datetime
    added: int = 0
    new: FollowupCase | None = None


@transaction.atomic
def followup_cases_open(
    *, now: datetime | None = None, response_ids: list[int] | None = None
) -> list[int]:
    """Open (or add to) follow-up cases for responses stored since the last run.

    A response counts when it carries a customer id, was given at most the policy's
    `max_age_days` ago (a historical import opens nothing) and its score is at or below its
    threshold. It joins the customer's open case with the touch point's department, or a closed
    one whose last low score is within `dedupe_days`; otherwise it opens a case due
    `sla_working_days` working days after today. Responses are taken in the order they were
    given, in batches of BATCH_SIZE filed with a few set-based queries each. Returns the ids of
    the cases touched.

    Holds the roll-up lock exclusively (as a roll-up does), so no import still in flight can
    commit a response below the watermark this run moves. `response_ids` considers those
    responses alone and leaves the watermark where it is (the demo's chosen history).
    """
    now = now or timezone.now()
    acquire_rollup_lock()
    mark, _ = FollowupWatermark.objects.select_for_update().get_or_create(pk=1)
    newer = (
        SurveyResponse.objects.filter(pk__in=response_ids)
        if response_ids is not None
        else SurveyResponse.objects.filter(pk__gt=mark.last_response_id)
    )
    top = newer.aggregate(top=Max("pk"))["top"]
    if top is None:
        return []
    policy = followup_policy()
    limits = followup_thresholds()
    low = Q()
    for metric in Metric.values:
        low |= Q(metric=metric, score__lte=limits.highest(metric))
    candidates = [
        row
        for row in newer.exclude(customer_id="")
        .filter(low, responded_at__gte=now - timedelta(days=policy.max_age_days))
        .filter(followup_link__isnull=True)
        .order_by("responded_at", "pk")
        .values_list("pk", "touchpoint_id", "metric", "score", "responded_at", "customer_id")
        if stats.is_low_score(row[3], limits.for_response(row[1], row[2]))
    ]
    touchpoints = {
        touchpoint.pk: touchpoint
        for touchpoint in Touchpoint.objects.filter(pk__in={row[1] for row in candidates})
    }
    touched: set[int] = set()
    for first in range(0, len(candidates), BATCH_SIZE):
        touched |= _file_batch(
            candidates[first : first + BATCH_SIZE], touchpoints, policy=policy, now=now
        )
    if response_ids is None:
        FollowupWatermark.objects.filter(pk=1).update(last_response_id=top, updated_at=now)
    return sorted(touched)


def _joinable(keys: set[tuple[int, str]]) -> dict[tuple[int, str], _Joinable]:
    """Per (department, customer): the open case, else the closed case with the latest low
    score (the only closed one a later low score can be within the window of). One query."""
    found: dict[tuple[int, str], _Joinable] = {}
    cases = FollowupCase.objects.filter(
        customer_id__in={customer for _, customer in keys},
        department_id__in={department for department, _ in keys},
    ).order_by("last_response_at", "pk")
    for pk, department_id, customer_id, status, last in cases.values_list(
        "pk", "department_id", "customer_id", "status", "last_response_at"
    ):
        key = (department_id, customer_id)
        if key not in keys or (key in found and found[key].is_open):
            continue
        found[key] = _Joinable(pk, status != FollowupStatus.CLOSED, last)
    return found


def _insert(model: type[Model], columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Plain rows into a model's table, many a statement (what bulk_create writes, without
    building a model instance a row: values already as the database takes them)."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
    per_statement = PARAMETERS_PER_STATEMENT // len(columns)
    with connection.cursor() as cursor:
        for first in range(0, len(rows), per_statement):
            chunk = rows[first : first + per_statement]
            cursor.execute(
                # Names from the model's own meta, every value bound: nothing from outside.
                f"INSERT INTO {table} ({names}) VALUES {', '.join([placeholder] * len(chunk))}",  # noqa: S608
                [value for row in chunk for value in row],
            )


def _add_responses(cases: list[_Joinable]) -> None:
    """Count a batch's further low scores on cases that existed before it: response_count
    grows by what the batch added and last_response_at moves to its latest, by one UPDATE
    joined to a VALUES list (PostgreSQL and SQLite name its columns column1, column2…)."""
    table = connection.ops.quote_name(FollowupCase._meta.db_table)
    per_statement = PARAMETERS_PER_STATEMENT // 3
    with connection.cursor() as cursor:
        for first in range(0, len(cases), per_statement):
            chunk = cases[first : first + per_statement]
            cursor.execute(
                # The table's name from the model's meta, every value bound.
                f"UPDATE {table} SET response_count = {table}.response_count + added.column2, "  # noqa: S608
                "last_response_at = added.column3 "
                f"FROM (VALUES {', '.join(['(%s, %s, %s)'] * len(chunk))}) AS added "
                f"WHERE {table}.id = added.column1",
                [
                    value
                    for case in chunk
                    for value in (
                        case.pk,
                        case.added,
                        connection.ops.adapt_datetimefield_value(case.last_response_at),
                    )
                ],
            )


def _file_batch(
    rows: list[tuple[int, int, str, int, datetime, str]],
    touchpoints: dict[int, Touchpoint],
    *,
    policy: FollowupPolicy,
    now: datetime,
) -> set[int]:
    """File one batch of low responses (in the order given): the same decisions as filing them
    one at a time, then every write in bulk."""
    keys = {(touchpoints[row[1]].department_id, row[5]) for row in rows}
    cases = _joinable(keys)
    existing = list(cases.values())
    due_on = stats.add_working_days(timezone.localdate(now), policy.sla_working_days)
    window = timedelta(days=policy.dedupe_days)
    filed: list[tuple[_Joinable, int, str]] = []  # (case, response, what the history says)
    created: list[_Joinable] = []
    for pk, touchpoint_id, metric, score, responded_at, customer_id in rows:
        touchpoint = touchpoints[touchpoint_id]
        key = (touchpoint.department_id, customer_id)
        said = f"{Metric(metric).label} {score} at {touchpoint.name}"
        case = cases.get(key)
        if case is not None and (case.is_open or case.last_response_at >= responded_at - window):
            case.added += 1
            case.last_response_at = max(case.last_response_at, responded_at)
        else:
            case = cases[key] = _Joinable(None, True, responded_at)
            case.new = FollowupCase(
                department_id=touchpoint.department_id,
                touchpoint=touchpoint,
                customer_id=customer_id,
                opened_at=now,
                due_on=due_on,
                last_response_at=responded_at,
                updated_at=now,
            )
            created.append(case)
        filed.append((case, pk, said))
    for case in created:
        assert case.new is not None  # noqa: S101 - a created case holds its new row
        case.new.response_count = 1 + case.added
        case.new.last_response_at = case.last_response_at
    FollowupCase.objects.bulk_create([case.new for case in created if case.new is not None])
    for case in created:
        case.pk = case.new.pk if case.new is not None else None
    # No version bump: a new low score must not turn someone's open form into a conflict.
    _add_responses([case for case in existing if case.added])
    # The first low score of a new case opened it; each later one is another low score.
    opened: set[int] = set()
    events, links = [], []
    at = connection.ops.adapt_datetimefield_value(now)
    for case, response_id, said in filed:
        assert case.pk is not None  # noqa: S101 - every new case was saved above
        first = case.new is not None and case.pk not in opened
        opened.add(case.pk)
        kind = FollowupEventKind.CREATED if first else FollowupEventKind.RESPONSE
        events.append((case.pk, at, str(kind), "", str(FollowupStatus.OPEN) if first else "", said))
        links.append((case.pk, response_id))
    _insert(FollowupEvent, ("case_id", "at", "kind", "from_status", "to_status", "note"), events)
    _insert(FollowupCaseResponse, ("case_id", "response_id"), links)
    # Bulk writes send no signals: say once that cases changed (the overview's cache).
    post_save.send(sender=FollowupCase, instance=filed[0][0].new, created=bool(created))
    return opened


def _case(case_id: int) -> FollowupCase:
    return FollowupCase.objects.select_related("department").get(pk=case_id)


@transaction.atomic
def followup_case_assign(
    *, case_id: int, actor: User, expected_version: int, assignee: User | None, note: str = ""
) -> FollowupCase:
    """Name the person in the department who calls the customer back (a versioned write)."""
    case = _case(case_id)
    if problem := _owner_problem(assignee, case.department):
        raise ValidationError({"assignee": problem.replace("owner", "assignee")})
    changes: dict[str, Any] = {}
    if (assignee.pk if assignee else None) != case.assignee_id:
        changes["assignee"] = assignee
    versioned_update(
        obj=case,
        actor=actor,
        expected_version=expected_version,
        changes=changes,
        note=note.strip(),
        edited=f"assigned to {assignee or 'no one'}" if changes else "",
    )
    return _case(case_id)


@transaction.atomic
def followup_case_record(
    *,
    case_id: int,
    actor: User,
    expected_version: int,
    contacted: bool = False,
    outcome: str = "",
    root_cause: str = "",
    note: str = "",
) -> FollowupCase:
    """Record a contact attempt, the root cause, a note and/or the outcome that closes the case.

    Closing needs at least one contact attempt (this one counts); "resolved" also needs the
    root cause. A closed case takes no further records.
    """
    case = _case(case_id)
    note = note.strip()
    now = timezone.now()
    errors: dict[str, str] = {}
    if not case.is_open:
        raise ValidationError({"outcome": "This case is closed; it takes no further records."})
    if outcome and outcome not in FollowupOutcome.values:
        errors["outcome"] = f"{outcome!r} is not an outcome: {', '.join(FollowupOutcome.values)}."
    if root_cause and root_cause not in RootCause.values:
        errors["root_cause"] = f"{root_cause!r} is not a category: {', '.join(RootCause.values)}."
    attempts = case.contact_attempts + (1 if contacted else 0)
    if outcome and attempts < 1:
        errors["contacted"] = "Record a contact attempt before closing the case."
    if outcome == FollowupOutcome.RESOLVED and not (root_cause or case.root_cause):
        errors["root_cause"] = "Say what caused the low score before closing it as resolved."
    if not (contacted or outcome or root_cause or note):
        errors["note"] = "Record a contact attempt, an outcome, a root cause or a note."
    if errors:
        raise ValidationError(errors)
    changes: dict[str, Any] = {}
    if contacted:
        changes["contact_attempts"] = attempts
        if case.first_contact_at is None:
            changes["first_contact_at"] = now
    if root_cause and root_cause != case.root_cause:
        changes["root_cause"] = root_cause
    if outcome:
        changes.update(status=FollowupStatus.CLOSED, outcome=outcome, closed_at=now)
    elif contacted and case.status == FollowupStatus.OPEN:
        changes["status"] = FollowupStatus.CONTACTED
    versioned_update(
        obj=case,
        actor=actor,
        expected_version=expected_version,
        changes=changes,
        # A contact attempt carries its note on its own history row.
        note="" if contacted else note,
        edited=f"root cause → {root_cause}" if "root_cause" in changes else "",
    )
    if contacted:
        case.events.create(
            actor=actor,
            at=now,
            kind=FollowupEventKind.CONTACT,
            note=f"Attempt {attempts}. {note}".strip(),
        )
    return _case(case_id)


@transaction.atomic
def followup_case_raise_issue(
    *, case_id: int, actor: User, expected_version: int, title: str = ""
) -> CXIssue:
    """Raise a CX issue from a case whose cause is systemic; the two link to each other."""
    case = _case(case_id)
    if case.cx_issue_id is not None:
        raise ValidationError(
            {"cx_issue": f"This case already raised CX issue {case.cx_issue_id}."}
        )
    cause = case.get_root_cause_display() if case.root_cause else "cause to be found"
    issue = cx_issue_raise(
        actor=actor,
        title=title.strip() or f"{case.touchpoint.name}: {cause}",
        department=case.department,
        description=f"Raised from follow-up case {case.pk} (customer {case.customer_id}).",
        touchpoint_id=case.touchpoint_id,
    )
    versioned_update(
        obj=case,
        actor=actor,
        expected_version=expected_version,
        changes={"cx_issue": issue},
        edited=f"raised CX issue {issue.pk}",
    )
    return issue


def _threshold_problem(metric: str, value: int) -> str:
    low, high = SCORE_RANGES[metric]
    if not low <= value <= high:
        return f"{metric.upper()} scores run {low}–{high}; {value} is off the scale."
    return ""


@transaction.atomic
def followup_policy_update(
    *, sla_working_days: int, dedupe_days: int, max_age_days: int
) -> FollowupPolicy:
    """Set the service level and windows (the CCO's; the view checks who asks)."""
    errors = {}
    if not 1 <= sla_working_days <= 30:
        errors["sla_working_days"] = "The service level is 1 to 30 working days."
    if not 0 <= dedupe_days <= 365:
        errors["dedupe_days"] = "The window is 0 to 365 days."
    if not 1 <= max_age_days <= 365:
        errors["max_age_days"] = "The age limit is 1 to 365 days."
    if errors:
        raise ValidationError(errors)
    followup_policy()
    FollowupPolicy.objects.filter(pk=1).update(
        sla_working_days=sla_working_days,
        dedupe_days=dedupe_days,
        max_age_days=max_age_days,
        updated_at=timezone.now(),
    )
    return followup_policy()


@transaction.atomic
def followup_threshold_set(*, touchpoint: Touchpoint, metric: str, at_or_below: int | None) -> None:
    """A touch point's own threshold for a metric; None returns it to the default."""
    if metric not in Metric.values:
        raise ValidationError({"metric": f"{metric!r} is not a metric."})
    if at_or_below is None:
        FollowupThreshold.objects.filter(touchpoint=touchpoint, metric=metric).delete()
        return
    if problem := _threshold_problem(metric, at_or_below):
        raise ValidationError({"at_or_below": problem})
    FollowupThreshold.objects.update_or_create(
        touchpoint=touchpoint, metric=metric, defaults={"at_or_below": at_or_below}
    )
