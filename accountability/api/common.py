"""What the accountability API shares: the versioned update and the history of an object.

A PATCH to an action item or a CX issue carries the `version` the client read. The service
refuses a stale one with `VersionConflict`, which the API's exception handler
(`cco/api_errors.py`) answers with HTTP 409 naming who changed the object and when.
"""

from typing import Any

from django.db.models import Model, QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response


def department_lookup(value: str) -> dict[str, object]:
    """`?department=` takes the department's id or its slug (`sales`)."""
    value = value.strip()
    return {"department_id": int(value)} if value.isdigit() else {"department__slug": value}


class HistorySerializer(serializers.Serializer):
    # The person's name, or null for a change the system made (an issue raised from a breach).
    actor = serializers.SerializerMethodField()
    at = serializers.DateTimeField()
    kind = serializers.CharField()
    from_status = serializers.CharField()
    to_status = serializers.CharField()
    note = serializers.CharField()

    def get_actor(self, event: Any) -> str | None:
        return str(event.actor) if event.actor is not None else None


class VersionedUpdateSerializer(serializers.Serializer):
    """The body of a PATCH to a versioned object: the version read, then the changes."""

    version = serializers.IntegerField(
        min_value=1, help_text="The version you read; a newer one on the server answers 409."
    )


class VersionedViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Objects changed by versioned PATCH only, with their history at `<id>/history/`.

    A subclass names its `update_serializer_class`, whose fields besides `version` are the
    keyword arguments of its update service, and says how to call that service
    (`save_version`) and where the history is (`history_of`).
    """

    http_method_names = ["get", "post", "patch", "head", "options"]
    update_serializer_class: type[VersionedUpdateSerializer]

    def save_version(self, obj: Any, **fields: Any) -> Model:
        raise NotImplementedError

    def history_of(self, obj: Any) -> QuerySet:
        raise NotImplementedError

    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        obj = self.get_object()
        serializer = self.update_serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        # Only the fields the client sent (and `note`, "" by default) reach the service.
        saved = self.save_version(
            obj, actor=request.user, expected_version=fields.pop("version"), **fields
        )
        return Response(self.get_serializer(saved).data)

    @extend_schema(exclude=True)
    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return self.partial_update(request, *args, **kwargs)

    # The whole history as one plain list: no page, and the list's filters do not apply to it.
    @extend_schema(responses=HistorySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def history(self, request: Request, pk: str | None = None) -> Response:
        """Every status change and progress note, newest first, with who and when."""
        return Response(HistorySerializer(self.history_of(self.get_object()), many=True).data)
