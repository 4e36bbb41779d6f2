"""Follow-up cases: which responses open one, joining, the service level, and working a case."""

from datetime import date, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accountability import stats
from accountability.models import (
    CXIssue,
    FollowupCase,
    FollowupEventKind,
    FollowupPolicy,
    FollowupStatus,
)
from accountability.services.followups import (
    followup_case_assign,
    followup_case_raise_issue,
    followup_case_record,
    followup_cases_open,
    followup_policy_update,
    followup_threshold_set,
)
from cco.errors import VersionConflict
from cco.models import Role
from metrics.services.ingest import response_import
from tests.factories import UserFactory
from tests.metrics.factories import SurveyResponseFactory, TouchpointFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def touchpoint(department_b):  # type: ignore[no-untyped-def]
    return TouchpointFactory(department=department_b, slug="invoice-query")


def respond(touchpoint, score, *, metric="nps", customer="C-1", at=None):  # type: ignore[no-untyped-def]
    return SurveyResponseFactory(
        touchpoint=touchpoint,
        metric=metric,
        score=score,
        customer_id=customer,
        responded_at=at or NOW - timedelta(hours=1),
    )


def cases() -> list[FollowupCase]:
    return list(FollowupCase.objects.order_by("pk"))


# -- which responses open a case ---------------------------------------------------------------


@pytest.mark.parametrize(
    "metric, at_threshold, above",
    [("nps", 6, 7), ("csat", 2, 3), ("ces", 3, 4)],
)
def test_a_score_exactly_at_the_default_threshold_opens_a_case_and_one_above_does_not(
    touchpoint, metric, at_threshold, above
):
    respond(touchpoint, at_threshold, metric=metric, customer="at")
    respond(touchpoint, above, metric=metric, customer="above")

    followup_cases_open(now=NOW)

    assert [c.customer_id for c in cases()] == ["at"]


def test_a_touch_points_own_threshold_replaces_the_default(touchpoint):
    followup_threshold_set(touchpoint=touchpoint, metric="nps", at_or_below=4)
    respond(touchpoint, 4, customer="at")
    respond(touchpoint, 5, customer="above")

    followup_cases_open(now=NOW)

    assert [c.customer_id for c in cases()] == ["at"]


def test_a_threshold_above_the_default_widens_the_net(touchpoint):
    followup_threshold_set(touchpoint=touchpoint, metric="nps", at_or_below=8)
    respond(touchpoint, 8, customer="passive")

    followup_cases_open(now=NOW)

    assert [c.customer_id for c in cases()] == ["passive"]


def test_a_threshold_off_the_metrics_scale_is_refused(touchpoint):
    with pytest.raises(ValidationError, match="CSAT scores run 1–5; 6 is off the scale"):
        followup_threshold_set(touchpoint=touchpoint, metric="csat", at_or_below=6)
    with pytest.raises(ValidationError, match="off the scale"):
        followup_threshold_set(touchpoint=touchpoint, metric="nps", at_or_below=-1)


def test_a_response_without_a_customer_id_opens_nothing(touchpoint):
    respond(touchpoint, 0, customer="")

    assert followup_cases_open(now=NOW) == []


def test_a_response_exactly_max_age_old_counts_and_one_a_second_older_does_not(touchpoint):
    respond(touchpoint, 1, customer="edge", at=NOW - timedelta(days=30))
    respond(touchpoint, 1, customer="old", at=NOW - timedelta(days=30, seconds=1))

    followup_cases_open(now=NOW)

    assert [c.customer_id for c in cases()] == ["edge"]


def test_each_response_is_considered_once(touchpoint):
    respond(touchpoint, 2)
    followup_cases_open(now=NOW)
    followup_cases_open(now=NOW)

    case = FollowupCase.objects.get()
    assert case.response_count == 1
    assert case.events.count() == 1


def test_the_case_belongs_to_the_touch_points_department_and_is_due_in_working_days(
    touchpoint, department_b
):
    respond(touchpoint, 3)
    followup_cases_open(now=NOW)  # a Thursday

    case = FollowupCase.objects.get()
    assert case.department == department_b
    assert case.status == FollowupStatus.OPEN
    assert case.due_on == date(2026, 12, 7)  # Monday: Friday and Monday are the two days


# -- joining a case ------------------------------------------------------------------------------


