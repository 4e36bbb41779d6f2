from typing import Any

from django.urls import path
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter
from rest_framework.views import APIView

from cco.api_permissions import ReadByRolesWriteByCCO
from metrics import segment_api, selectors, theme_api, webhook_api
from metrics.kpi_values import kpi_value_problem
from metrics.models import (
    KPI,
    Breach,
    Channel,
    Grain,
    Journey,
    JourneyStage,
    KPIObservation,
    Metric,
    Rollup,
    Scope,
    SurveyResponse,
    Touchpoint,
)
from metrics.selectors.cutoffs import score_cutoffs
from metrics.selectors.segments import slice_query, sliced_score_series
from metrics.services.cutoffs import score_cutoffs_update
from metrics.services.ingest import response_import
from metrics.validation import MAX_LENGTHS, OTHER_MAX_LENGTH

MAX_RESPONSES_PER_REQUEST = 10_000


class JourneySerializer(serializers.ModelSerializer):
    class Meta:
        model = Journey
        fields = ["id", "name", "slug", "description", "order"]


class JourneyStageSerializer(serializers.ModelSerializer):
    class Meta:
        model = JourneyStage
        fields = ["id", "journey", "name", "order"]


class TouchpointSerializer(serializers.ModelSerializer):
    class Meta:
        model = Touchpoint
        fields = [
            "id", "stage", "name", "slug", "channel", "department",
            "nps_floor", "nps_target", "csat_floor", "csat_target", "ces_floor", "ces_target",
        ]  # fmt: skip


class SurveyResponseSerializer(serializers.ModelSerializer):
    class Meta:
        model = SurveyResponse
        fields = [
            "id", "touchpoint", "metric", "score", "responded_at", "source", "external_id",
            "customer_id", "segment", "comment", "received_at",
        ]  # fmt: skip
        read_only_fields = fields


class ResponseInSerializer(serializers.Serializer):
    """One response as the import reads it (metrics.validation): text is text, a list or an
    object where text belongs is refused rather than stored as its Python form."""

    external_id = serializers.CharField(max_length=MAX_LENGTHS["external_id"])
    touchpoint = serializers.CharField(
        help_text="The slug of a touch point the importer may write (a department head: their "
        "department's).",
        max_length=OTHER_MAX_LENGTH,
    )
    metric = serializers.ChoiceField(choices=Metric.choices)
    score = serializers.IntegerField()
    responded_at = serializers.CharField(help_text="ISO 8601 date or datetime.")
    customer_id = serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_LENGTHS["customer_id"]
    )
    segment = serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_LENGTHS["segment"]
    )
    comment = serializers.CharField(
        required=False, allow_blank=True, max_length=MAX_LENGTHS["comment"]
    )


