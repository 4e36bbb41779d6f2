"""The accountability API: thin viewsets over the same selectors and services as the pages.

Updates to action items and CX issues carry the `version` the client read; a stale version is
answered with HTTP 409 naming who changed the object and when.
"""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    inline_serializer,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from accountability import selectors, services
from accountability.models import (
    ActionItem,
    ActionItemEvent,
    ActionStatus,
    AgendaItem,
    Attendance,
    CXIssue,
    CXIssueEvent,
    CXIssueStatus,
    Decision,
    Meeting,
    MeetingSeries,
)
from cco.models import Department, User


def _conflict(exc: services.Conflict) -> Response:
    """HTTP 409: someone saved a newer version; says who, when, and the version to retry on."""
    return Response(
        {
            "detail": str(exc),
            "changed_by": exc.changed_by,
            "changed_at": exc.changed_at.isoformat() if exc.changed_at else None,
            "current_version": exc.current_version,
        },
        status=status.HTTP_409_CONFLICT,
    )


def _invalid(exc: DjangoValidationError) -> DRFValidationError:
    if hasattr(exc, "error_dict"):
        return DRFValidationError(exc.message_dict)
    return DRFValidationError({"non_field_errors": exc.messages})


CONFLICT_RESPONSE = OpenApiResponse(
    response=inline_serializer(
        "Conflict",
        {
            "detail": serializers.CharField(),
            "changed_by": serializers.CharField(),
            "changed_at": serializers.DateTimeField(allow_null=True),
            "current_version": serializers.IntegerField(),
        },
    ),
    description="Someone saved a newer version since the client read it; nothing was written.",
)


# --- Serializers -------------------------------------------------------------------------

# Read-only statuses are plain strings: each status enum then appears in one component only
# (the update request), so its schema name is stable next to other apps' "status" fields.


class MeetingSeriesSerializer(serializers.ModelSerializer):
    class Meta:
        model = MeetingSeries
        fields = [
            "id",
            "name",
            "cadence",
            "weekday",
            "start_time",
            "duration_minutes",
            "location",
            "chair",
            "attendees",
            "created_at",
        ]
        read_only_fields = ["chair", "created_at"]


class AttendanceSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.__str__", read_only=True)

    class Meta:
        model = Attendance
        fields = ["person", "person_name", "present", "rating"]


class MeetingSerializer(serializers.ModelSerializer):
    series_name = serializers.CharField(source="series.name", read_only=True)
    attendance = AttendanceSerializer(many=True, read_only=True)
    minutes_url = serializers.SerializerMethodField()

    class Meta:
        model = Meeting
        fields = [
            "id",
            "series",
            "series_name",
            "scheduled_at",
            "status",
            "started_at",
            "closed_at",
            "minutes_sent_at",
            "summary",
            "attendance",
            "minutes_url",
        ]
        read_only_fields = fields

    def get_minutes_url(self, meeting: Meeting) -> str:
        from django.urls import reverse

        return reverse("accountability:meeting-minutes", args=[meeting.pk])


class AgendaItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgendaItem
        fields = [
            "id",
            "meeting",
            "kind",
            "source_id",
            "title",
            "detail",
            "department",
            "order",
            "discussed",
            "notes",
        ]
        read_only_fields = ["kind", "source_id", "detail", "order"]


class AgendaItemUpdateSerializer(serializers.Serializer):
    discussed = serializers.BooleanField(required=False)
    notes = serializers.CharField(required=False, allow_blank=True)


class DecisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Decision
        fields = [
            "id",
            "meeting",
            "agenda_item",
            "text",
            "cx_issue",
            "initiative",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = ["recorded_by", "recorded_at"]


class HistorySerializer(serializers.Serializer):
    actor = serializers.CharField(source="actor.__str__", allow_null=True, default=None)
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    note = serializers.CharField()


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


class ActionItemUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, help_text="The version you read; a newer one on the server answers 409."
    )
    status = serializers.ChoiceField(choices=ActionStatus.choices, required=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    title = serializers.CharField(required=False, max_length=300)
    due = serializers.DateField(required=False)
    owner_person = serializers.PrimaryKeyRelatedField(
        queryset=User.objects.filter(is_active=True), required=False, allow_null=True
    )


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
            "root_cause",
            "remediation_plan",
            "status",
            "raised_by",
            "raised_at",
            "resolved_at",
            "updated_at",
            "version",
        ]
        read_only_fields = [
            "scope",
            "scope_id",
            "origin",
            "breach",
            "root_cause",
            "remediation_plan",
            "status",
            "raised_by",
            "raised_at",
            "resolved_at",
            "updated_at",
            "version",
        ]


class CXIssueUpdateSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        min_value=1, help_text="The version you read; a newer one on the server answers 409."
    )
    status = serializers.ChoiceField(choices=CXIssueStatus.choices, required=False)
    root_cause = serializers.CharField(required=False, allow_blank=True)
    remediation_plan = serializers.CharField(required=False, allow_blank=True)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ScorecardRowSerializer(serializers.Serializer):
    department = serializers.IntegerField(source="department.pk")
    department_name = serializers.CharField(source="department.name")
    due_count = serializers.IntegerField()
    done_on_time = serializers.IntegerField()
    on_time_pct = serializers.FloatField(allow_null=True)
    overdue = serializers.IntegerField()
    avg_days_late = serializers.FloatField(allow_null=True)
    open_issues = serializers.IntegerField()
    meetings_expected = serializers.IntegerField()
    meetings_attended = serializers.IntegerField()
    attendance_pct = serializers.FloatField(allow_null=True)


# --- Filters -----------------------------------------------------------------------------


class MeetingFilter(filters.FilterSet):
    scheduled_after = filters.IsoDateTimeFilter(field_name="scheduled_at", lookup_expr="gte")
    scheduled_before = filters.IsoDateTimeFilter(field_name="scheduled_at", lookup_expr="lt")

    class Meta:
        model = Meeting
        fields = ["series", "status"]