def test_a_second_low_score_of_the_customer_joins_the_open_case(touchpoint):
    respond(touchpoint, 2, at=NOW - timedelta(days=20))
    followup_cases_open(now=NOW - timedelta(days=20))
    other = TouchpointFactory(department=touchpoint.department)
    respond(other, 1, metric="nps")

    followup_cases_open(now=NOW)

    case = FollowupCase.objects.get()
    assert case.response_count == 2
    assert case.links.count() == 2
    assert case.events.filter(kind=FollowupEventKind.RESPONSE).count() == 1


def test_the_same_customer_with_another_department_gets_a_case_of_its_own(touchpoint):
    respond(touchpoint, 2)
    respond(TouchpointFactory(), 2)

    followup_cases_open(now=NOW)

    assert len(cases()) == 2


def test_a_closed_case_takes_a_low_score_up_to_the_window_and_not_a_second_later(
    touchpoint, head_b
):
    first = NOW - timedelta(days=20)
    respond(touchpoint, 2, at=first)
    followup_cases_open(now=first)
    case = FollowupCase.objects.get()
    followup_case_record(
        case_id=case.pk, actor=head_b, expected_version=1, contacted=True, outcome="declined"
    )
    respond(touchpoint, 2, at=first + timedelta(days=14), customer="C-1")
    followup_cases_open(now=NOW)
    assert len(cases()) == 1
    assert FollowupCase.objects.get().response_count == 2

    respond(touchpoint, 2, at=first + timedelta(days=28, seconds=1))
    followup_cases_open(now=NOW)

    assert len(cases()) == 2


def test_the_database_refuses_a_second_open_case_for_a_customer(touchpoint):
    respond(touchpoint, 2)
    followup_cases_open(now=NOW)
    case = FollowupCase.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowupCase.objects.create(
            department=case.department,
            touchpoint=touchpoint,
            customer_id=case.customer_id,
            due_on=case.due_on,
            last_response_at=NOW,
        )


def test_an_import_opens_cases_once_it_commits(touchpoint, django_capture_on_commit_callbacks):
    row = {
        "external_id": "w-1",
        "touchpoint": touchpoint.slug,
        "metric": "nps",
        "score": "0",
        "responded_at": timezone.now().isoformat(),
        "customer_id": "C-77",
    }
    with django_capture_on_commit_callbacks(execute=True):
        report = response_import(rows=[(2, row)])

    assert report.inserted == 1
    assert [c.customer_id for c in cases()] == ["C-77"]


# -- the service level ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "opened, days, due",
    [
        (date(2026, 12, 4), 2, date(2026, 12, 8)),  # Friday → Tuesday
        (date(2026, 12, 5), 2, date(2026, 12, 8)),  # Saturday → Tuesday
        (date(2026, 12, 6), 1, date(2026, 12, 7)),  # Sunday → Monday
        (date(2026, 12, 1), 2, date(2026, 12, 3)),  # Tuesday → Thursday
        (date(2026, 12, 3), 1, date(2026, 12, 4)),  # Thursday → Friday
    ],
)
def test_the_due_date_counts_working_days_across_a_weekend(opened, days, due):
    assert stats.add_working_days(opened, days) == due


def test_the_service_level_is_configurable(touchpoint):
    followup_policy_update(sla_working_days=5, dedupe_days=14, max_age_days=30)
    respond(touchpoint, 1)

    followup_cases_open(now=NOW)

    assert FollowupCase.objects.get().due_on == date(2026, 12, 10)


@pytest.mark.parametrize(
    "field, values",
    [("sla_working_days", (0, 31)), ("dedupe_days", (-1, 366)), ("max_age_days", (0, 366))],
)
def test_a_policy_outside_its_range_is_refused_naming_the_field(field, values):
    for value in values:
        settings = {"sla_working_days": 2, "dedupe_days": 14, "max_age_days": 30, field: value}
        with pytest.raises(ValidationError) as refused:
            followup_policy_update(**settings)
        assert field in refused.value.message_dict
    assert not FollowupPolicy.objects.exclude(sla_working_days=2).exists()


def test_a_case_due_today_is_not_overdue_and_tomorrow_it_is(touchpoint):
    respond(touchpoint, 1)
    followup_cases_open(now=NOW)
    case = FollowupCase.objects.get()

    assert not case.is_overdue(case.due_on)
    assert case.is_overdue(case.due_on + timedelta(days=1))


# -- working a case -----------------------------------------------------------------------------


@pytest.fixture
def case(touchpoint):  # type: ignore[no-untyped-def]
    respond(touchpoint, 2)
    followup_cases_open(now=timezone.now())
    return FollowupCase.objects.get()


@pytest.fixture
def agent_b(department_b):  # type: ignore[no-untyped-def]
    return UserFactory(username="agent-b", role=Role.CONTRIBUTOR, department=department_b)


