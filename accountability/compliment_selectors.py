"""Compliments read for the pages and the API: who sees which, and the counts per month."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth

from accountability.models import Compliment

MONTHS_COUNTED = 6


def compliments_visible(user: Any) -> QuerySet[Compliment]:
    """The CCO and executives read every compliment; everyone else their department's and those
    routed to them."""
    rows = Compliment.objects.select_related(
        "department", "person", "theme", "response", "response__touchpoint"
    )
    if user.is_cco or user.is_executive:
        return rows
    mine = Q(person_id=user.pk)
    if user.department_id:
        mine |= Q(department_id=user.department_id)
    return rows.filter(mine)


def compliments_for_person(user: Any, *, limit: int = 5) -> list[Compliment]:
    return list(
        Compliment.objects.filter(person_id=user.pk).select_related(
            "response", "response__touchpoint"
        )[:limit]
    )


@dataclass(frozen=True)
class MonthCount:
    month: date
    count: int


def monthly_counts(department_id: int, *, today: date) -> list[MonthCount]:
    """Compliments for the department per calendar month of the customer's response, the last
    MONTHS_COUNTED months (today's included), a month with none counted 0."""
    months = []
    year, month = today.year, today.month
    for _ in range(MONTHS_COUNTED):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    months.reverse()
    found = {
        (row["month"].date() if hasattr(row["month"], "date") else row["month"]): row["n"]
        for row in Compliment.objects.filter(
            department_id=department_id, responded_at__date__gte=months[0]
        )
        .annotate(month=TruncMonth("responded_at"))
        .values("month")
        .annotate(n=Count("id"))
    }
    return [MonthCount(m, found.get(m, 0)) for m in months]


def compliment_count(*, start: date, end: date, department_id: int | None = None) -> int:
    """Compliments whose customer responded between `start` and `end` (both included)."""
    rows = Compliment.objects.filter(responded_at__date__gte=start, responded_at__date__lte=end)
    if department_id is not None:
        rows = rows.filter(department_id=department_id)
    return rows.count()
