"""Follow-up cases over the API: list and filter, versioned records, assign, raise an issue.

Cases are opened by the product from low scores, never by a client: there is no create.
"""

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accountability import followup_selectors as selectors
from accountability.api.common import HistorySerializer, department_lookup
from accountability.models import (
    FollowupCase,
    FollowupOutcome,
    FollowupStatus,
    RootCause,
)
from accountability.services import followups as services
from cco.access import require_perm
from cco.api_errors import CONFLICT_RESPONSE
from cco.models import User


class FollowupCaseSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="open, contacted or closed")
    outcome = serializers.CharField(read_only=True, help_text="resolved, not_reached, declined")
    root_cause = serializers.CharField(read_only=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = FollowupCase
        fields = [
            "id",
            "department",
            "touchpoint",
            "customer_id",
            "status",
            "assignee",
            "opened_at",
            "due_on",
            "overdue",
            "last_response_at",
            "response_count",
            "contact_attempts",
            "first_contact_at",
            "outcome",
            "root_cause",
            "closed_at",
            "cx_issue",
            "updated_at",
            "version",
        ]
        read_only_fields = fields

    def get_overdue(self, case: FollowupCase) -> bool:
        return case.is_overdue(timezone.localdate())


class FollowupRecordSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, help_text="The version you read; a newer one on the server answers 409."
    )
    contacted = serializers.BooleanField(required=False, default=False)
    outcome = serializers.ChoiceField(choices=FollowupOutcome.choices, required=False)
    root_cause = serializers.ChoiceField(choices=RootCause.choices, required=False)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class FollowupAssignSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1)
    assignee = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), allow_null=True
    )


class FollowupRaiseIssueSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1)
    title = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class FollowupCaseFilter(filters.FilterSet):
    department = filters.CharFilter(method="filter_department", label="Department id or slug")
    overdue = filters.BooleanFilter(method="filter_overdue", label="Open and past due")
    open = filters.BooleanFilter(method="filter_open", label="Not closed")

    class Meta:
        model = FollowupCase
        fields = ["status", "assignee", "touchpoint", "customer_id", "outcome", "root_cause"]

    def filter_department(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(**department_lookup(value))

    def filter_open(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        if value is None:
            return queryset
        closed = {"status": FollowupStatus.CLOSED}
        return queryset.exclude(**closed) if value else queryset.filter(**closed)

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        if not value:
            return queryset
        return queryset.filter(pk__in=selectors.overdue_cases().values("pk"))


@extend_schema_view(
    partial_update=extend_schema(
        request=FollowupRecordSerializer,
        responses={200: FollowupCaseSerializer, 409: CONFLICT_RESPONSE},
    )
)
class FollowupCaseViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Follow-up cases. Everyone with a role reads them; the CCO and the owning department's
    head and people record contacts and outcomes (PATCH with the `version` read: a stale one is
    409); the CCO and that head assign them and raise a CX issue from one."""

    serializer_class = FollowupCaseSerializer
    filterset_class = FollowupCaseFilter
    ordering_fields = ["due_on", "opened_at", "updated_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    change_permission = "cco.work_followup"

    def get_queryset(self) -> QuerySet[FollowupCase]:
        return selectors.followup_cases()

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        case = self.get_object()
        body = FollowupRecordSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        fields = dict(body.validated_data)
        saved = services.followup_case_record(
            case_id=case.pk,
            actor=request.user,  # type: ignore[arg-type]
            expected_version=fields.pop("version"),
            **fields,
        )
        return Response(self.get_serializer(saved).data)

    @extend_schema(exclude=True)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(
        request=FollowupAssignSerializer,
        responses={200: FollowupCaseSerializer, 409: CONFLICT_RESPONSE},
    )
    @action(detail=True, methods=["post"])
    def assign(self, request: Request, pk: str | None = None) -> Response:
        """Name the person in the department who calls the customer back."""
        case = self.get_object()
        require_perm(request.user, "cco.assign_followup", case)
        body = FollowupAssignSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        saved = services.followup_case_assign(
            case_id=case.pk,
            actor=request.user,  # type: ignore[arg-type]
            expected_version=body.validated_data["version"],
            assignee=body.validated_data["assignee"],
        )
        return Response(self.get_serializer(saved).data)

    @extend_schema(
        request=FollowupRaiseIssueSerializer,
        responses={201: FollowupCaseSerializer, 409: CONFLICT_RESPONSE},
    )
    @action(detail=True, methods=["post"], url_path="raise-issue")
    def raise_issue(self, request: Request, pk: str | None = None) -> Response:
        """Raise a CX issue of the case's department from it; the two link to each other."""
        case = self.get_object()
        require_perm(request.user, "cco.assign_followup", case)
        body = FollowupRaiseIssueSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.followup_case_raise_issue(
            case_id=case.pk,
            actor=request.user,  # type: ignore[arg-type]
            expected_version=body.validated_data["version"],
            title=body.validated_data["title"],
        )
        saved = selectors.followup_cases().get(pk=case.pk)
        return Response(self.get_serializer(saved).data, status=201)

    @extend_schema(responses=HistorySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request: Request, pk: str | None = None) -> Response:
        """Every contact, status change and note, oldest first, with who and when."""
        case = self.get_object()
        return Response(
            HistorySerializer(selectors.followup_case_history(case=case), many=True).data
        )
