"""The roadmap's JSON API. Serializers shape data; every write goes through roadmap/services."""

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from cco.models import User
from metrics.models import Scope
from roadmap import services
from roadmap.api_money import MoneyValueSerializer, ReturnSerializer, result_value_data, return_data
from roadmap.api_readings import BASELINE_SOURCES, READING_SCHEMA, page_of, reading_data
from roadmap.models import (
    Dependency,
    ExpectedResult,
    Initiative,
    InitiativeUpdate,
    Milestone,
    Pillar,
    Roadmap,
)
from roadmap.selectors import (
    ResultReading,
    initiative_queryset,
    read_results,
    result_reading,
    rows_for,
)
from roadmap.stats import VERDICT_LABELS


def _actor(request: Request) -> User:
    if not isinstance(request.user, User):
        raise PermissionDenied("Sign in first.")
    return request.user


class ServiceSerializer(serializers.ModelSerializer):
    """Model serializers whose create/update call a service instead of saving directly."""

    def actor(self) -> User:
        return _actor(self.context["request"])


# --- Roadmaps and pillars -------------------------------------------------------------------


class RoadmapSerializer(ServiceSerializer):
    class Meta:
        model = Roadmap
        fields = ["id", "name", "start_year", "end_year", "is_current", "description"]
        # The one-current rule is kept by the service: it unmarks the previous current one.
        extra_kwargs: dict[str, dict[str, Any]] = {"is_current": {"validators": []}}

    def create(self, validated_data: dict[str, Any]) -> Roadmap:
        roadmap = Roadmap(**validated_data)
        return services.roadmap_save(actor=self.actor(), roadmap=roadmap)

    def update(self, instance: Roadmap, validated_data: dict[str, Any]) -> Roadmap:
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return services.roadmap_save(actor=self.actor(), roadmap=instance)


class PillarSerializer(ServiceSerializer):
    class Meta:
        model = Pillar
        fields = ["id", "roadmap", "name", "description", "colour", "order"]

    def create(self, validated_data: dict[str, Any]) -> Pillar:
        pillar = Pillar(**validated_data)
        return services.pillar_save(actor=self.actor(), pillar=pillar)

    def update(self, instance: Pillar, validated_data: dict[str, Any]) -> Pillar:
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return services.pillar_save(actor=self.actor(), pillar=instance)


class RoadmapViewSet(viewsets.ModelViewSet):
    """Multi-year roadmaps. Everyone reads; the CCO changes them."""

    serializer_class = RoadmapSerializer
    queryset = Roadmap.objects.order_by("-is_current", "-start_year", "name")
    filterset_fields = ["is_current"]
    search_fields = ["name"]
    ordering_fields = ["start_year", "name"]


class PillarViewSet(viewsets.ModelViewSet):
    """Themes of a roadmap. Everyone reads; the CCO changes them."""

    serializer_class = PillarSerializer
    queryset = Pillar.objects.order_by("roadmap", "order", "name")
    filterset_fields = ["roadmap"]
    search_fields = ["name"]


# --- Initiatives ----------------------------------------------------------------------------


