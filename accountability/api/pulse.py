"""The employee pulse over the API: the rounds, one anonymous answer per person, the results
under the pages' anonymity rule (accountability.pulse_stats) and the import of answers gathered
elsewhere. No endpoint returns an individual answer."""

from typing import IO, Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import APIException
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from accountability import pulse_stats
from accountability.models import PulseItem, PulseParticipation, PulseRound
from accountability.services import pulse as services
from cco.access import require_perm
from cco.api_errors import INVALID_RESPONSE
from cco.models import User


class AnsweredAlready(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "You have answered this round already; one answer per person."
    default_code = "answered_already"


class AnyRole(BasePermission):
    """Anyone with a role, executives included: everyone answers a pulse, as on the pages."""

    def has_permission(self, request: Any, view: Any) -> bool:
        return bool(request.user.has_perm("cco.view_product"))


class PulseItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = PulseItem
        fields = ["id", "order", "text"]


class PulseRoundSerializer(serializers.ModelSerializer):
    items = PulseItemSerializer(many=True, read_only=True)
    is_open = serializers.SerializerMethodField()
    results_final = serializers.SerializerMethodField(
        help_text="Closed: results can be read (for groups large enough)."
    )
    answered = serializers.SerializerMethodField(help_text="You have answered this round.")
    may_answer = serializers.SerializerMethodField(
        help_text="Open, for your department (or every one), and not answered by you yet."
    )

    class Meta:
        model = PulseRound
        fields = [
            "id",
            "title",
            "department",
            "opens_on",
            "closes_on",
            "min_group",
            "items",
            "is_open",
            "results_final",
            "answered",
            "may_answer",
        ]
        read_only_fields = fields

    def get_is_open(self, round_: PulseRound) -> bool:
        return round_.is_open(timezone.localdate())

    def get_results_final(self, round_: PulseRound) -> bool:
        return round_.results_final(timezone.localdate())

    def get_answered(self, round_: PulseRound) -> bool:
        return round_.pk in self.context.get("answered", set())

    def get_may_answer(self, round_: PulseRound) -> bool:
        user = self.context["request"].user
        today = timezone.localdate()
        return services.may_answer(user, round_, today) and not self.get_answered(round_)


class ItemScoreSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text="The item's id (see the round's `items`).")
    score = serializers.IntegerField(help_text="1 (disagree) to 5 (agree).")


class PulseAnswerSerializer(serializers.Serializer):
    enps = serializers.IntegerField(help_text="How likely you are to recommend working here, 0–10.")
    scores = ItemScoreSerializer(many=True, help_text="One score for every item of the round.")


class EstimateSerializer(serializers.Serializer):
    value = serializers.FloatField(allow_null=True)
    low = serializers.FloatField(allow_null=True, help_text="95 % interval, low end.")
    high = serializers.FloatField(allow_null=True, help_text="95 % interval, high end.")
    n = serializers.IntegerField()


class ItemResultSerializer(serializers.Serializer):
    item = serializers.IntegerField(source="item.pk")
    text = serializers.CharField(source="item.text")
    mean = EstimateSerializer()


class GroupResultSerializer(serializers.Serializer):
    # A declared field named as a Field attribute: DRF's metaclass takes it out of the class.
    label = serializers.CharField()  # type: ignore[assignment]
    department = serializers.IntegerField(source="department_id", allow_null=True)
    shown = serializers.BooleanField(help_text="False: every figure is withheld, n included.")
    reason = serializers.CharField(help_text="Why the group is withheld.")
    n = serializers.IntegerField(allow_null=True)
    enps = EstimateSerializer(allow_null=True)
    items = ItemResultSerializer(many=True)


class PulseResultsSerializer(serializers.Serializer):
    round = serializers.IntegerField()
    final = serializers.BooleanField(help_text="False until the round closes: no group yet.")
    min_group = serializers.IntegerField()
    groups = GroupResultSerializer(many=True)


class PulseImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV: department (slug), enps, item_1, item_2, …")


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    column = serializers.CharField()
    message = serializers.CharField()


class PulseImportReportSerializer(serializers.Serializer):
    summary = serializers.CharField()
    rows_read = serializers.IntegerField()
    inserted = serializers.IntegerField()
    rejected = serializers.BooleanField()
    # A declared field named as a Serializer attribute: DRF's metaclass takes it out of the class.
    errors = RowErrorSerializer(many=True)  # type: ignore[assignment]


