"""The weekly executive digest: the overview's tiles for last week and its biggest movers."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from accountability.services.reminders import opted_out_ids
from cco.models import DigestLog, Role, User
from metrics.selectors import Grain, Touchpoint
from metrics.selectors.ranges import range_scores, touchpoints_in_bulk
from metrics.stats import change_is_significant
from overview import selectors
from overview.filters import DashboardFilters


@dataclass(frozen=True)
class Mover:
    touchpoint: Touchpoint
    previous: float
    current: float
    n: int

    @property
    def change(self) -> float:
        return self.current - self.previous


def biggest_movers(filters: DashboardFilters, *, limit: int = 5) -> list[Mover]:
    """Touch points whose NPS moved significantly between the previous period and this one,
    largest moves first."""
    now = range_scores(start=filters.start, end=filters.end).touchpoints()
    before = range_scores(start=filters.previous_start, end=filters.previous_end).touchpoints()
    moved = {
        pk: (before[pk], estimate)
        for pk, estimate in now.items()
        if pk in before and change_is_significant(before[pk], estimate)
    }
    touchpoints = touchpoints_in_bulk(list(moved))
    movers = [
        Mover(touchpoints[pk], previous.value or 0.0, current.value or 0.0, current.n)
        for pk, (previous, current) in moved.items()
        if pk in touchpoints
    ]
    return sorted(movers, key=lambda m: abs(m.change), reverse=True)[:limit]


def digest_filters(today: date) -> DashboardFilters:
    """Last complete ISO week, Monday to Sunday."""
    monday = today - timedelta(days=today.weekday() + 7)
    return DashboardFilters(
        period="custom",
        start=monday,
        end=monday + timedelta(days=6),
        grain=Grain.DAY,
        journey=None,
        department=None,
    )


def executive_digest_send(*, today: date | None = None) -> int:
    """Email the weekly digest to the CCO and the executives, once per week.

    Returns how many people it was sent to (0 when this week's digest already went out). The
    log row is written first, in the same transaction as the send, so two workers racing on
    the same beat tick send it once.
    """
    filters = digest_filters(today or timezone.localdate())
    # A person who turned the programme's emails off (accountability's opt-out) gets none.
    recipients = list(
        User.objects.filter(is_active=True, role__in=[Role.CCO, Role.EXECUTIVE])
        .exclude(email="")
        .exclude(pk__in=opted_out_ids())
        .values_list("email", flat=True)
    )
    if not recipients:
        return 0
    try:
        with transaction.atomic():
            DigestLog.objects.create(week_start=filters.start, recipients=len(recipients))
            data = selectors.overview(filters)
            context = {
                "filters": filters,
                "tiles": data.tiles,
                "movers": biggest_movers(filters),
                "scorecard": data.scorecard,
                "site_url": settings.SITE_URL,
            }
            subject = f"Customer experience: week of {filters.start:%d %b %Y}"
            message = EmailMultiAlternatives(
                subject,
                render_to_string("overview/digest.txt", context),
                to=recipients,
            )
            message.attach_alternative(
                render_to_string("overview/digest.html", context), "text/html"
            )
            message.send()
    except IntegrityError:
        return 0
    return len(recipients)
