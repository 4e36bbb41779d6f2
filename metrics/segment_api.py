"""`GET /api/scores/breakdown/`: one scope's scores per customer segment or per channel over a
date range, with n, the 95 % interval and whether there are enough answers to read it."""

from datetime import timedelta

from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from metrics.models import Channel, Metric, Scope
from metrics.selectors.segments import DIMENSIONS, BreakdownRow, breakdown, slice_query

# The longest range a breakdown sums (day rows), as on the overview's custom range.
LONGEST_DAYS = 3 * 366


class BreakdownRowSerializer(serializers.Serializer):
    by = serializers.ChoiceField(choices=DIMENSIONS, source="dimension")
    group = serializers.CharField(help_text="The segment, or the channel's value")
    name = serializers.CharField(source="label", help_text="The group as shown")
    metric = serializers.ChoiceField(choices=Metric.choices)
    n = serializers.IntegerField(source="estimate.n")
    value = serializers.FloatField(allow_null=True, source="estimate.value")
    low = serializers.FloatField(allow_null=True, source="estimate.low")
    high = serializers.FloatField(allow_null=True, source="estimate.high")
    enough = serializers.BooleanField(source="estimate.enough")


class _BreakdownQuery(serializers.Serializer):
    by = serializers.ChoiceField(
        choices=DIMENSIONS,
        error_messages={"invalid_choice": f'"{{input}}" is not one of: {", ".join(DIMENSIONS)}'},
    )
    scope = serializers.ChoiceField(choices=Scope.choices)
    scope_id = serializers.IntegerField(min_value=0)
    metric = serializers.ChoiceField(choices=Metric.choices, required=False)
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)
    segment = serializers.CharField(required=False, allow_blank=True, max_length=60)
    channel = serializers.CharField(required=False, allow_blank=True, max_length=60)

    def validate(self, attrs: dict) -> dict:
        end = attrs.get("end") or timezone.localdate()
        start = attrs.get("start") or end - timedelta(days=89)
        if start > end:
            raise ValidationError({"end": "the end must be on or after the start"})
        if (end - start).days > LONGEST_DAYS:
            raise ValidationError({"start": "a breakdown spans at most three years"})
        return {**attrs, "start": start, "end": end}


class ScoreBreakdownView(APIView):
    """Scores per segment or per channel for one scope, from the roll-ups."""

    @extend_schema(
        parameters=[
            OpenApiParameter("by", str, enum=list(DIMENSIONS), required=True),
            OpenApiParameter("scope", str, enum=Scope.values, required=True),
            OpenApiParameter("scope_id", int, required=True, description="0 for organisation"),
            OpenApiParameter("metric", str, enum=Metric.values, description="Default: every"),
            OpenApiParameter("start", str, description="ISO date, inclusive; default end − 89 d"),
            OpenApiParameter("end", str, description="ISO date, inclusive; default today"),
            OpenApiParameter("segment", str, description="By channel: only this segment"),
            OpenApiParameter("channel", str, enum=Channel.values,
                             description="By segment: only this channel's touch points"),
        ],
        responses=BreakdownRowSerializer(many=True),
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        query = _BreakdownQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        wanted = query.validated_data
        where, errors = slice_query(wanted)
        if errors:
            raise ValidationError(errors)
        rows: list[BreakdownRow] = breakdown(
            wanted["by"],
            scope=wanted["scope"],
            scope_id=wanted["scope_id"],
            start=wanted["start"],
            end=wanted["end"],
            where=where,
            metrics=(wanted["metric"],) if wanted.get("metric") else tuple(Metric.values),
        )
        return Response(BreakdownRowSerializer(rows, many=True).data)


urlpatterns = [
    path("scores/breakdown/", ScoreBreakdownView.as_view(), name="metrics-score-breakdown"),
]
