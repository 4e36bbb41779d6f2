"""One open CX issue per touch point × metric: later breaches attach to it, count, and escalate;
a resolved issue lets the next breach raise a new one (accountability/services/issues.py)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from accountability import services, stats
from accountability.models import CXIssue, CXIssueBreach, CXIssueStatus, EventKind
from cco.models import Department
from metrics.models import BreachRule, Grain, Metric
from tests.accountability.factories import BreachFactory
from tests.factories import DepartmentFactory
from tests.metrics.factories import TouchpointFactory

pytestmark = pytest.mark.django_db

TZ = ZoneInfo(settings.TIME_ZONE)
MONDAY = datetime(2026, 11, 2, 6, 0, tzinfo=TZ)


@pytest.fixture
def returns() -> Department:
    return DepartmentFactory(id=7101, name="Returns", slug="returns")


def _breach(touchpoint, *, weeks: int, value: float, metric: str = Metric.NPS, **extra):
    return BreachFactory(
        touchpoint=touchpoint,
        metric=metric,
        grain=extra.pop("grain", Grain.WEEK),
        rule=extra.pop("rule", BreachRule.BELOW_FLOOR),
        period_start=date(2026, 10, 26) + timedelta(weeks=weeks),
        detected_at=MONDAY + timedelta(weeks=weeks),
        value=value,
        reference_value=20.0,
        previous_value=extra.pop("previous_value", 31.2),
        **extra,
    )


def test_a_later_breach_of_the_same_touch_point_and_metric_attaches_to_the_open_issue(returns):
    touchpoint = TouchpointFactory(department=returns)
    first = _breach(touchpoint, weeks=0, value=10.5)
    [issue] = services.cx_issues_raise_from_breaches()
    month = _breach(touchpoint, weeks=0, value=12.0, grain=Grain.MONTH)
    drop = _breach(touchpoint, weeks=1, value=11.0, rule=BreachRule.SIGNIFICANT_DROP)

    assert services.cx_issues_raise_from_breaches() == []

    row = CXIssue.objects.get()
    assert row.pk == issue.pk
    assert (row.breach, row.breach_count, row.worst_value, row.latest_value) == (
        first,
        3,
        10.5,
        11.0,
    )
    assert set(CXIssueBreach.objects.values_list("breach", flat=True)) == {
        first.pk,
        month.pk,
        drop.pk,
    }
    notes = list(
        row.events.filter(kind=EventKind.BREACH).order_by("pk").values_list("note", "actor")
    )
    assert notes == [
        (f"Breach attached: {month.summary} (month of 2026-10-26).", None),
        (f"Breach attached: {drop.summary} (week of 2026-11-02).", None),
    ]
    assert notes[0][0].startswith("Breach attached: 12.0, floor 20.0, was 31.2 last month")


def test_running_twice_attaches_nothing_twice(returns):
    touchpoint = TouchpointFactory(department=returns)
    _breach(touchpoint, weeks=0, value=10.5)
    _breach(touchpoint, weeks=1, value=12.0)

    services.cx_issues_raise_from_breaches()
    before = CXIssue.objects.values_list("breach_count", "version").get()
    assert services.cx_issues_raise_from_breaches() == []
    assert (
        services.cx_issues_raise_from_breaches(
            breach_ids=list(CXIssueBreach.objects.values_list("breach", flat=True))
        )
        == []
    )

    assert CXIssue.objects.values_list("breach_count", "version").get() == before == (2, 2)
    assert CXIssueBreach.objects.count() == 2


def test_the_same_touch_point_on_another_metric_raises_its_own_issue(returns):
    touchpoint = TouchpointFactory(department=returns)
    nps = _breach(touchpoint, weeks=0, value=10.5)
    ces = _breach(touchpoint, weeks=1, value=3.0, metric=Metric.CES)

    raised = services.cx_issues_raise_from_breaches()

    assert [(issue.breach, issue.metric, issue.breach_count) for issue in raised] == [
        (nps, Metric.NPS, 1),
        (ces, Metric.CES, 1),
    ]


def test_another_touch_point_on_the_same_metric_raises_its_own_issue(returns):
    _breach(TouchpointFactory(department=returns), weeks=0, value=10.5)
    _breach(TouchpointFactory(department=returns), weeks=0, value=10.5)

    assert len(services.cx_issues_raise_from_breaches()) == 2


def test_after_the_issue_is_resolved_a_new_breach_raises_a_new_issue(returns):
    touchpoint = TouchpointFactory(department=returns)
    _breach(touchpoint, weeks=0, value=10.5)
    [old] = services.cx_issues_raise_from_breaches()
    CXIssue.objects.filter(pk=old.pk).update(
        status=CXIssueStatus.RESOLVED, root_cause="Staffing", remediation_plan="Hire"
    )
    later = _breach(touchpoint, weeks=2, value=15.0)

    [new] = services.cx_issues_raise_from_breaches()

    assert new.pk != old.pk and new.breach == later
    assert CXIssue.objects.get(pk=old.pk).breach_count == 1


def test_an_issue_with_an_agreed_plan_is_still_open_and_takes_the_breach(returns):
    touchpoint = TouchpointFactory(department=returns)
    _breach(touchpoint, weeks=0, value=10.5)
    [issue] = services.cx_issues_raise_from_breaches()
    CXIssue.objects.filter(pk=issue.pk).update(status=CXIssueStatus.PLAN_AGREED)
    _breach(touchpoint, weeks=1, value=12.0)

    assert services.cx_issues_raise_from_breaches() == []
    assert CXIssue.objects.get().breach_count == 2


def test_an_issue_raised_by_hand_on_the_touch_point_does_not_take_breaches(returns, cco):
    touchpoint = TouchpointFactory(department=returns)
    services.cx_issue_raise(
        actor=cco, title="Slow", department=returns, touchpoint_id=touchpoint.pk
    )
    _breach(touchpoint, weeks=0, value=10.5)

    assert len(services.cx_issues_raise_from_breaches()) == 1
    assert CXIssue.objects.count() == 2


def test_the_issue_escalates_when_the_latest_breach_is_worse_than_the_first(returns):
    touchpoint = TouchpointFactory(department=returns)
    _breach(touchpoint, weeks=0, value=10.5)
    services.cx_issues_raise_from_breaches()
    _breach(touchpoint, weeks=1, value=10.5)
    services.cx_issues_raise_from_breaches()
    assert not CXIssue.objects.get().escalated  # as bad as the first, not worse

    _breach(touchpoint, weeks=2, value=10.4)
    services.cx_issues_raise_from_breaches()

    row = CXIssue.objects.get()
    assert (row.escalated, row.worst_value, row.latest_value) == (True, 10.4, 10.4)


def test_the_issue_escalates_at_its_third_breach_and_stays_escalated(returns):
    touchpoint = TouchpointFactory(department=returns)
    for weeks, value in enumerate([10.5, 15.0]):
        _breach(touchpoint, weeks=weeks, value=value)
    services.cx_issues_raise_from_breaches()
    assert not CXIssue.objects.get().escalated

    _breach(touchpoint, weeks=2, value=18.0)
    services.cx_issues_raise_from_breaches()
    assert CXIssue.objects.get().escalated
    _breach(touchpoint, weeks=3, value=19.0)
    services.cx_issues_raise_from_breaches()
    assert CXIssue.objects.values_list("escalated", "breach_count", "worst_value").get() == (
        True,
        4,
        10.5,
    )


@pytest.mark.parametrize(
    ("count", "first", "latest", "expected"),
    [
        (1, 10.0, 10.0, False),
        (2, 10.0, 10.0, False),
        (stats.ESCALATE_AFTER_BREACHES, 10.0, 12.0, True),
        (2, 10.0, 9.99, True),
        (2, 10.0, 10.01, False),
    ],
)
def test_issue_escalates_at_its_boundaries(count, first, latest, expected):
    assert (
        stats.issue_escalates(breach_count=count, first_value=first, latest_value=latest)
        is expected
    )
