"""Change notes ("You said, we did") over the API: list and filter, read one, publish one.

Editing and withdrawing are on the note's page, with the version read.
"""

from typing import Any

from django.db.models import QuerySet
from django_filters import rest_framework as filters
from rest_framework import mixins, serializers, viewsets

from accountability import note_selectors as selectors
from accountability.models import ChangeNote
from accountability.models.notes import TEXT_MAX, TITLE_MAX
from accountability.services import notes as services


class ChangeNoteSerializer(serializers.ModelSerializer):
    title = serializers.CharField(max_length=TITLE_MAX)
    you_said = serializers.CharField(max_length=TEXT_MAX, help_text="What customers told us.")
    we_did = serializers.CharField(max_length=TEXT_MAX, help_text="What changed because of it.")
    cx_issue = serializers.IntegerField(
        source="cx_issue_id",
        required=False,
        allow_null=True,
        help_text="The resolved CX issue it answers (or give `initiative`).",
    )
    initiative = serializers.IntegerField(
        source="initiative_id",
        required=False,
        allow_null=True,
        help_text="The delivered (done) initiative it answers (or give `cx_issue`).",
    )
    touchpoints = serializers.ListField(
        child=serializers.IntegerField(),
        source="touchpoint_ids",
        required=False,
        help_text="Touch point ids, at least one; left out, the issue's or initiative's own.",
    )
    themes = serializers.ListField(
        child=serializers.IntegerField(), source="theme_ids", required=False, default=list
    )
    journeys = serializers.SerializerMethodField()
    published_by: serializers.PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField(
        read_only=True
    )

    class Meta:
        model = ChangeNote
        fields = [
            "id",
            "title",
            "you_said",
            "we_did",
            "cx_issue",
            "initiative",
            "touchpoints",
            "themes",
            "journeys",
            "published_by",
            "published_at",
            "updated_at",
            "version",
        ]
        read_only_fields = ["published_at", "updated_at", "version"]

    def to_representation(self, note: ChangeNote) -> dict[str, Any]:
        data = super().to_representation(note)
        data["touchpoints"] = [tp.pk for tp in note.touchpoints.all()]
        data["themes"] = [theme.pk for theme in note.themes.all()]
        return data

    def get_journeys(self, note: ChangeNote) -> list[int]:
        """The journeys its touch points are on (the page lists it under each)."""
        return sorted({tp.stage.journey_id for tp in note.touchpoints.all()})


class ChangeNoteFilter(filters.FilterSet):
    journey = filters.NumberFilter(
        field_name="touchpoints__stage__journey", distinct=True, label="Journey id"
    )
    touchpoint = filters.NumberFilter(
        field_name="touchpoints", distinct=True, label="Touch point id"
    )
    theme = filters.NumberFilter(field_name="themes", distinct=True, label="Theme id")

    class Meta:
        model = ChangeNote
        fields = ["cx_issue", "initiative"]


class ChangeNoteViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """ "You said, we did" notes. Everyone with a role reads them; the CCO and the head of the
    department owning the resolved CX issue or delivered initiative publish one. Bad input
    (an unfinished source, no touch point, a text too long, an unknown theme) is 400 naming
    the field, nothing saved."""

    serializer_class = ChangeNoteSerializer
    filterset_class = ChangeNoteFilter
    ordering_fields = ["published_at"]
    # Heads pass here; the service then checks they own the issue or initiative.
    create_permission = "cco.create_in_department"

    def get_queryset(self) -> QuerySet[ChangeNote]:
        return selectors.change_notes()

    def perform_create(self, serializer: Any) -> None:
        data = serializer.validated_data
        serializer.instance = services.change_note_publish(
            actor=self.request.user,  # type: ignore[arg-type]
            title=data["title"],
            you_said=data["you_said"],
            we_did=data["we_did"],
            cx_issue_id=data.get("cx_issue_id"),
            initiative_id=data.get("initiative_id"),
            touchpoint_ids=data.get("touchpoint_ids"),
            theme_ids=data.get("theme_ids", []),
        )