class ActionItemFilter(filters.FilterSet):
    due_after = filters.DateFilter(field_name="due", lookup_expr="gte")
    due_before = filters.DateFilter(field_name="due", lookup_expr="lte")
    open = filters.BooleanFilter(method="filter_open", label="Not done")
    overdue = filters.BooleanFilter(method="filter_overdue", label="Open and past due")

    class Meta:
        model = ActionItem
        fields = ["department", "owner_person", "status", "origin", "meeting", "cx_issue"]

    def filter_open(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        if value is None:
            return queryset
        done = {"status": ActionStatus.DONE}
        return queryset.exclude(**done) if value else queryset.filter(**done)

    def filter_overdue(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        if not value:
            return queryset
        return queryset.exclude(status=ActionStatus.DONE).filter(due__lt=timezone.localdate())


class CXIssueFilter(filters.FilterSet):
    class Meta:
        model = CXIssue
        fields = ["department", "status", "origin", "touchpoint"]


# --- Viewsets ----------------------------------------------------------------------------


class MeetingSeriesViewSet(viewsets.ModelViewSet):
    """Recurring accountability meetings. Everyone reads; the CCO creates and changes them."""

    serializer_class = MeetingSeriesSerializer
    filterset_fields = ["cadence", "chair"]
    search_fields = ["name"]
    queryset = MeetingSeries.objects.prefetch_related("attendees").order_by("name")

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        try:
            serializer.instance = services.meeting_series_create(
                actor=self.request.user,  # type: ignore[arg-type]
                name=data["name"],
                cadence=data.get("cadence", "weekly"),
                weekday=data.get("weekday", 0),
                start_time=data["start_time"],
                duration_minutes=data.get("duration_minutes", 60),
                location=data.get("location", ""),
                attendees=data.get("attendees", []),
            )
        except DjangoValidationError as exc:
            raise _invalid(exc) from None


class MeetingViewSet(viewsets.ReadOnlyModelViewSet):
    """Meetings of every series. The CCO opens (builds the agenda), runs and closes them."""

    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    ordering_fields = ["scheduled_at"]
    change_permission = "cco.run_meeting"
    queryset = (
        Meeting.objects.select_related("series")
        .prefetch_related("attendance__person")
        .order_by("-scheduled_at")
    )

    def _run(self, fn: Any, **kwargs: Any) -> Response:
        meeting = self.get_object()
        try:
            fn(meeting_id=meeting.pk, actor=self.request.user, **kwargs)
        except DjangoValidationError as exc:
            raise _invalid(exc) from None
        return Response(MeetingSerializer(self.get_queryset().get(pk=meeting.pk)).data)

    @extend_schema(request=None, responses=MeetingSerializer)
    @action(detail=True, methods=["post"])
    def open(self, request: Request, pk: str | None = None) -> Response:
        """Take the register and build the agenda (safe to repeat)."""
        return self._run(services.meeting_open)

    @extend_schema(
        request=inline_serializer("MeetingClose", {"summary": serializers.CharField()}),
        responses=MeetingSerializer,
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str | None = None) -> Response:
        """Close the meeting, email the minutes, schedule the next one."""
        return self._run(services.meeting_close, summary=str(request.data.get("summary", "")))

    @extend_schema(request=AttendanceSerializer, responses=AttendanceSerializer)
    @action(detail=True, methods=["post"])
    def attendance(self, request: Request, pk: str | None = None) -> Response:
        """Record whether a person came and their 1–10 rating of the meeting."""
        meeting = self.get_object()
        serializer = AttendanceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            row = services.attendance_mark(
                meeting_id=meeting.pk,
                actor=request.user,  # type: ignore[arg-type]
                person=serializer.validated_data["person"],
                present=serializer.validated_data.get("present"),
                rating=serializer.validated_data.get("rating"),
            )
        except DjangoValidationError as exc:
            raise _invalid(exc) from None
        return Response(AttendanceSerializer(row).data)


class AgendaItemViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Agenda items. Generated when a meeting opens; the CCO adds items and takes notes."""

    serializer_class = AgendaItemSerializer
    filterset_fields = ["meeting", "kind", "department", "discussed"]
    create_permission = "cco.run_meeting"
    change_permission = "cco.run_meeting"
    http_method_names = ["get", "post", "patch", "head", "options"]
    queryset = AgendaItem.objects.select_related("department").order_by("meeting", "order", "pk")

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        try:
            serializer.instance = services.agenda_item_add(
                meeting_id=data["meeting"].pk,
                actor=self.request.user,  # type: ignore[arg-type]
                title=data["title"],
                department=data.get("department"),
            )
        except DjangoValidationError as exc:
            raise _invalid(exc) from None

    @extend_schema(request=AgendaItemUpdateSerializer, responses=AgendaItemSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        item = self.get_object()
        serializer = AgendaItemUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            item = services.agenda_item_update(
                item_id=item.pk,
                actor=request.user,  # type: ignore[arg-type]
                discussed=serializer.validated_data.get("discussed"),
                notes=serializer.validated_data.get("notes"),
            )
        except DjangoValidationError as exc:
            raise _invalid(exc) from None
        return Response(AgendaItemSerializer(item).data)

    @extend_schema(exclude=True)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.partial_update(request, *args, **kwargs)


class DecisionViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Decisions recorded in meetings; the CCO records them."""

    serializer_class = DecisionSerializer
    filterset_fields = ["meeting", "cx_issue", "initiative"]
    create_permission = "cco.run_meeting"
    queryset = Decision.objects.order_by("recorded_at", "pk")

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        try:
            serializer.instance = services.decision_record(
                meeting_id=data["meeting"].pk,
                actor=self.request.user,  # type: ignore[arg-type]
                text=data["text"],
                agenda_item_id=data["agenda_item"].pk if data.get("agenda_item") else None,
                cx_issue_id=data["cx_issue"].pk if data.get("cx_issue") else None,
                initiative_id=data["initiative"].pk if data.get("initiative") else None,
            )
        except DjangoValidationError as exc:
            raise _invalid(exc) from None


class ActionItemViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Action items. The CCO or the owning department's head creates them; the CCO, that head
    and the named owner update them. PATCH must send the `version` read: a stale one is 409."""

    serializer_class = ActionItemSerializer
    filterset_class = ActionItemFilter
    search_fields = ["title", "description"]
    ordering_fields = ["due", "updated_at", "created_at"]
    create_permission = "cco.create_in_department"
    change_permission = "cco.update_action_item"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[ActionItem]:
        return selectors.action_items().order_by("due", "pk")

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        department: Department = data["department"]
        if not self.request.user.has_perm("cco.change_owned", department):
            raise PermissionDenied(f"You may not create action items for {department}.")
        try:
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
        except DjangoValidationError as exc:
            raise _invalid(exc) from None

    @extend_schema(
        request=ActionItemUpdateSerializer,
        responses={200: ActionItemSerializer, 409: CONFLICT_RESPONSE},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        item = self.get_object()
        serializer = ActionItemUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        extra: dict[str, Any] = {}
        if "owner_person" in data:
            extra["owner_person"] = data["owner_person"]
        try:
            item = services.action_item_update(
                item_id=item.pk,
                actor=request.user,  # type: ignore[arg-type]
                expected_version=data["version"],
                status=data.get("status"),
                note=data.get("note", ""),
                title=data.get("title"),
                due=data.get("due"),
                **extra,
            )
        except services.Conflict as exc:
            return _conflict(exc)
        except DjangoValidationError as exc:
            raise _invalid(exc) from None
        return Response(ActionItemSerializer(item).data)

    @extend_schema(exclude=True)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(responses=HistorySerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: str | None = None) -> Response:
        """Every status change and progress note, newest first, with who and when."""
        item = self.get_object()
        events: QuerySet[ActionItemEvent] = selectors.action_item_history(item=item)
        return Response(HistorySerializer(events, many=True).data)


class CXIssueViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """CX issues, raised from breaches or by the CCO by hand. The accountable department's head
    (or the CCO) writes the root cause and plan and moves the status; PATCH sends `version`."""

    serializer_class = CXIssueSerializer
    filterset_class = CXIssueFilter
    search_fields = ["title", "description"]
    ordering_fields = ["raised_at", "updated_at"]
    create_permission = "cco.manage_product"
    change_permission = "cco.change_owned"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[CXIssue]:
        return selectors.cx_issues().order_by("-raised_at", "-pk")

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        try:
            serializer.instance = services.cx_issue_raise(
                actor=self.request.user,  # type: ignore[arg-type]
                title=data["title"],
                department=data["department"],
                description=data.get("description", ""),
                touchpoint_id=data["touchpoint"].pk if data.get("touchpoint") else None,
            )
        except DjangoValidationError as exc:
            raise _invalid(exc) from None

    @extend_schema(
        request=CXIssueUpdateSerializer,
        responses={200: CXIssueSerializer, 409: CONFLICT_RESPONSE},
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        issue = self.get_object()
        serializer = CXIssueUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            issue = services.cx_issue_update(
                issue_id=issue.pk,
                actor=request.user,  # type: ignore[arg-type]
                expected_version=data["version"],
                status=data.get("status"),
                root_cause=data.get("root_cause"),
                remediation_plan=data.get("remediation_plan"),
                note=data.get("note", ""),
            )
        except services.Conflict as exc:
            return _conflict(exc)
        except DjangoValidationError as exc:
            raise _invalid(exc) from None
        return Response(CXIssueSerializer(issue).data)

    @extend_schema(exclude=True)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(responses=HistorySerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request: Request, pk: str | None = None) -> Response:
        issue = self.get_object()
        events: QuerySet[CXIssueEvent] = selectors.cx_issue_history(issue=issue)
        return Response(HistorySerializer(events, many=True).data)


class ScorecardViewSet(viewsets.ViewSet):
    """Per department: action items done on time %, overdue, average days late, open CX
    issues and meeting attendance, over the last 91 days."""

    @extend_schema(responses=ScorecardRowSerializer(many=True))
    def list(self, request: Request) -> Response:
        return Response(ScorecardRowSerializer(selectors.scorecard(), many=True).data)


def register(router: BaseRouter) -> None:
    """Register this app's viewsets on the API router."""
    router.register("meeting-series", MeetingSeriesViewSet, basename="meeting-series")
    router.register("meetings", MeetingViewSet, basename="meeting")
    router.register("agenda-items", AgendaItemViewSet, basename="agenda-item")
    router.register("decisions", DecisionViewSet, basename="decision")
    router.register("action-items", ActionItemViewSet, basename="action-item")
    router.register("cx-issues", CXIssueViewSet, basename="cx-issue")
    router.register("accountability-scorecard", ScorecardViewSet, basename="scorecard")


urlpatterns: list = []
