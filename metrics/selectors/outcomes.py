"""Customer outcomes of the customers who answered at a scope in a window of days: what a
roadmap result stated in retention or revenue is read on (roadmap.selectors.measures)."""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Count, F, FloatField, Q, Sum
from django.db.models.functions import Cast
from django.utils import timezone

from metrics.models import CustomerOutcome, Scope, SurveyResponse

_SCOPE_FIELD = {
    Scope.TOUCHPOINT: "touchpoint_id",
    Scope.JOURNEY: "touchpoint__stage__journey_id",
    Scope.DEPARTMENT: "touchpoint__department_id",
}


@dataclass(frozen=True)
class OutcomeCounts:
    """Additive figures of a set of customers: how many, how many stayed, and their
    twelve-month revenue (count known, Σ and Σ² for a mean with its interval)."""

    customers: int
    retained: int
    revenue_customers: int
    revenue_total: float
    revenue_sq: float


def _moment(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def respondent_outcomes(*, scope: str, scope_id: int, start: date, end: date) -> OutcomeCounts:
    """The outcomes of the customers who answered (any score, with their customer id) at the
    scope from `start` up to `end`, counting only outcomes dated on or after `end`: an outcome
    taken before the answers says nothing about what followed them. One aggregate query over
    the window's answers (the index on touch point and time serves a touch point's)."""
    answers = SurveyResponse.objects.filter(
        responded_at__gte=_moment(start), responded_at__lt=_moment(end)
    ).exclude(customer_id="")
    if scope in _SCOPE_FIELD:
        answers = answers.filter(**{_SCOPE_FIELD[Scope(scope)]: scope_id})
    revenue = Cast("revenue", FloatField())
    figures = CustomerOutcome.objects.filter(
        customer_id__in=answers.values("customer_id"), as_of__gte=end
    ).aggregate(
        customers=Count("id"),
        retained=Count("id", filter=Q(retained=True)),
        revenue_customers=Count("revenue"),
        revenue_total=Sum(revenue),
        revenue_sq=Sum(F("revenue") * F("revenue"), output_field=FloatField()),
    )
    return OutcomeCounts(
        customers=figures["customers"],
        retained=figures["retained"],
        revenue_customers=figures["revenue_customers"],
        revenue_total=float(figures["revenue_total"] or 0.0),
        revenue_sq=float(figures["revenue_sq"] or 0.0),
    )
