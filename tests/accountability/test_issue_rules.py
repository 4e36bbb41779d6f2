"""Every rule of raising and updating a CX issue (accountability/services/issues.py), each refusal
checked in the database: a refused save leaves the issue and its history as they were."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accountability import services
from accountability.models import CXIssue, CXIssueEvent, CXIssueStatus, EventKind, IssueOrigin
from cco.models import Department, Role, User
from metrics.models import BreachRule, Grain, Metric, Scope
from tests.accountability.factories import BreachFactory
from tests.factories import DepartmentFactory, UserFactory
from tests.metrics.factories import TouchpointFactory

pytestmark = pytest.mark.django_db

TZ = ZoneInfo(settings.TIME_ZONE)


@pytest.fixture
def returns() -> Department:
    # Ids past 256: Python shares the objects of small numbers, so an `is` slipped in where
    # `==` belongs would pass unnoticed with them.
    return DepartmentFactory(id=910_001, name="Returns", slug="returns")


@pytest.fixture
def chief() -> User:
    """The CCO by role alone: no superuser or staff flag."""
    return UserFactory(
        id=900_003, username="chief", role=Role.CCO, is_superuser=False, is_staff=False
    )


@pytest.fixture
def head(returns: Department) -> User:
    return UserFactory(
        id=900_001, username="returns-head", role=Role.DEPARTMENT_HEAD, department=returns
    )


@pytest.fixture
def issue(returns: Department, chief: User) -> CXIssue:
    return services.cx_issue_raise(actor=chief, title="Refunds take a month", department=returns)


def as_sent(text: str) -> str:
    """A value as a form or the API delivers it: an equal string, not the enum member itself."""
    return "".join(list(text))


def stored(issue: CXIssue) -> tuple:
    row = CXIssue.objects.get(pk=issue.pk)
    history = list(
        CXIssueEvent.objects.filter(issue=issue)
        .order_by("pk")
        .values_list("kind", "from_status", "to_status", "note")
    )
    return (
        row.status,
        row.root_cause,
        row.remediation_plan,
        row.resolved_at,
        row.version,
        row.updated_at,
        history,
    )


def refused(issue: CXIssue, **update) -> dict[str, list[str]]:
    """Run an update that must be refused; check nothing was written; return the messages."""
    before = stored(issue)
    with pytest.raises(ValidationError) as error:
        services.cx_issue_update(issue_id=issue.pk, **update)
    assert stored(issue) == before
    return error.value.message_dict


# --- Raising by hand ---------------------------------------------------------------------------


def test_an_issue_raised_by_hand_is_open_at_version_1_with_its_created_history(returns, chief):
    touchpoint = TouchpointFactory(department=returns)
    raised = services.cx_issue_raise(
        actor=chief,
        title="  Refunds take a month ",
        department=returns,
        description="Seen in verbatims",
        touchpoint_id=touchpoint.pk,
    )

    row = CXIssue.objects.get(pk=raised.pk)
    assert (row.title, row.description, row.department, row.status, row.version) == (
        "Refunds take a month",
        "Seen in verbatims",
        returns,
        CXIssueStatus.OPEN,
        1,
    )
    assert (row.touchpoint, row.scope, row.scope_id) == (touchpoint, "touchpoint", touchpoint.pk)
    assert (row.origin, row.raised_by, row.breach) == (IssueOrigin.MANUAL, chief, None)
    assert row.raised_at == row.updated_at
    [event] = CXIssueEvent.objects.filter(issue=row)
    assert (event.kind, event.to_status, event.actor, event.at) == (
        EventKind.CREATED,
        CXIssueStatus.OPEN,
        chief,
        row.raised_at,
    )


def test_an_issue_without_a_touch_point_has_no_scope(returns, chief):
    raised = services.cx_issue_raise(actor=chief, title="Rude staff", department=returns)
    row = CXIssue.objects.get(pk=raised.pk)
    assert (row.touchpoint, row.scope, row.scope_id) == (None, "", None)


@pytest.mark.parametrize("title", ["", "   "])
def test_an_issue_without_a_title_is_not_raised(returns, chief, title):
    with pytest.raises(ValidationError) as error:
        services.cx_issue_raise(actor=chief, title=title, department=returns)
    assert set(error.value.message_dict) == {"title"}
    assert CXIssue.objects.count() == 0
    assert CXIssueEvent.objects.count() == 0


def test_an_issue_on_a_touch_point_that_does_not_exist_is_not_raised(returns, chief):
    with pytest.raises(ValidationError) as error:
        services.cx_issue_raise(actor=chief, title="Slow", department=returns, touchpoint_id=999)
    assert error.value.message_dict == {"touchpoint": ["There is no touch point 999."]}
    assert CXIssue.objects.count() == 0


# --- Raising from breaches ---------------------------------------------------------------------


def test_each_breach_raises_exactly_one_issue_against_the_accountable_department(returns):
    touchpoint = TouchpointFactory(name="Returns desk", department=returns)
    breach = BreachFactory(
        touchpoint=touchpoint,
        metric=Metric.NPS,
        rule=BreachRule.BELOW_FLOOR,
        grain=Grain.WEEK,
        period_start=date(2026, 2, 16),
        value=-12.0,
        low=-20.0,
        high=-4.0,
        n=180,
        reference_value=10.0,
        detected_at=datetime(2026, 2, 23, 6, 0, tzinfo=TZ),
    )

    [raised] = services.cx_issues_raise_from_breaches()
    again = services.cx_issues_raise_from_breaches()

    assert again == []
    row = CXIssue.objects.get()
    assert row.pk == raised.pk
    assert row.title == (
        "Returns desk: NPS below the floor — -12.0, floor 10.0, no score the week before; "
        "week of 16 Feb 2026"
    )
    assert row.description == (
        f"Raised automatically from {breach}. Sample size 180, 95% interval -20.0 to -4.0."
    )
    assert (row.department, row.touchpoint, row.breach, row.origin) == (
        returns,
        touchpoint,
        breach,
        IssueOrigin.BREACH,
    )
    assert (row.scope, row.scope_id) == (Scope.TOUCHPOINT, touchpoint.pk)
    assert row.raised_at == breach.detected_at
    [event] = CXIssueEvent.objects.filter(issue=row)
    assert (event.kind, event.actor, event.note, event.to_status) == (
        EventKind.CREATED,
        None,
        f"Raised from {breach}.",
        CXIssueStatus.OPEN,
    )


def test_a_breach_without_an_interval_or_reference_says_so_plainly(returns):
    breach = BreachFactory(
        touchpoint=TouchpointFactory(name="Web", department=returns),
        low=None,
        high=-4.0,
        reference_value=None,
        value=3.25,
        rule=BreachRule.SIGNIFICANT_DROP,
        grain=Grain.MONTH,
        period_start=date(2026, 1, 1),
    )

    [raised] = services.cx_issues_raise_from_breaches()

    assert raised.title == (
        "Web: NPS significant drop — 3.2, no score the month before; month of 01 Jan 2026"
    )
    assert raised.description == f"Raised automatically from {breach}. Sample size 180."


def test_a_department_wide_breach_is_raised_against_that_department_and_others_are_left(returns):
    department_wide = BreachFactory(touchpoint=None, scope=Scope.DEPARTMENT, scope_id=returns.pk)
    BreachFactory(touchpoint=None, scope=Scope.DEPARTMENT, scope_id=returns.pk + 1000)
    BreachFactory(touchpoint=None, scope=Scope.ORGANISATION, scope_id=0)
    BreachFactory(touchpoint=None, scope=Scope.JOURNEY, scope_id=returns.pk)

    [raised] = services.cx_issues_raise_from_breaches()

    assert (raised.breach, raised.department, raised.touchpoint) == (department_wide, returns, None)
    assert raised.title.startswith(f"department {returns.pk}: ")
    assert CXIssue.objects.count() == 1


def test_a_breach_left_to_the_cco_does_not_stop_the_ones_after_it(returns):
    now = datetime(2026, 3, 2, 6, 0, tzinfo=TZ)
    BreachFactory(
        touchpoint=None, scope=Scope.ORGANISATION, scope_id=0, detected_at=now - timedelta(days=1)
    )
    later = BreachFactory(touchpoint=TouchpointFactory(department=returns), detected_at=now)

    [raised] = services.cx_issues_raise_from_breaches()

    assert raised.breach == later


def test_only_the_breaches_named_are_raised_oldest_first(returns):
    touchpoint = TouchpointFactory(department=returns)
    now = datetime(2026, 3, 2, 6, 0, tzinfo=TZ)
    # Another metric, so it raises an issue of its own rather than attaching to the older one.
    newer = BreachFactory(
        touchpoint=touchpoint, metric=Metric.CSAT, detected_at=now, period_start=date(2026, 2, 23)
    )
    older = BreachFactory(
        touchpoint=touchpoint, detected_at=now - timedelta(days=7), period_start=date(2026, 2, 16)
    )
    left = BreachFactory(touchpoint=touchpoint, detected_at=now, period_start=date(2026, 2, 9))

    raised = services.cx_issues_raise_from_breaches(breach_ids=[newer.pk, older.pk])

    assert [issue.breach for issue in raised] == [older, newer]
    assert not CXIssue.objects.filter(breach=left).exists()
    assert services.cx_issues_raise_from_breaches(breach_ids=[]) == []


# --- Refused updates ---------------------------------------------------------------------------


def test_a_status_that_does_not_exist_is_refused(issue, chief):
    messages = refused(issue, actor=chief, expected_version=1, status="closed")
    assert set(messages) == {"status"}
    assert "'closed' is not a status" in messages["status"][0]


@pytest.mark.parametrize(
    ("status", "label"),
    [(CXIssueStatus.PLAN_AGREED, "given an agreed plan"), (CXIssueStatus.RESOLVED, "resolved")],
)
def test_a_plan_or_a_resolution_needs_a_root_cause_and_a_remediation_plan(
    issue, head, status, label
):
    messages = refused(issue, actor=head, expected_version=1, status=status)
    assert messages == {
        "root_cause": [f"An issue cannot be {label} without a root cause."],
        "remediation_plan": [f"An issue cannot be {label} without a remediation plan."],
    }
    messages = refused(issue, actor=head, expected_version=1, status=status, root_cause="Staff")
    assert set(messages) == {"remediation_plan"}
    messages = refused(
        issue,
        actor=head,
        expected_version=1,
        status=status,
        remediation_plan="Train",
        root_cause="   ",
    )
    assert set(messages) == {"root_cause"}


def test_the_root_cause_of_a_resolved_issue_cannot_be_emptied(issue, head):
    services.cx_issue_update(
        issue_id=issue.pk,
        actor=head,
        expected_version=1,
        root_cause="Staff",
        remediation_plan="Train",
        status=CXIssueStatus.RESOLVED,
    )

    messages = refused(issue, actor=head, expected_version=2, root_cause="")
    assert set(messages) == {"root_cause"}
    messages = refused(issue, actor=head, expected_version=2, remediation_plan=" ")
    assert set(messages) == {"remediation_plan"}


def test_a_stale_save_that_changes_nothing_still_conflicts(issue, head, chief):
    services.cx_issue_update(issue_id=issue.pk, actor=head, expected_version=1, note="Looking")
    before = stored(issue)

    with pytest.raises(services.Conflict) as conflict:
        services.cx_issue_update(
            issue_id=issue.pk,
            actor=chief,
            expected_version=1,
            status=CXIssueStatus.OPEN,
            root_cause="",
        )

    assert conflict.value.current_version == 2
    assert str(head) in str(conflict.value)
    assert stored(issue) == before


def test_a_stale_save_with_a_change_conflicts_and_writes_nothing(issue, head, chief):
    services.cx_issue_update(issue_id=issue.pk, actor=head, expected_version=1, note="Looking")
    before = stored(issue)

    with pytest.raises(services.Conflict):
        services.cx_issue_update(
            issue_id=issue.pk, actor=chief, expected_version=1, root_cause="Staff"
        )

    assert stored(issue) == before


def test_a_failure_while_writing_the_history_leaves_the_issue_as_it_was(issue, head, monkeypatch):
    before = stored(issue)

    def broken(*args, **kwargs):
        raise RuntimeError("history table unavailable")

    monkeypatch.setattr(CXIssueEvent, "save", broken)
    with pytest.raises(RuntimeError):
        services.cx_issue_update(
            issue_id=issue.pk, actor=head, expected_version=1, root_cause="Staff"
        )
    monkeypatch.undo()

    assert stored(issue) == before


# --- Allowed updates ---------------------------------------------------------------------------


def test_a_fresh_save_that_changes_nothing_writes_nothing(issue, head):
    before = stored(issue)

    same = services.cx_issue_update(
        issue_id=issue.pk,
        actor=head,
        expected_version=1,
        status=CXIssueStatus.OPEN,
        root_cause="  ",
        remediation_plan="",
        note=" ",
    )

    assert (same.pk, same.version) == (issue.pk, 1)
    assert stored(issue) == before


def test_a_save_that_changes_nothing_reads_the_issue_once(issue, head):
    with CaptureQueriesContext(connection) as queries:
        services.cx_issue_update(issue_id=issue.pk, actor=head, expected_version=1, note=" ")
    reads = [q["sql"] for q in queries if "accountability_cxissue" in q["sql"]]
    assert len(reads) == 1
    assert reads[0].lstrip().upper().startswith("SELECT")


def test_cause_plan_and_resolution_in_one_save_resolve_the_issue(issue, head):
    resolved = services.cx_issue_update(
        issue_id=issue.pk,
        actor=head,
        expected_version=1,
        root_cause=" Too few staff ",
        remediation_plan=" Hire two ",
        status=CXIssueStatus.RESOLVED,
        note="Done",
    )

    row = CXIssue.objects.get(pk=issue.pk)
    assert (row.status, row.root_cause, row.remediation_plan, row.version) == (
        CXIssueStatus.RESOLVED,
        "Too few staff",
        "Hire two",
        2,
    )
    assert row.resolved_at is not None and row.resolved_at == resolved.resolved_at
    history = list(
        CXIssueEvent.objects.filter(issue=issue).order_by("pk").values_list("kind", "note")
    )
    assert history == [
        (EventKind.CREATED, ""),
        (EventKind.STATUS, "Done"),
        (EventKind.EDITED, "Updated root cause and remediation plan."),
    ]
    status_event = CXIssueEvent.objects.get(issue=issue, kind=EventKind.STATUS)
    assert (status_event.from_status, status_event.to_status, status_event.actor) == (
        CXIssueStatus.OPEN,
        CXIssueStatus.RESOLVED,
        head,
    )


def test_a_plan_written_first_lets_the_plan_be_agreed_later_and_reopening_clears_resolution(
    issue, head
):
    services.cx_issue_update(
        issue_id=issue.pk, actor=head, expected_version=1, root_cause="Too few staff"
    )
    assert CXIssueEvent.objects.filter(issue=issue).latest("pk").note == "Updated root cause."
    services.cx_issue_update(
        issue_id=issue.pk, actor=head, expected_version=2, remediation_plan="Hire two"
    )
    agreed = services.cx_issue_update(
        issue_id=issue.pk, actor=head, expected_version=3, status=CXIssueStatus.PLAN_AGREED
    )
    assert (agreed.status, agreed.resolved_at, agreed.version) == (
        CXIssueStatus.PLAN_AGREED,
        None,
        4,
    )

    resolved = services.cx_issue_update(
        issue_id=issue.pk, actor=head, expected_version=4, status=CXIssueStatus.RESOLVED
    )
    assert resolved.resolved_at is not None
    reopened = services.cx_issue_update(
        issue_id=issue.pk, actor=head, expected_version=5, status=CXIssueStatus.OPEN
    )
    assert (reopened.status, reopened.resolved_at) == (CXIssueStatus.OPEN, None)


def test_a_resolution_sent_as_text_is_stamped_and_worded_as_a_resolution(issue, head):
    messages = refused(issue, actor=head, expected_version=1, status=as_sent("resolved"))
    assert messages["root_cause"] == ["An issue cannot be resolved without a root cause."]

    resolved = services.cx_issue_update(
        issue_id=issue.pk,
        actor=head,
        expected_version=1,
        root_cause="Staff",
        remediation_plan="Train",
        status=as_sent("resolved"),
    )
    assert resolved.resolved_at is not None


def test_saving_the_same_cause_and_plan_again_writes_nothing(issue, head):
    services.cx_issue_update(
        issue_id=issue.pk,
        actor=head,
        expected_version=1,
        root_cause="Too few staff",
        remediation_plan="Hire two",
    )
    before = stored(issue)

    same = services.cx_issue_update(
        issue_id=issue.pk,
        actor=head,
        expected_version=2,
        root_cause=as_sent("Too few staff"),
        remediation_plan=as_sent("Hire two "),
    )

    assert same.version == 2
    assert stored(issue) == before


def test_an_issue_saved_hundreds_of_times_still_tells_fresh_from_stale(issue, head, chief):
    CXIssue.objects.filter(pk=issue.pk).update(version=1000)
    before = stored(issue)

    assert services.cx_issue_update(
        issue_id=issue.pk, actor=head, expected_version=1000
    ).version == (1000)
    with pytest.raises(services.Conflict):
        services.cx_issue_update(issue_id=issue.pk, actor=chief, expected_version=999)
    assert stored(issue) == before
    moved = services.cx_issue_update(
        issue_id=issue.pk, actor=head, expected_version=1000, note="Still going"
    )
    assert moved.version == 1001


def test_a_conflict_after_an_automatic_change_names_someone_else(returns, chief):
    breach = BreachFactory(touchpoint=TouchpointFactory(department=returns))
    [raised] = services.cx_issues_raise_from_breaches(breach_ids=[breach.pk])
    last = CXIssueEvent.objects.get(issue=raised)

    with pytest.raises(services.Conflict) as conflict:
        services.cx_issue_update(issue_id=raised.pk, actor=chief, expected_version=0)

    assert (conflict.value.changed_by, conflict.value.changed_at) == ("someone else", last.at)
    assert conflict.value.current_version == 1
    assert str(conflict.value).startswith("This CX issue was changed by someone else at ")


def test_a_conflict_on_an_issue_without_history_gives_its_last_change(returns, chief):
    bare = CXIssue.objects.create(
        title="Imported", department=returns, origin=IssueOrigin.MANUAL, version=2
    )

    with pytest.raises(services.Conflict) as conflict:
        services.cx_issue_update(issue_id=bare.pk, actor=chief, expected_version=1)

    assert (conflict.value.changed_by, conflict.value.changed_at) == (
        "someone else",
        bare.updated_at,
    )


def test_a_failure_while_writing_the_created_history_raises_no_issue(returns, chief, monkeypatch):
    BreachFactory(touchpoint=TouchpointFactory(department=returns))

    def broken(*args, **kwargs):
        raise RuntimeError("history table unavailable")

    monkeypatch.setattr(CXIssueEvent, "save", broken)
    with pytest.raises(RuntimeError):
        services.cx_issue_raise(actor=chief, title="Slow refunds", department=returns)
    with pytest.raises(RuntimeError):
        services.cx_issues_raise_from_breaches()
    monkeypatch.undo()

    assert CXIssue.objects.count() == 0


def test_a_note_alone_is_a_progress_note_and_a_new_version(issue, head):
    updated = services.cx_issue_update(
        issue_id=issue.pk, actor=head, expected_version=1, note="  Called the store  "
    )

    assert (updated.status, updated.version) == (CXIssueStatus.OPEN, 2)
    last = CXIssueEvent.objects.filter(issue=issue).latest("pk")
    assert (last.kind, last.note, last.actor) == (EventKind.NOTE, "Called the store", head)
    assert CXIssueEvent.objects.filter(issue=issue).count() == 2


def test_an_issue_escalates_at_its_second_breach_when_that_one_is_worse(returns):
    touchpoint = TouchpointFactory(department=returns)
    monday = date(2026, 2, 2)
    BreachFactory(touchpoint=touchpoint, period_start=monday, value=10.5)
    [raised] = services.cx_issues_raise_from_breaches()
    BreachFactory(touchpoint=touchpoint, period_start=monday + timedelta(weeks=1), value=10.4)

    assert services.cx_issues_raise_from_breaches() == []

    row = CXIssue.objects.get(pk=raised.pk)
    assert (row.breach_count, row.latest_value, row.escalated) == (2, 10.4, True)