class PulseRoundViewSet(viewsets.ReadOnlyModelViewSet):
    """Pulse rounds. Everyone with a role reads them and answers the open ones meant for them
    (once); the CCO, executives and heads read the results (a head their own department's),
    only for groups of at least the round's minimum; the CCO imports answers from a file."""

    serializer_class = PulseRoundSerializer
    filterset_fields = ["department"]
    ordering_fields = ["opens_on", "closes_on"]

    def get_queryset(self) -> QuerySet[PulseRound]:
        return PulseRound.objects.prefetch_related("items").order_by("-opens_on", "pk")

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        user = self.request.user
        if isinstance(user, User):
            context["answered"] = set(
                PulseParticipation.objects.filter(person=user).values_list("round_id", flat=True)
            )
        return context

    @extend_schema(
        request=PulseAnswerSerializer,
        responses={
            201: OpenApiResponse(description="Saved, without your name."),
            409: OpenApiResponse(description="You have answered this round already."),
        },
    )
    @action(detail=True, methods=["post"], permission_classes=[AnyRole])
    def answer(self, request: Request, pk: str | None = None) -> Response:
        """Answer the round: eNPS 0–10 and every item 1–5. A second answer is 409; a score out
        of its scale is 400 naming the item; a round not open to you is 403. Nothing saved on
        any refusal."""
        round_ = self.get_object()
        # AnyRole let only a signed-in person with a role through.
        user = cast(User, request.user)
        if not services.may_answer(user, round_, timezone.localdate()):
            raise PermissionDenied(
                "This pulse round is not open to you (another department's, or closed)."
            )
        body = PulseAnswerSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        enps, scores = _parse(round_, body.validated_data)
        if PulseParticipation.objects.filter(round=round_, person=user).exists():
            raise AnsweredAlready
        try:
            services.answer(person=user, round_=round_, enps=enps, scores=scores)
        except services.AlreadyAnswered as exc:
            raise AnsweredAlready from exc
        return Response({"detail": "Saved, without your name."}, status=201)

    @extend_schema(responses=PulseResultsSerializer)
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def results(self, request: Request, pk: str | None = None) -> Response:
        """Each department's eNPS and item means with their 95 % intervals, and the total of every
        department, once the round has closed: a group smaller than the round's minimum (or a
        total that would give a hidden group away by subtraction) is withheld with its reason
        and no figure. A head reads their own department's line."""
        require_perm(request.user, "cco.view_pulse_results")
        round_ = self.get_object()
        today = timezone.localdate()
        lines = pulse_stats.round_results(
            round_, today=today, department_ids=pulse_stats.reader_scope(request.user)
        )
        body = {
            "round": round_.pk,
            "final": round_.results_final(today),
            "min_group": round_.min_group,
            "groups": lines,
        }
        return Response(PulseResultsSerializer(body).data)

    @extend_schema(
        request={"multipart/form-data": PulseImportSerializer},
        responses={
            200: PulseImportReportSerializer,
            400: OpenApiResponse(
                response=INVALID_RESPONSE.response,
                description="A rejected file: the report (`summary`, `rows_read`, `inserted`, "
                "`rejected`, `errors` by row and column); no file: the messages by field.",
            ),
        },
    )
    @action(detail=True, methods=["post"], url_path="import")
    def import_answers(self, request: Request, pk: str | None = None) -> Response:
        """Answers gathered elsewhere (paper, a kiosk), one a row — the whole file or nothing;
        a rejected file is 400 with every problem by row and column. The CCO's."""
        require_perm(request.user, "cco.manage_product")
        round_ = self.get_object()
        body = PulseImportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        report = services.import_answers(
            round_, cast(IO[bytes], upload.file), today=timezone.localdate()
        )
        data = {
            "summary": report.summary,
            "rows_read": report.rows_read,
            "inserted": report.inserted,
            "rejected": report.rejected,
            "errors": [
                {"row": e.row, "column": e.column, "message": e.message} for e in report.errors
            ],
        }
        return Response(data, status=400 if report.rejected else 200)


def _parse(round_: PulseRound, data: dict[str, Any]) -> tuple[int, dict[int, int]]:
    """The body in the service's terms (`enps`, `item_<id>`), checked by the service's one rule;
    each refusal names the item by id and text."""
    items = {item.pk: item for item in round_.items.all()}
    fields: dict[str, Any] = {"enps": data["enps"]}
    errors: dict[str, list[str]] = {}
    for entry in data["scores"]:
        if entry["item"] not in items:
            errors.setdefault("scores", []).append(f"No item {entry['item']} in this round.")
        fields[f"item_{entry['item']}"] = entry["score"]
    try:
        parsed = services.parse_scores(round_, fields)
    except ValidationError as exc:
        for field, problems in exc.message_dict.items():
            item = items.get(int(field[5:])) if field.startswith("item_") else None
            label = f"item {item.pk} “{item.text}”: " if item else ""
            errors.setdefault(field, []).extend(f"{label}{problem}" for problem in problems)
    if errors:
        raise ValidationError(errors)
    return parsed