class InitiativeSerializer(ServiceSerializer):
    roadmap = serializers.IntegerField(source="pillar.roadmap_id", read_only=True)
    depends_on = serializers.ManyRelatedField(
        child_relation=serializers.PrimaryKeyRelatedField(read_only=True), read_only=True
    )
    health = serializers.SerializerMethodField()
    health_reasons = serializers.SerializerMethodField()
    health_judged_on = serializers.SerializerMethodField()
    rolled_up_progress = serializers.SerializerMethodField()
    money_return = serializers.SerializerMethodField()
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = Initiative
        fields = [
            "id",
            "roadmap",
            "pillar",
            "title",
            "description",
            "department",
            "sponsor",
            "start_date",
            "end_date",
            "status",
            "progress",
            "rolled_up_progress",
            "health",
            "health_reasons",
            "health_judged_on",
            "notes",
            "budget",
            "money_return",
            "driver",
            "depends_on",
            "url",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def get_validators(self) -> list[Any]:
        return []  # the service names a duplicate title in words

    def _row(self, obj: Initiative) -> Any:
        cache = self.context.setdefault("rows", {})
        if obj.pk not in cache:
            page = [i for i in page_of(self, obj) if i.pk not in cache] or [obj]
            cache.update({row.initiative.pk: row for row in rows_for(page)})
        return cache[obj.pk]

    @extend_schema_field(
        serializers.ChoiceField(choices=["on_track", "at_risk", "done", "dropped", "not_started"])
    )
    def get_health(self, obj: Initiative) -> str:
        return str(self._row(obj).health.level)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_health_reasons(self, obj: Initiative) -> list[str]:
        return list(self._row(obj).health.reasons)

    @extend_schema_field(serializers.CharField())
    def get_health_judged_on(self, obj: Initiative) -> str:
        """The day of the schedule and the months each expected result was judged on."""
        row = self._row(obj)
        return "; ".join([row.health_basis, *row.health.judged_on])

    @extend_schema_field(OpenApiTypes.INT)
    def get_rolled_up_progress(self, obj: Initiative) -> int:
        return int(self._row(obj).progress)

    @extend_schema_field(ReturnSerializer)
    def get_money_return(self, obj: Initiative) -> dict[str, Any]:
        """The return on the budget (roadmap.stats.returns), or why there is none yet."""
        return return_data(self._row(obj).money)

    def create(self, validated_data: dict[str, Any]) -> Initiative:
        return services.initiative_create(actor=self.actor(), **validated_data)

    def update(self, instance: Initiative, validated_data: dict[str, Any]) -> Initiative:
        return services.initiative_update(
            actor=self.actor(), initiative=instance, changes=validated_data
        )


class InitiativeFilter(filters.FilterSet):
    roadmap = filters.NumberFilter(field_name="pillar__roadmap")
    starts_after = filters.DateFilter(field_name="start_date", lookup_expr="gte")
    ends_before = filters.DateFilter(field_name="end_date", lookup_expr="lte")

    class Meta:
        model = Initiative
        fields = ["pillar", "department", "status", "sponsor"]


class InitiativeViewSet(viewsets.ModelViewSet):
    """Initiatives with derived health and progress. The CCO changes everything; the head of
    the owning department may PATCH progress and notes only; executives read."""

    serializer_class = InitiativeSerializer
    filterset_class = InitiativeFilter
    search_fields = ["title", "description"]
    ordering_fields = ["start_date", "end_date", "title", "status"]
    create_permission = "cco.manage_product"
    change_permission = "cco.change_owned"

    def get_queryset(self) -> QuerySet[Initiative]:
        return initiative_queryset().prefetch_related("depends_on").order_by("start_date", "id")

    def _actor(self) -> User:
        return _actor(self.request)

    def perform_destroy(self, instance: Initiative) -> None:
        services.initiative_delete(actor=self._actor(), initiative=instance)


# --- Milestones -----------------------------------------------------------------------------


class MilestoneSerializer(ServiceSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "initiative", "title", "due_date", "done_date", "is_key"]

    def get_validators(self) -> list[Any]:
        return []

    def create(self, validated_data: dict[str, Any]) -> Milestone:
        milestone = Milestone(**validated_data)
        return services.milestone_save(actor=self.actor(), milestone=milestone)

    def update(self, instance: Milestone, validated_data: dict[str, Any]) -> Milestone:
        if "initiative" in validated_data and validated_data["initiative"] != instance.initiative:
            raise serializers.ValidationError(
                {"initiative": "A milestone cannot move to another initiative."}
            )
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return services.milestone_save(actor=self.actor(), milestone=instance)


class MilestoneFilter(filters.FilterSet):
    roadmap = filters.NumberFilter(field_name="initiative__pillar__roadmap")
    department = filters.NumberFilter(field_name="initiative__department")
    done = filters.BooleanFilter(field_name="done_date", lookup_expr="isnull", exclude=True)
    due_after = filters.DateFilter(field_name="due_date", lookup_expr="gte")
    due_before = filters.DateFilter(field_name="due_date", lookup_expr="lte")

    class Meta:
        model = Milestone
        fields = ["initiative", "is_key"]


class MilestoneViewSet(viewsets.ModelViewSet):
    """Milestones. The CCO and the head of the owning department add, change and tick them;
    only the CCO removes them."""

    serializer_class = MilestoneSerializer
    filterset_class = MilestoneFilter
    search_fields = ["title"]
    ordering_fields = ["due_date", "done_date"]
    create_permission = "cco.create_in_department"
    change_permission = "cco.change_owned"

    def get_queryset(self) -> QuerySet[Milestone]:
        return Milestone.objects.select_related("initiative").order_by("due_date", "id")

    def _actor(self) -> User:
        return _actor(self.request)

    def perform_destroy(self, instance: Milestone) -> None:
        services.milestone_delete(actor=self._actor(), milestone=instance)


# --- Dependencies and expected results ------------------------------------------------------


class DependencySerializer(ServiceSerializer):
    class Meta:
        model = Dependency
        fields = ["id", "initiative", "depends_on"]

    def get_validators(self) -> list[Any]:
        return []

    def create(self, validated_data: dict[str, Any]) -> Dependency:
        return services.dependency_add(
            actor=self.actor(),
            initiative=validated_data["initiative"],
            depends_on=validated_data["depends_on"],
        )


class DependencyViewSet(viewsets.ModelViewSet):
    """Dependencies between initiatives; a cycle is refused with the cycle named."""

    serializer_class = DependencySerializer
    filterset_fields = ["initiative", "depends_on"]
    http_method_names = ["get", "post", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Dependency]:
        return Dependency.objects.select_related("initiative", "depends_on").order_by("id")

    def _actor(self) -> User:
        return _actor(self.request)

    def perform_destroy(self, instance: Dependency) -> None:
        services.dependency_remove(actor=self._actor(), dependency=instance)


class ExpectedResultSerializer(ServiceSerializer):
    # The metrics app's full Scope choices keep one shared enum in the schema; the model
    # refuses "stage" with a message (a stage is too fine-grained for a five-year promise).
    scope = serializers.ChoiceField(
        choices=Scope.choices,
        required=False,
        help_text="Where the measure is read; a KPI-backed measure takes its KPI's department.",
    )
    scope_label = serializers.SerializerMethodField()
    unit = serializers.SerializerMethodField()
    actual = serializers.SerializerMethodField()
    money = serializers.SerializerMethodField()
    baseline_used = serializers.SerializerMethodField()
    baseline_source = serializers.SerializerMethodField()
    verdict = serializers.SerializerMethodField()
    judged_on = serializers.SerializerMethodField()

    class Meta:
        model = ExpectedResult
        fields = [
            "id",
            "initiative",
            "metric",
            "kpi",
            "unit",
            "scope",
            "scope_id",
            "scope_label",
            "baseline",
            "baseline_months",
            "baseline_used",
            "baseline_source",
            "target",
            "by_date",
            "time_to_impact",
            "verdict",
            "judged_on",
            "actual",
            "money",
            "note",
        ]
        extra_kwargs: dict[str, dict[str, Any]] = {
            "metric": {
                "help_text": "The measure: a score, retention %, revenue, cost to serve or a KPI."
            },
            "baseline": {
                "help_text": "A typed baseline overriding the measured one; null to measure it."
            },
        }

    def get_validators(self) -> list[Any]:
        return []

    def _reading(self, obj: ExpectedResult) -> ResultReading:
        cache = self.context.setdefault("readings", {})
        if obj.pk not in cache:
            page = [r for r in page_of(self, obj) if r.pk not in cache] or [obj]
            cache.update({reading.result.pk: reading for reading in read_results(page)})
        reading: ResultReading = cache[obj.pk]
        return reading

    def get_scope_label(self, obj: ExpectedResult) -> str:
        return self._reading(obj).label

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_baseline_used(self, obj: ExpectedResult) -> float | None:
        """The baseline the verdict reads: the typed one, else the measured one, else null."""
        return self._reading(obj).baseline.value

    @extend_schema_field(serializers.ChoiceField(choices=BASELINE_SOURCES))
    def get_baseline_source(self, obj: ExpectedResult) -> str:
        return self._reading(obj).baseline.source

    @extend_schema_field(serializers.ChoiceField(choices=list(VERDICT_LABELS)))
    def get_verdict(self, obj: ExpectedResult) -> str:
        return self._reading(obj).verdict.kind

    @extend_schema_field(serializers.CharField())
    def get_judged_on(self, obj: ExpectedResult) -> str:
        return self._reading(obj).verdict.judged_on

    @extend_schema_field(serializers.CharField())
    def get_unit(self, obj: ExpectedResult) -> str:
        return self._reading(obj).unit

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_actual(self, obj: ExpectedResult) -> float | None:
        """The judged window's figure in `unit`; null while too early."""
        return self._reading(obj).verdict.actual

    @extend_schema_field(MoneyValueSerializer)
    def get_money(self, obj: ExpectedResult) -> dict[str, Any]:
        return result_value_data(self._reading(obj).value)

    def create(self, validated_data: dict[str, Any]) -> ExpectedResult:
        result = ExpectedResult(**validated_data)
        return services.expected_result_save(actor=self.actor(), result=result)

    def update(self, instance: ExpectedResult, validated_data: dict[str, Any]) -> ExpectedResult:
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return services.expected_result_save(actor=self.actor(), result=instance)


class ExpectedResultViewSet(viewsets.ModelViewSet):
    """Results initiatives promise; `reading` puts the actual monthly scores against them."""

    serializer_class = ExpectedResultSerializer
    filterset_fields = ["initiative", "metric", "scope", "scope_id"]
    ordering_fields = ["by_date"]

    def get_queryset(self) -> QuerySet[ExpectedResult]:
        return ExpectedResult.objects.select_related("initiative", "kpi").order_by("by_date", "id")

    def _actor(self) -> User:
        return _actor(self.request)

    def perform_destroy(self, instance: ExpectedResult) -> None:
        services.expected_result_delete(actor=self._actor(), result=instance)

    @extend_schema(responses=READING_SCHEMA)
    @action(detail=True, methods=["get"])
    def reading(self, request: Request, pk: str | None = None) -> Response:
        result = self.get_object()
        return Response(reading_data(result_reading(result)))


class InitiativeUpdateSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author", read_only=True, default="")

    class Meta:
        model = InitiativeUpdate
        fields = ["id", "initiative", "author", "author_name", "created_at", "summary", "note"]
        read_only_fields = fields


class InitiativeUpdateViewSet(viewsets.ReadOnlyModelViewSet):
    """The history of every initiative: who changed what, when."""

    serializer_class = InitiativeUpdateSerializer
    filterset_fields = ["initiative", "author"]

    def get_queryset(self) -> QuerySet[InitiativeUpdate]:
        return InitiativeUpdate.objects.select_related("author").order_by("-created_at", "-id")


def register(router: BaseRouter) -> None:
    """Register this app's viewsets on the API router."""
    router.register("roadmaps", RoadmapViewSet, basename="roadmap")
    router.register("pillars", PillarViewSet, basename="pillar")
    router.register("initiatives", InitiativeViewSet, basename="initiative")
    router.register("milestones", MilestoneViewSet, basename="milestone")
    router.register("dependencies", DependencyViewSet, basename="dependency")
    router.register("expected-results", ExpectedResultViewSet, basename="expected-result")
    router.register("initiative-updates", InitiativeUpdateViewSet, basename="initiative-update")


urlpatterns: list = []