def test_the_head_assigns_the_case_to_a_person_in_the_department(case, head_b, agent_b):
    saved = followup_case_assign(
        case_id=case.pk, actor=head_b, expected_version=1, assignee=agent_b
    )

    assert (saved.assignee, saved.version) == (agent_b, 2)
    assert saved.events.filter(kind="edited", note=f"assigned to {agent_b}").exists()


def test_a_person_of_another_department_cannot_be_assigned(case, head_b, contributor):
    with pytest.raises(ValidationError, match="not in Billing"):
        followup_case_assign(
            case_id=case.pk, actor=head_b, expected_version=1, assignee=contributor
        )
    assert FollowupCase.objects.get().assignee is None


def test_a_stale_version_is_a_conflict_and_changes_nothing(case, head_b, agent_b):
    followup_case_record(case_id=case.pk, actor=agent_b, expected_version=1, contacted=True)

    with pytest.raises(VersionConflict):
        followup_case_record(
            case_id=case.pk, actor=head_b, expected_version=1, outcome="not_reached"
        )
    stored = FollowupCase.objects.get()
    assert (stored.status, stored.contact_attempts, stored.version) == ("contacted", 1, 2)


def test_a_contact_attempt_sets_the_first_contact_once_and_counts_attempts(case, agent_b):
    saved = followup_case_record(
        case_id=case.pk, actor=agent_b, expected_version=1, contacted=True, note="Voicemail"
    )
    first = saved.first_contact_at
    saved = followup_case_record(
        case_id=case.pk, actor=agent_b, expected_version=2, contacted=True, note="Spoke"
    )

    assert saved.contact_attempts == 2
    assert saved.first_contact_at == first
    assert saved.status == FollowupStatus.CONTACTED
    notes = list(saved.events.filter(kind="contact").values_list("note", flat=True))
    assert notes == ["Attempt 1. Voicemail", "Attempt 2. Spoke"]


def test_closing_needs_a_contact_attempt(case, agent_b):
    with pytest.raises(ValidationError, match="contact attempt before closing"):
        followup_case_record(case_id=case.pk, actor=agent_b, expected_version=1, outcome="declined")
    assert FollowupCase.objects.get().status == FollowupStatus.OPEN


def test_resolved_needs_a_root_cause_and_closes_the_case(case, agent_b):
    with pytest.raises(ValidationError, match="what caused"):
        followup_case_record(
            case_id=case.pk, actor=agent_b, expected_version=1, contacted=True, outcome="resolved"
        )
    saved = followup_case_record(
        case_id=case.pk,
        actor=agent_b,
        expected_version=1,
        contacted=True,
        outcome="resolved",
        root_cause="process",
        note="Refund sent",
    )

    assert (saved.status, saved.outcome, saved.root_cause) == ("closed", "resolved", "process")
    assert saved.closed_at is not None


def test_a_closed_case_takes_no_further_records(case, agent_b):
    followup_case_record(
        case_id=case.pk, actor=agent_b, expected_version=1, contacted=True, outcome="declined"
    )
    with pytest.raises(ValidationError, match="closed"):
        followup_case_record(case_id=case.pk, actor=agent_b, expected_version=2, note="More")


def test_an_unknown_outcome_or_cause_is_refused_naming_it(case, agent_b):
    with pytest.raises(ValidationError) as refused:
        followup_case_record(
            case_id=case.pk,
            actor=agent_b,
            expected_version=1,
            contacted=True,
            outcome="gone",
            root_cause="weather",
        )
    assert set(refused.value.message_dict) == {"outcome", "root_cause"}
    assert FollowupCase.objects.get().contact_attempts == 0


def test_raising_a_cx_issue_links_case_and_issue_both_ways(case, head_b):
    issue = followup_case_raise_issue(case_id=case.pk, actor=head_b, expected_version=1)

    assert issue.department_id == case.department_id
    assert list(issue.followup_cases.all()) == [case]
    assert FollowupCase.objects.get().cx_issue == issue
    with pytest.raises(ValidationError, match="already raised"):
        followup_case_raise_issue(case_id=case.pk, actor=head_b, expected_version=2)
    assert CXIssue.objects.count() == 1


def test_raising_an_issue_from_a_stale_case_raises_nothing(case, head_b, agent_b):
    followup_case_record(case_id=case.pk, actor=agent_b, expected_version=1, note="Called")

    with pytest.raises(VersionConflict):
        followup_case_raise_issue(case_id=case.pk, actor=head_b, expected_version=1)
    assert CXIssue.objects.count() == 0