class RollupSerializer(serializers.ModelSerializer):
    class Meta:
        model = Rollup
        fields = [
            "id", "metric", "scope", "scope_id", "grain", "period_start", "n", "promoters",
            "passives", "detractors", "total", "total_sq", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields


class BreachSerializer(serializers.ModelSerializer):
    class Meta:
        model = Breach
        fields = [
            "id", "metric", "scope", "scope_id", "touchpoint", "grain", "period_start", "value",
            "low", "high", "n", "rule", "reference_value", "previous_value", "summary",
            "detected_at",
        ]  # fmt: skip
        read_only_fields = fields


class KPISerializer(serializers.ModelSerializer):
    class Meta:
        model = KPI
        fields = ["id", "department", "name", "unit", "direction", "goal", "owner"]

    def validate_department(self, department: Any) -> Any:
        user = self.context["request"].user
        if not user.is_cco and department.pk != user.department_id:
            raise PermissionDenied("You can add KPIs only to your own department.")
        return department


class KPIObservationSerializer(serializers.ModelSerializer):
    class Meta:
        model = KPIObservation
        fields = ["id", "kpi", "week_start", "value"]

    def validate_week_start(self, value: Any) -> Any:
        if value.weekday() != 0:
            raise serializers.ValidationError("week_start must be a Monday (ISO week).")
        return value

    def validate_kpi(self, kpi: KPI) -> KPI:
        if not self.context["request"].user.has_perm("cco.change_owned", kpi):
            raise PermissionDenied("You can record values only for your department's KPIs.")
        return kpi

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        kpi = attrs.get("kpi") or getattr(self.instance, "kpi", None)
        value = attrs.get("value")
        if kpi is not None and value is not None:
            if problem := kpi_value_problem(kpi.unit, value):
                raise serializers.ValidationError({"value": problem})
        return attrs


class ScorePointSerializer(serializers.Serializer):
    period_start = serializers.DateField()
    n = serializers.IntegerField()
    value = serializers.FloatField(allow_null=True)
    low = serializers.FloatField(allow_null=True)
    high = serializers.FloatField(allow_null=True)
    enough = serializers.BooleanField()


class PeriodFilter(filters.FilterSet):
    start = filters.DateFilter(field_name="period_start", lookup_expr="gte")
    end = filters.DateFilter(field_name="period_start", lookup_expr="lte")


class RollupFilter(PeriodFilter):
    class Meta:
        model = Rollup
        fields = ["metric", "scope", "scope_id", "grain"]


class BreachFilter(PeriodFilter):
    department = filters.NumberFilter(field_name="touchpoint__department")

    class Meta:
        model = Breach
        fields = ["metric", "scope", "scope_id", "grain", "rule", "touchpoint"]


class ResponseFilter(filters.FilterSet):
    start = filters.IsoDateTimeFilter(field_name="responded_at", lookup_expr="gte")
    end = filters.IsoDateTimeFilter(field_name="responded_at", lookup_expr="lt")

    class Meta:
        model = SurveyResponse
        fields = ["touchpoint", "metric", "source", "segment"]


class JourneyViewSet(viewsets.ModelViewSet):
    """Customer journeys. Everyone reads; the CCO changes them."""

    serializer_class = JourneySerializer
    queryset = Journey.objects.order_by("order", "name")
    search_fields = ["name", "slug"]


class JourneyStageViewSet(viewsets.ModelViewSet):
    serializer_class = JourneyStageSerializer
    queryset = JourneyStage.objects.order_by("journey_id", "order")
    filterset_fields = ["journey"]


class TouchpointViewSet(viewsets.ModelViewSet):
    """Touch points with their accountable department, floors and targets (CCO changes)."""

    serializer_class = TouchpointSerializer
    queryset = Touchpoint.objects.order_by("id")
    filterset_fields = ["stage", "stage__journey", "department", "channel"]
    search_fields = ["name", "slug"]


class SurveyResponseViewSet(viewsets.ReadOnlyModelViewSet):
    """Raw survey responses; POST a list to /responses/import/ to add them."""

    serializer_class = SurveyResponseSerializer
    queryset = SurveyResponse.objects.order_by("-id")
    filterset_class = ResponseFilter
    create_permission = "cco.import_responses"

    @extend_schema(
        request=ResponseInSerializer(many=True),
        parameters=[
            OpenApiParameter("skip_invalid", bool, description="Save valid rows, skip others."),
            OpenApiParameter("dry_run", bool, description="Validate only; save nothing."),
            OpenApiParameter("source", str, description="Source of the ids (default api)."),
        ],
        responses={
            200: inline_serializer(
                "ImportReport",
                {
                    "rows_read": serializers.IntegerField(),
                    "inserted": serializers.IntegerField(),
                    "already_present": serializers.IntegerField(),
                    "skipped_invalid": serializers.IntegerField(),
                    "rejected": serializers.BooleanField(),
                    "dry_run": serializers.BooleanField(),
                    "error_count": serializers.IntegerField(),
                    "errors": serializers.ListField(child=serializers.DictField()),
                    "summary": serializers.CharField(),
                    "catching_up": serializers.BooleanField(
                        help_text="True while saved responses are not in the figures yet; "
                        "they are added within minutes (also after a broker outage)."
                    ),
                },
            )
        },
    )
    @action(detail=False, methods=["post"], url_path="import")
    def import_(self, request: Request) -> Response:
        """Import up to 10 000 responses; rows are numbered from 1 in the error report."""
        if not isinstance(request.data, list):
            raise ValidationError({"detail": "Send a JSON list of responses."})
        if len(request.data) > MAX_RESPONSES_PER_REQUEST:
            raise ValidationError(
                {"detail": f"At most {MAX_RESPONSES_PER_REQUEST} responses per request."}
            )
        flag = lambda name: request.query_params.get(name, "").lower() in ("1", "true", "yes")  # noqa: E731
        rows = (
            (number, item if isinstance(item, dict) else {})
            for number, item in enumerate(request.data, start=1)
        )
        report = response_import(
            rows=rows,
            source=request.query_params.get("source", "api")[:60] or "api",
            skip_invalid=flag("skip_invalid"),
            dry_run=flag("dry_run"),
            importer=request.user,  # a head imports only for their department's touch points
        )
        code = status.HTTP_400_BAD_REQUEST if report.rejected else status.HTTP_200_OK
        return Response(
            {**report.as_dict(), "catching_up": selectors.rollups_catching_up()}, status=code
        )


class RollupViewSet(viewsets.ReadOnlyModelViewSet):
    """Roll-up rows: filter by metric, scope, scope_id, grain and start/end (period start)."""

    serializer_class = RollupSerializer
    queryset = Rollup.objects.order_by("metric", "scope", "scope_id", "grain", "period_start")
    filterset_class = RollupFilter


class BreachViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = BreachSerializer
    queryset = Breach.objects.order_by("-detected_at", "-id")
    filterset_class = BreachFilter


class KPIViewSet(viewsets.ModelViewSet):
    """Department KPIs. Heads add and change their own department's; the CCO any."""

    serializer_class = KPISerializer
    queryset = KPI.objects.order_by("department_id", "name")
    filterset_fields = ["department", "owner"]
    create_permission = "cco.create_in_department"
    change_permission = "cco.change_owned"


class KPIObservationViewSet(viewsets.ModelViewSet):
    serializer_class = KPIObservationSerializer
    queryset = KPIObservation.objects.select_related("kpi").order_by("kpi_id", "-week_start")
    filterset_fields = ["kpi", "kpi__department", "week_start"]
    create_permission = "cco.create_in_department"
    change_permission = "cco.change_owned"


class ScoreSeriesView(APIView):
    """Scores with n and 95 % interval for one scope and grain, from roll-ups."""

    @extend_schema(
        parameters=[
            OpenApiParameter("metric", str, enum=Metric.values, required=True),
            OpenApiParameter("scope", str, enum=Scope.values, required=True),
            OpenApiParameter("scope_id", int, required=True, description="0 for organisation"),
            OpenApiParameter("grain", str, enum=Grain.values, required=True),
            OpenApiParameter("start", str, description="ISO date, inclusive"),
            OpenApiParameter("end", str, description="ISO date, inclusive"),
            OpenApiParameter("segment", str, description="Only answers of this customer segment"),
            OpenApiParameter("channel", str, enum=Channel.values,
                             description="Only touch points of this channel"),
        ],
        responses=ScorePointSerializer(many=True),
    )  # fmt: skip
    def get(self, request: Request) -> Response:
        query = _ScoreQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        wanted = dict(query.validated_data)
        where, errors = slice_query(wanted)
        if errors:
            raise ValidationError(errors)
        wanted.pop("segment", None)
        wanted.pop("channel", None)
        points = sliced_score_series(where=where, **wanted)
        return Response(ScorePointSerializer(points, many=True).data)


class _ScoreQuery(serializers.Serializer):
    metric = serializers.ChoiceField(choices=Metric.choices)
    scope = serializers.ChoiceField(choices=Scope.choices)
    scope_id = serializers.IntegerField(min_value=0)
    grain = serializers.ChoiceField(choices=Grain.choices)
    start = serializers.DateField(required=False)
    end = serializers.DateField(required=False)
    segment = serializers.CharField(required=False, allow_blank=True, max_length=60)
    # Checked against the known channels by `slice_query`, whose message names them all.
    channel = serializers.CharField(required=False, allow_blank=True, max_length=60)


def _say_do_group(group: Any) -> dict[str, Any]:
    shown = group.enough
    return {
        "category": group.category,
        "customers": group.customers,
        "retention": group.retention.value if shown else None,
        "retention_low": group.retention.low if shown else None,
        "retention_high": group.retention.high if shown else None,
        "revenue_total": group.revenue_total if shown else None,
        "mean_revenue": group.mean_revenue if shown else None,
    }


def say_do_answer(item: selectors.SayDoScope) -> dict[str, Any]:
    """One scope's say versus do as the API gives it: no figure for a group under the minimum."""
    gap, at_risk = item.gap, item.revenue_at_risk
    return {
        "scope_id": item.scope_id,
        "name": item.name,
        "customers": item.customers,
        "groups": [_say_do_group(group) for group in item.groups],
        "retention_gap": gap and {"value": gap.value, "low": gap.low, "high": gap.high},
        "revenue_at_risk": at_risk
        and {"value": at_risk.value, "low": at_risk.low, "high": at_risk.high},
        "refusal": item.refusal,
    }


class SayDoView(APIView):
    """Say versus do at one level, for one segment or all, from the say-versus-do roll-up.

    Revenue at risk = revenue of customers whose latest answer there was a detractor's ×
    (promoters' retention − detractors' retention); intervals are Wilson (retention) and
    Agresti–Caffo (the gap). Groups under `min_customers` carry counts but no figures.
    """

    @extend_schema(
        parameters=[
            OpenApiParameter("level", str, enum=[level.value for level in selectors.LEVELS]),
            OpenApiParameter("segment", str, description="One segment; empty for all"),
        ],
        responses=inline_serializer(
            "SayDoAnswer",
            {
                "level": serializers.CharField(),
                "segment": serializers.CharField(),
                "min_customers": serializers.IntegerField(),
                "scopes": serializers.ListField(child=serializers.DictField()),
            },
        ),
    )
    def get(self, request: Request) -> Response:
        query, errors = selectors.say_do_query(request.query_params)
        if errors:
            raise ValidationError(errors)
        scopes = selectors.say_do_by_scope(scope=query["level"], segment=query["segment"])
        return Response(
            {
                **query,
                "min_customers": selectors.MIN_CUSTOMERS,
                "scopes": [say_do_answer(item) for item in scopes],
            }
        )


class ScoreCutoffsSerializer(serializers.Serializer):
    nps = serializers.FloatField(help_text="NPS: amber up to this many points under target.")
    csat = serializers.FloatField(help_text="CSAT: amber up to this many points under target.")
    ces = serializers.FloatField(help_text="CES: amber up to this much under target.")
    kpi = serializers.FloatField(help_text="KPIs: amber up to this per cent of the goal short.")


class ScoreCutoffsView(APIView):
    """Where amber and red begin for each score and for KPIs: read by everyone with a role,
    replaced whole by the CCO (PUT). A bad value answers 400 naming the field; nothing is
    saved unless every value is good."""

    permission_classes = [ReadByRolesWriteByCCO]

    @extend_schema(responses=ScoreCutoffsSerializer)
    def get(self, request: Request) -> Response:
        return Response(score_cutoffs().as_dict())

    @extend_schema(request=ScoreCutoffsSerializer, responses=ScoreCutoffsSerializer)
    def put(self, request: Request) -> Response:
        if not isinstance(request.data, dict):
            raise serializers.ValidationError({"non_field_errors": ["Send a JSON object."]})
        saved = score_cutoffs_update(actor=request.user, values=dict(request.data))
        return Response(saved.as_dict())


def register(router: BaseRouter) -> None:
    """Register this app's viewsets on the API router."""
    router.register("journeys", JourneyViewSet)
    router.register("journey-stages", JourneyStageViewSet)
    router.register("touchpoints", TouchpointViewSet)
    router.register("responses", SurveyResponseViewSet)
    router.register("rollups", RollupViewSet)
    router.register("breaches", BreachViewSet)
    router.register("kpis", KPIViewSet)
    router.register("kpi-observations", KPIObservationViewSet)


urlpatterns = [
    path("scores/", ScoreSeriesView.as_view(), name="metrics-scores"),
    *segment_api.urlpatterns,
    path("score-cut-offs/", ScoreCutoffsView.as_view(), name="score-cutoffs"),
    *webhook_api.urlpatterns,
    path("say-do/", SayDoView.as_view(), name="metrics-say-do"),
    *theme_api.urlpatterns,
]
