"""Meetings over the API: series, meetings (open, attendance, close), agenda and decisions."""

from typing import Any

from django.urls import reverse
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accountability import services
from accountability.models import (
    AgendaItem,
    Attendance,
    Decision,
    Meeting,
    MeetingSeries,
)


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?$",
        "example": "09:30:00",
    }
)
class TimeOfDayField(serializers.TimeField):
    """A local time of day, "HH:MM[:SS[.ffffff]]". Not OpenAPI's `format: time`, which is RFC
    3339's full-time and demands an offset this wall-clock time (TIME_ZONE setting) has not."""


class MeetingSeriesSerializer(serializers.ModelSerializer):
    start_time = TimeOfDayField(help_text="Local start time (TIME_ZONE setting).")

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


class MeetingFilter(filters.FilterSet):
    scheduled_after = filters.IsoDateTimeFilter(field_name="scheduled_at", lookup_expr="gte")
    scheduled_before = filters.IsoDateTimeFilter(field_name="scheduled_at", lookup_expr="lt")

    class Meta:
        model = Meeting
        fields = ["series", "status"]


class MeetingSeriesViewSet(viewsets.ModelViewSet):
    """Recurring accountability meetings. Everyone reads; the CCO creates and changes them."""

    serializer_class = MeetingSeriesSerializer
    filterset_fields = ["cadence", "chair"]
    search_fields = ["name"]
    queryset = MeetingSeries.objects.prefetch_related("attendees").order_by("name")

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
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
        fn(meeting_id=meeting.pk, actor=self.request.user, **kwargs)
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
        row = services.attendance_mark(
            meeting_id=meeting.pk,
            actor=request.user,  # type: ignore[arg-type]
            person=serializer.validated_data["person"],
            present=serializer.validated_data.get("present"),
            rating=serializer.validated_data.get("rating"),
        )
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
        serializer.instance = services.agenda_item_add(
            meeting_id=data["meeting"].pk,
            actor=self.request.user,  # type: ignore[arg-type]
            title=data["title"],
            department=data.get("department"),
        )

    @extend_schema(request=AgendaItemUpdateSerializer, responses=AgendaItemSerializer)
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        item = self.get_object()
        serializer = AgendaItemUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        item = services.agenda_item_update(
            item_id=item.pk,
            actor=request.user,  # type: ignore[arg-type]
            discussed=serializer.validated_data.get("discussed"),
            notes=serializer.validated_data.get("notes"),
        )
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
        serializer.instance = services.decision_record(
            meeting_id=data["meeting"].pk,
            actor=self.request.user,  # type: ignore[arg-type]
            text=data["text"],
            agenda_item_id=data["agenda_item"].pk if data.get("agenda_item") else None,
            cx_issue_id=data["cx_issue"].pk if data.get("cx_issue") else None,
            initiative_id=data["initiative"].pk if data.get("initiative") else None,
        )
