"""The theme figures in the API."""

from typing import Any

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from cco.api_permissions import ReadByRolesWriteByCCO
from metrics import stats
from metrics.models import Touchpoint
from metrics.selectors.themes import DEFAULT_PERIOD, PERIODS, theme_figures


def _estimate(estimate: Any) -> dict[str, Any]:
    """An estimate as the API gives it: no value below the minimum number of responses."""
    shown = estimate.enough
    return {
        "value": estimate.value if shown else None,
        "low": estimate.low if shown else None,
        "high": estimate.high if shown else None,
        "n": estimate.n,
    }


class ThemesView(APIView):
    """Per theme over the last `period` days (90, 180 or 365), at one touch point (`touchpoint`,
    its slug) or all: mentions, the share of NPS detractors mentioning it, NPS of responses
    mentioning it and of those not (95 % intervals; no value under the minimum n), mentions by
    month. Read by everyone with a role."""

    permission_classes = [ReadByRolesWriteByCCO]

    @extend_schema(
        parameters=[
            OpenApiParameter("period", str, enum=list(PERIODS)),
            OpenApiParameter("touchpoint", str),
        ],
        responses=inline_serializer(
            "ThemesAnswer",
            {
                "period": serializers.CharField(),
                "touchpoint": serializers.CharField(allow_null=True),
                "min_n": serializers.IntegerField(),
                "themes": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        period = request.query_params.get("period", DEFAULT_PERIOD)
        if period not in PERIODS:
            raise ValidationError({"period": [f"Choose one of {', '.join(PERIODS)}."]})
        slug = request.query_params.get("touchpoint", "")
        touchpoint_id = None
        if slug:
            touchpoint_id = (
                Touchpoint.objects.filter(slug=slug).values_list("pk", flat=True).first()
            )
            if touchpoint_id is None:
                raise ValidationError({"touchpoint": [f"No touch point {slug!r}."]})
        figures = theme_figures(touchpoint_id=touchpoint_id, days=PERIODS[period])
        return Response(
            {
                "period": period,
                "touchpoint": slug or None,
                "min_n": stats.MIN_RESPONSES,
                "themes": [
                    {
                        "theme": f.theme.name,
                        "phrases": f.theme.phrases,
                        "mentions": f.mentions,
                        "detractor_share": _estimate(f.detractor_share),
                        "nps_with": _estimate(f.nps_with),
                        "nps_without": _estimate(f.nps_without),
                        "months": [
                            {"month": month.isoformat(), "mentions": count}
                            for month, count in f.months
                        ],
                    }
                    for f in figures
                ],
            }
        )


urlpatterns = [path("themes/", ThemesView.as_view(), name="metrics-themes")]
