"""Demo follow-up cases: a few dozen recent detractors, some worked and closed, some overdue.

The demo's two years of answers were written straight into the table (no import, so no case
was opened); the watermark is moved past them so the catch-up task does not open thousands.
"""

import random
from datetime import timedelta

from django.db.models import Max
from django.utils import timezone

from accountability import stats
from accountability.models import FollowupCase, FollowupWatermark
from accountability.services.followups import (
    followup_case_assign,
    followup_case_record,
    followup_cases_open,
    followup_policy,
)
from cco.models import Role, User
from metrics.models import SurveyResponse

DEMO_CASES = 60


def seed_followups() -> dict[str, int]:
    if FollowupCase.objects.exists():
        return {"cases": 0, "closed": 0}
    rng = random.Random(17)  # noqa: S311 - demo data, not security
    now = timezone.now()
    top = SurveyResponse.objects.aggregate(top=Max("pk"))["top"] or 0
    FollowupWatermark.objects.update_or_create(pk=1, defaults={"last_response_id": top})
    low = list(
        SurveyResponse.objects.filter(
            metric="nps", score__lte=6, responded_at__gte=now - timedelta(days=21)
        )
        .exclude(customer_id="")
        .order_by("pk")
        .values_list("pk", "customer_id")
    )
    # A sample spread over the three weeks: old cases to have been worked, new ones waiting.
    chosen: list[int] = []
    customers: set[str] = set()
    for pk, customer in rng.sample(low, min(len(low), DEMO_CASES * 3)):
        if customer not in customers and len(chosen) < DEMO_CASES:
            customers.add(customer)
            chosen.append(pk)
    followup_cases_open(response_ids=chosen, now=now)
    sla = followup_policy().sla_working_days
    closed = 0
    for case in FollowupCase.objects.select_related("department").order_by("pk"):
        opened = case.last_response_at + timedelta(hours=rng.randint(1, 5))
        FollowupCase.objects.filter(pk=case.pk).update(
            opened_at=opened,
            due_on=stats.add_working_days(timezone.localdate(opened), sla),
        )
        case.events.update(at=opened)
        closed += _work(case.pk, rng=rng, opened_days=(now - opened).days)
    return {"cases": len(chosen), "closed": closed}


def _work(case_id: int, *, rng: random.Random, opened_days: int) -> int:
    """Assign, call and close most of the older cases; leave the newest and a few late ones."""
    case = FollowupCase.objects.select_related("department").get(pk=case_id)
    people = list(
        User.objects.filter(
            department=case.department, role=Role.CONTRIBUTOR, is_active=True
        ).order_by("pk")
    )
    head = case.department.head
    if head is None or not people or opened_days < 1 or rng.random() < 0.2:
        return 0
    agent = rng.choice(people)
    case = followup_case_assign(
        case_id=case.pk, actor=head, expected_version=case.version, assignee=agent
    )
    case = followup_case_record(
        case_id=case.pk, actor=agent, expected_version=case.version, contacted=True, note="Called"
    )
    contacted_at = case.opened_at + timedelta(hours=rng.randint(2, 60))
    FollowupCase.objects.filter(pk=case.pk).update(first_contact_at=contacted_at)
    if opened_days < 3 or rng.random() < 0.15:
        return 0
    outcome = rng.choice(["resolved", "resolved", "resolved", "declined", "not_reached"])
    followup_case_record(
        case_id=case.pk,
        actor=agent,
        expected_version=case.version,
        outcome=outcome,
        root_cause=rng.choice(["process", "product", "people", "price"]),
        note="Explained the invoice and credited the fee" if outcome == "resolved" else "",
    )
    FollowupCase.objects.filter(pk=case.pk).update(
        closed_at=contacted_at + timedelta(hours=rng.randint(1, 30))
    )
    return 1
