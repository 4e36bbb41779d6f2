"""Action items over the API: list, filter, create, versioned update and history."""

from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied

from accountability import selectors, services
from accountability.api.common import (
    VersionedUpdateSerializer,
    VersionedViewSet,
    department_lookup,
)
from accountability.models import ActionItem, ActionStatus
from accountability.services.actions import due_date_problem
from cco.api_errors import CONFLICT_RESPONSE
from cco.models import Department, User

# Read-only statuses are plain strings: each status enum then appears in one component only
# (the update request), so its schema name is stable next to other apps' "status" fields.


class ActionItemSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="open, in_progress, done or blocked")
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "title",
            "description",
            "department",
            "owner_person",
            "due",
            "status",
            "origin",
            "meeting",
            "cx_issue",
            "initiative",
            "completed_on",
            "created_by",
            "created_at",
            "updated_at",
            "version",
            "overdue",
        ]
        read_only_fields = [
            "status",
            "origin",
            "completed_on",
            "created_by",
            "created_at",
            "updated_at",
            "version",
        ]

    def get_overdue(self, item: ActionItem) -> bool:
        return item.status != ActionStatus.DONE and item.due < timezone.localdate()

    def validate_due(self, due: date) -> date:
        if problem := due_date_problem(due):
            raise serializers.ValidationError(problem)
        return due


class ActionItemUpdateSerializer(VersionedUpdateSerializer):
    status = serializers.ChoiceField(choices=ActionStatus.choices, required=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    title = serializers.CharField(required=False, max_length=300)
    due = serializers.DateField(required=False)
    owner_person = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )


class ActionItemFilter(filters.FilterSet):
    due_after = filters.DateFilter(field_name="due", lookup_expr="gte")
    due_before = filters.DateFilter(field_name="due", lookup_expr="lte")
    open = filters.BooleanFilter(method="filter_open", label="Not done")
    overdue = filters.BooleanFilter(method="filter_overdue", label="Open and past due")
    department = filters.CharFilter(method="filter_department", label="Department id or slug")

    class Meta:
        model = ActionItem
        fields = ["owner_person", "status", "origin", "meeting", "cx_issue"]

    def filter_department(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(**department_lookup(value))

    def filter_open(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        if value is None:
            return queryset
        done = {"status": ActionStatus.DONE}
        return queryset.exclude(**done) if value else queryset.filter(**done)

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        if not value:
            return queryset
        return queryset.exclude(status=ActionStatus.DONE).filter(due__lt=timezone.localdate())


@extend_schema_view(
    partial_update=extend_schema(
        request=ActionItemUpdateSerializer,
        responses={200: ActionItemSerializer, 409: CONFLICT_RESPONSE},
    )
)
class ActionItemViewSet(VersionedViewSet):
    """Action items. The CCO or the owning department's head creates them; the CCO, that head
    and the named owner update them. PATCH must send the `version` read: a stale one is 409."""

    serializer_class = ActionItemSerializer
    update_serializer_class = ActionItemUpdateSerializer
    filterset_class = ActionItemFilter
    search_fields = ["title", "description"]
    ordering_fields = ["due", "updated_at", "created_at"]
    create_permission = "cco.create_in_department"
    change_permission = "cco.update_action_item"

    def get_queryset(self) -> QuerySet[ActionItem]:
        return selectors.action_items().order_by("due", "pk")

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        department: Department = data["department"]
        if not self.request.user.has_perm("cco.change_owned", department):
            raise PermissionDenied(f"You may not create action items for {department}.")
        serializer.instance = services.action_item_create(
            actor=self.request.user,  # type: ignore[arg-type]
            title=data["title"],
            description=data.get("description", ""),
            department=department,
            owner_person=data.get("owner_person"),
            due=data["due"],
            meeting=data.get("meeting"),
            cx_issue=data.get("cx_issue"),
            initiative_id=data["initiative"].pk if data.get("initiative") else None,
        )

    def save_version(self, obj: ActionItem, **fields: Any) -> ActionItem:
        return services.action_item_update(item_id=obj.pk, **fields)

    def history_of(self, obj: ActionItem) -> QuerySet:
        return selectors.action_item_history(item=obj)
