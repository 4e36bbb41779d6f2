"""Filing follow-up cases in batches decides exactly as filing one response at a time."""

from datetime import datetime, timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accountability.models import FollowupCase, FollowupStatus
from accountability.services import followups
from accountability.services.followups import followup_cases_open, followup_threshold_set
from metrics.models import SurveyResponse
from tests.metrics.factories import SurveyResponseFactory, TouchpointFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 3, 10, 0, tzinfo=timezone.get_current_timezone())


def respond(touchpoint, score, customer, *, metric="nps", at=None):  # type: ignore[no-untyped-def]
    return SurveyResponseFactory(
        touchpoint=touchpoint,
        metric=metric,
        score=score,
        customer_id=customer,
        responded_at=at or NOW - timedelta(hours=1),
    )


def closed_case(touchpoint, customer, last):  # type: ignore[no-untyped-def]
    return FollowupCase.objects.create(
        department=touchpoint.department,
        touchpoint=touchpoint,
        customer_id=customer,
        due_on=last.date(),
        opened_at=last,
        last_response_at=last,
        status=FollowupStatus.CLOSED,
        outcome="declined",
        closed_at=last,
    )


def snapshot() -> list[tuple]:
    """Every case as what it holds, not its id: department, customer, status, responses,
    latest low score, due date, the responses linked and its history."""
    return sorted(
        (
            case.department_id,
            case.customer_id,
            case.status,
            case.response_count,
            case.last_response_at,
            case.due_on,
            case.touchpoint_id,
            sorted(case.links.values_list("response_id", flat=True)),
            list(case.events.order_by("at", "pk").values_list("kind", "to_status", "note")),
        )
        for case in FollowupCase.objects.all()
    )


@pytest.fixture
def mixed(department_a, department_b):  # type: ignore[no-untyped-def]
    """Responses on every side of every rule, with cases already there to join or not."""
    billing = TouchpointFactory(department=department_b, name="Invoice")
    service = TouchpointFactory(department=department_a, name="Call")
    strict = TouchpointFactory(department=department_b, name="Refund")
    followup_threshold_set(touchpoint=strict, metric="nps", at_or_below=4)
    window = timedelta(days=14)
    hour = timedelta(hours=1)
    # A closed case exactly at the window's edge takes the low score; a second earlier, not.
    closed_case(billing, "edge", NOW - 3 * hour - window)
    closed_case(billing, "past", NOW - 3 * hour - window - timedelta(seconds=1))
    # An open case takes every low score; an older closed case of the customer is ignored.
    closed_case(billing, "open", NOW - timedelta(days=200))
    # A closed case takes one low score, which moves its window; the next comes after it.
    closed_case(billing, "hop", NOW - timedelta(days=25))
    FollowupCase.objects.create(
        department=department_b,
        touchpoint=billing,
        customer_id="open",
        due_on=NOW.date(),
        last_response_at=NOW - timedelta(days=2),
    )
    for score, customer, touchpoint, metric, at in [
        (6, "at", billing, "nps", NOW - 5 * hour),
        (7, "above", billing, "nps", NOW - 5 * hour),
        (2, "csat", billing, "csat", NOW - 5 * hour),
        (3, "csat-above", billing, "csat", NOW - 5 * hour),
        (3, "ces", billing, "ces", NOW - 5 * hour),
        (4, "ces-above", billing, "ces", NOW - 5 * hour),
        (4, "strict", strict, "nps", NOW - 5 * hour),
        (5, "strict-above", strict, "nps", NOW - 5 * hour),
        (0, "", billing, "nps", NOW - 5 * hour),
        (0, "old", billing, "nps", NOW - timedelta(days=30, seconds=1)),
        (0, "oldest-counted", billing, "nps", NOW - timedelta(days=30)),
        (1, "edge", billing, "nps", NOW - 3 * hour),
        (1, "past", billing, "nps", NOW - 3 * hour),
        (1, "open", billing, "nps", NOW - 4 * hour),
        (1, "open", strict, "nps", NOW - 2 * hour),
        # Twice with one department, once with another: two cases, one of two responses.
        (2, "twice", billing, "nps", NOW - 6 * hour),
        (5, "twice", service, "nps", NOW - 5 * hour),
        (0, "twice", strict, "nps", NOW - 4 * hour),
        (1, "hop", billing, "nps", NOW - timedelta(days=24)),
        (1, "hop", billing, "nps", NOW - timedelta(days=10) + timedelta(seconds=1)),
        # The later response is stored first: the earlier one still opens the case.
        (1, "late-first", billing, "csat", NOW - 1 * hour),
        (1, "late-first", billing, "csat", NOW - 2 * hour),
    ]:
        respond(touchpoint, score, customer, metric=metric, at=at)


def one_at_a_time() -> list[tuple]:
    """The reference: each response filed alone, in the order they were given."""
    with transaction.atomic():
        for pk in SurveyResponse.objects.order_by("responded_at", "pk").values_list(
            "pk", flat=True
        ):
            followup_cases_open(now=NOW, response_ids=[pk])
        found = snapshot()
        transaction.set_rollback(True)
    return found


@pytest.mark.parametrize("batch_size", [1, 2, 3, 1000])
def test_batches_of_any_size_file_as_one_at_a_time_does(mixed, monkeypatch, batch_size):
    expected = one_at_a_time()
    monkeypatch.setattr(followups, "BATCH_SIZE", batch_size)

    followup_cases_open(now=NOW)

    assert snapshot() == expected
    by_customer = {row[1]: row for row in expected if row[2] != FollowupStatus.CLOSED}
    assert {"at", "csat", "ces", "strict", "oldest-counted", "past", "open"} <= set(by_customer)
    assert not {"above", "csat-above", "ces-above", "strict-above", "old", "edge"} & set(
        by_customer
    )
    assert by_customer["open"][3] == 3  # its own response and two more
    assert by_customer["late-first"][3] == 2
    assert [row[3] for row in expected if row[1] == "edge"] == [2]  # joined the closed case
    assert sorted(row[3] for row in expected if row[1] == "twice") == [1, 2]
    assert sorted((row[2], row[3]) for row in expected if row[1] == "hop") == [
        ("closed", 2),
        ("open", 1),
    ]


def test_a_case_opened_in_one_batch_is_joined_in_the_next(department_b, monkeypatch):
    monkeypatch.setattr(followups, "BATCH_SIZE", 2)
    touchpoint = TouchpointFactory(department=department_b)
    for hours in (5, 4, 3, 2, 1):
        respond(touchpoint, 0, "C-1", at=NOW - timedelta(hours=hours))

    touched = followup_cases_open(now=NOW)

    case = FollowupCase.objects.get()
    assert touched == [case.pk]
    assert (case.response_count, case.links.count(), case.events.count()) == (5, 5, 5)
    assert case.last_response_at == NOW - timedelta(hours=1)


def test_filing_takes_the_same_queries_for_few_responses_or_many(department_b):
    """Set-based: a batch costs the same queries whatever its size (here 3 then 30 responses,
    opening cases and joining them), once the policy and the watermark exist (the first run)."""
    touchpoint = TouchpointFactory(department=department_b)
    counted = []
    for count in (1, 3, 30):
        for number in range(count):
            respond(touchpoint, 1, f"{count}-{number % 20}")
        with CaptureQueriesContext(connection) as queries:
            followup_cases_open(now=NOW)
        counted.append(len(queries))
    assert counted[1] == counted[2]
    assert FollowupCase.objects.filter(customer_id__startswith="30-").count() == 20
    assert FollowupCase.objects.get(customer_id="30-0").response_count == 2
