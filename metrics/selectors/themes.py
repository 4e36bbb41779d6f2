"""Theme figures and verbatim search: read from the responses and their theme links (a theme's
figures need the response, which the roll-ups do not keep)."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from metrics import stats
from metrics.models import Metric, ResponseTheme, SurveyResponse, Theme

PERIODS = {"90": 90, "180": 180, "365": 365}
DEFAULT_PERIOD = "90"
SEARCH_LIMIT = 50
PROMOTER = Q(response__metric=Metric.NPS, response__score__gte=stats.PROMOTER_LOWEST)
DETRACTOR = Q(response__metric=Metric.NPS, response__score__lte=stats.DETRACTOR_HIGHEST)


@dataclass
class ThemeFigure:
    theme: Theme
    mentions: int
    # Of the period's NPS detractors, the share whose comment mentions the theme.
    detractor_share: stats.Estimate
    nps_with: stats.Estimate
    nps_without: stats.Estimate
    months: list[tuple[date, int]] = field(default_factory=list)

    @property
    def comparable(self) -> bool:
        """Both NPS figures rest on enough responses to be shown side by side."""
        return self.nps_with.enough and self.nps_without.enough


def period_bounds(days: int, today: date | None = None) -> tuple[datetime, datetime]:
    """The last `days` days to the end of today, in the site's time zone."""
    today = today or timezone.localdate()
    end = timezone.make_aware(datetime.combine(today + timedelta(days=1), time.min))
    return end - timedelta(days=days), end


def theme_figures(
    *, touchpoint_id: int | None = None, days: int = 90, today: date | None = None
) -> list[ThemeFigure]:
    """Per theme, over the period (one touch point or all): responses mentioning it, the share
    of NPS detractors mentioning it, NPS of responses mentioning it and of those not, and
    mentions by month. One figure per theme of the taxonomy, in its order."""
    start, end = period_bounds(days, today)
    responses = SurveyResponse.objects.filter(responded_at__gte=start, responded_at__lt=end)
    links = ResponseTheme.objects.filter(
        response__responded_at__gte=start, response__responded_at__lt=end
    )
    if touchpoint_id is not None:
        responses = responses.filter(touchpoint_id=touchpoint_id)
        links = links.filter(response__touchpoint_id=touchpoint_id)
    totals = responses.filter(metric=Metric.NPS).aggregate(
        n=Count("pk"),
        promoters=Count("pk", filter=Q(score__gte=stats.PROMOTER_LOWEST)),
        detractors=Count("pk", filter=Q(score__lte=stats.DETRACTOR_HIGHEST)),
    )
    per_theme = {
        row["theme"]: row
        for row in links.values("theme").annotate(
            mentions=Count("pk"),
            n=Count("pk", filter=Q(response__metric=Metric.NPS)),
            promoters=Count("pk", filter=PROMOTER),
            detractors=Count("pk", filter=DETRACTOR),
        )
    }
    months: dict[int, list[tuple[date, int]]] = {}
    for row in (
        links.annotate(month=TruncMonth("response__responded_at"))
        .values("theme", "month")
        .annotate(count=Count("pk"))
        .order_by("theme", "month")
    ):
        month = row["month"]
        months.setdefault(row["theme"], []).append(
            (month.date() if isinstance(month, datetime) else month, row["count"])
        )
    figures = []
    empty = {"mentions": 0, "n": 0, "promoters": 0, "detractors": 0}
    for theme in Theme.objects.all():
        row = per_theme.get(theme.pk, empty)
        passives = row["n"] - row["promoters"] - row["detractors"]
        other_n = totals["n"] - row["n"]
        other_p = totals["promoters"] - row["promoters"]
        other_d = totals["detractors"] - row["detractors"]
        figures.append(
            ThemeFigure(
                theme=theme,
                mentions=row["mentions"],
                detractor_share=stats.proportion(row["detractors"], totals["detractors"]),
                nps_with=stats.nps(row["promoters"], passives, row["detractors"]),
                nps_without=stats.nps(other_p, other_n - other_p - other_d, other_d),
                months=months.get(theme.pk, []),
            )
        )
    return figures


def verbatim_search(
    query: str, *, touchpoint_id: int | None = None, limit: int = SEARCH_LIMIT
) -> QuerySet[SurveyResponse]:
    """Responses whose comment matches `query`, newest first. PostgreSQL's full-text search
    (the 'simple' configuration: every word, no stemming, web-search syntax such as "a phrase"
    and -word); elsewhere (SQLite) a plain case-insensitive substring match."""
    query = " ".join(query.split())
    found = SurveyResponse.objects.exclude(comment="")
    if touchpoint_id is not None:
        found = found.filter(touchpoint_id=touchpoint_id)
    if not query:
        return found.none()
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        found = found.annotate(document=SearchVector("comment", config="simple")).filter(
            document=SearchQuery(query, config="simple", search_type="websearch")
        )
    else:
        found = found.filter(comment__icontains=query)
    return found.select_related("touchpoint").order_by("-responded_at", "-pk")[:limit]
