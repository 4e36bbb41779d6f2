"""Front-line blockers over the API: list and filter, raise, add one's voice, the owning head's
answer, and a resolved blocker turned into an action item — the pages' services and rules."""

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response

from accountability import blocker_selectors as selectors
from accountability.api.common import department_lookup
from accountability.models import Blocker, BlockerStatus
from accountability.services import blockers as services
from cco.access import require_perm
from cco.models import Department


class VoicedAlready(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "You have added your voice to this blocker already."
    default_code = "voiced_already"


@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string"}]})
class DepartmentIdOrSlugField(serializers.CharField):
    """Sent as a department's id or slug; answered as its id."""


class BlockerSerializer(serializers.ModelSerializer):
    department = DepartmentIdOrSlugField(
        help_text="The department that can remove it: its id or slug (answered as its id)."
    )
    voices = serializers.SerializerMethodField(
        help_text="People who said 'me too', the raiser's included."
    )
    past_service_level = serializers.SerializerMethodField(
        help_text="Unanswered after the last day of the service level (`answer_due`)."
    )

    class Meta:
        model = Blocker
        fields = [
            "id",
            "title",
            "description",
            "department",
            "touchpoint",
            "raised_at",
            "answer_due",
            "status",
            "voices",
            "past_service_level",
            "answer",
            "answered_at",
            "resolved_at",
            "action_item",
        ]
        read_only_fields = [
            "raised_at",
            "answer_due",
            "status",
            "answer",
            "answered_at",
            "resolved_at",
            "action_item",
        ]

    def to_representation(self, blocker: Blocker) -> dict[str, Any]:
        data = super().to_representation(blocker)
        data["department"] = blocker.department_id
        return data

    def get_voices(self, blocker: Blocker) -> int:
        return int(getattr(blocker, "voice_count", 0))

    def get_past_service_level(self, blocker: Blocker) -> bool:
        return blocker.past_service_level(timezone.localdate())


class BlockerAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(allow_blank=True, max_length=5000)
    resolve = serializers.BooleanField(
        required=False, default=False, help_text="The answer resolves the blocker."
    )


class BlockerActionSerializer(serializers.Serializer):
    due = serializers.DateField()
    title = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=300,
        help_text="Empty: the blocker's title.",
    )  # fmt: skip


class BlockerFilter(filters.FilterSet):
    department = filters.CharFilter(method="filter_department", label="Department id or slug")
    show = filters.ChoiceFilter(
        method="filter_show",
        choices=[(name, name) for name in selectors.FILTERS],
        label="unresolved (open or answered), open, answered, resolved or all",
    )

    class Meta:
        model = Blocker
        fields = ["status", "touchpoint"]

    def filter_department(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        return queryset.filter(**department_lookup(value))

    def filter_show(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if value == "unresolved":
            return queryset.exclude(status=BlockerStatus.RESOLVED)
        return queryset if value == "all" else queryset.filter(status=value)


class BlockerViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Front-line blockers. Everyone with a role reads them; everyone who works in the product
    (not executives) raises one and adds their voice (once: a second is 409); the owning
    department's head or the CCO answers, resolves and turns a resolved one into an action item."""

    serializer_class = BlockerSerializer
    filterset_class = BlockerFilter
    search_fields = ["title", "description"]
    ordering_fields = ["raised_at", "answer_due"]
    create_permission = "cco.raise_blocker"
    change_permission = "cco.answer_blocker"

    def get_queryset(self) -> QuerySet[Blocker]:
        return selectors.blockers_with_voices().order_by("-raised_at", "-pk")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Raise a blocker; your voice counts as its first. An unknown department or touch point
        is 400 naming it."""
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        department = str(data["department"]).strip()
        if department and not department.isdigit():
            slug_pk = Department.objects.filter(slug=department).values_list("pk", flat=True)
            department = str(slug_pk.first() or department)
        blocker = services.blocker_raise(
            actor=request.user,  # type: ignore[arg-type]
            title=data["title"],
            department_id=department,
            touchpoint_id=data["touchpoint"].pk if data.get("touchpoint") else None,
            description=data.get("description", ""),
        )
        saved = self.get_queryset().get(pk=blocker.pk)
        return Response(self.get_serializer(saved).data, status=201)

    @extend_schema(
        request=None,
        responses={
            200: BlockerSerializer,
            409: OpenApiResponse(description="You have added your voice already."),
        },
    )
    @action(detail=True, methods=["post"])
    def voice(self, request: Request, pk: str | None = None) -> Response:
        """Add your voice ("me too"): once per person; a resolved blocker takes none (400)."""
        require_perm(request.user, "cco.raise_blocker")
        # Not get_object(): its object rule is the owning head's, and anyone who works adds a voice.
        blocker = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            services.blocker_voice(actor=request.user, blocker=blocker)  # type: ignore[arg-type]
        except services.AlreadyVoiced as exc:
            raise VoicedAlready from exc
        return Response(self._fresh(blocker))

    @extend_schema(request=BlockerAnswerSerializer, responses=BlockerSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str | None = None) -> Response:
        """The owning head's (or the CCO's) answer; `resolve` closes the blocker with it."""
        blocker = self.get_object()
        require_perm(request.user, "cco.answer_blocker", blocker)
        body = BlockerAnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.blocker_answer(
            actor=request.user,  # type: ignore[arg-type]
            blocker=blocker,
            answer=body.validated_data["answer"],
            resolve=body.validated_data["resolve"],
        )
        return Response(self._fresh(blocker))

    @extend_schema(request=BlockerActionSerializer, responses={201: BlockerSerializer})
    @action(detail=True, methods=["post"], url_path="action-item")
    def action_item(self, request: Request, pk: str | None = None) -> Response:
        """A resolved blocker becomes its department's action item, linked both ways (400 when
        not resolved yet or linked already)."""
        blocker = self.get_object()
        require_perm(request.user, "cco.answer_blocker", blocker)
        body = BlockerActionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.blocker_to_action(
            actor=request.user,  # type: ignore[arg-type]
            blocker=blocker,
            due=body.validated_data["due"],
            title=body.validated_data["title"],
        )
        return Response(self._fresh(blocker), status=201)

    def _fresh(self, blocker: Blocker) -> dict[str, Any]:
        """The blocker as read again after a change, with its voices counted."""
        return dict(self.get_serializer(self.get_queryset().get(pk=blocker.pk)).data)
