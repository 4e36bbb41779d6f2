"""CX issues over the API: list, filter, raise by hand, versioned update and history."""

from typing import Any

from django.db.models import QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers

from accountability import selectors, services
from accountability.api.common import (
    VersionedUpdateSerializer,
    VersionedViewSet,
    department_lookup,
)
from accountability.models import CXIssue, CXIssueStatus
from cco.api_errors import CONFLICT_RESPONSE


class CXIssueSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="open, plan_agreed or resolved")

    class Meta:
        model = CXIssue
        fields = [
            "id",
            "title",
            "description",
            "touchpoint",
            "scope",
            "scope_id",
            "department",
            "origin",
            "breach",
            "metric",
            "breach_count",
            "worst_value",
            "latest_value",
            "escalated",
            "root_cause",
            "remediation_plan",
            "status",
            "raised_by",
            "raised_at",
            "resolved_at",
            "updated_at",
            "version",
        ]
        # What raising an issue by hand takes is written here; the rest moves by PATCH.
        read_only_fields = [
            name
            for name in fields
            if name not in ("id", "title", "description", "touchpoint", "department")
        ]


class CXIssueUpdateSerializer(VersionedUpdateSerializer):
    status = serializers.ChoiceField(choices=CXIssueStatus.choices, required=False)
    root_cause = serializers.CharField(required=False, allow_blank=True)
    remediation_plan = serializers.CharField(required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class CXIssueFilter(filters.FilterSet):
    department = filters.CharFilter(method="filter_department", label="Department id or slug")

    class Meta:
        model = CXIssue
        fields = ["status", "origin", "touchpoint"]

    def filter_department(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(**department_lookup(value))


@extend_schema_view(
    partial_update=extend_schema(
        request=CXIssueUpdateSerializer,
        responses={200: CXIssueSerializer, 409: CONFLICT_RESPONSE},
    )
)
class CXIssueViewSet(VersionedViewSet):
    """CX issues, raised from breaches or by the CCO by hand. The accountable department's head
    (or the CCO) writes the root cause and plan and moves the status; PATCH sends `version`."""

    serializer_class = CXIssueSerializer
    update_serializer_class = CXIssueUpdateSerializer
    filterset_class = CXIssueFilter
    search_fields = ["title", "description"]
    ordering_fields = ["raised_at", "updated_at"]
    create_permission = "cco.manage_product"
    change_permission = "cco.change_owned"

    def get_queryset(self) -> QuerySet[CXIssue]:
        return selectors.cx_issues().order_by("-raised_at", "-pk")

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        serializer.instance = services.cx_issue_raise(
            actor=self.request.user,  # type: ignore[arg-type]
            title=data["title"],
            department=data["department"],
            description=data.get("description", ""),
            touchpoint_id=data["touchpoint"].pk if data.get("touchpoint") else None,
        )

    def save_version(self, obj: CXIssue, **fields: Any) -> CXIssue:
        return services.cx_issue_update(issue_id=obj.pk, **fields)

    def history_of(self, obj: CXIssue) -> QuerySet:
        return selectors.cx_issue_history(issue=obj)
