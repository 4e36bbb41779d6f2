"""One way for the API to answer the services' errors (REST_FRAMEWORK["EXCEPTION_HANDLER"]).

Views call services and let their errors rise; this handler words every refusal the same way:

- Django `ValidationError` → 400, the messages by field (`non_field_errors` when none is named);
- `VersionConflict` → 409 naming who changed the object, when, and the version to retry on;
- `ProtectedError` / `RestrictedError` (a delete blocked by dependents) → 409 naming them;
- Django or DRF `PermissionDenied` → 403, and everything else DRF knows, by DRF's own handler.
"""

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

import uritemplate
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import CASCADE, PROTECT, RESTRICT, Model, ProtectedError, RestrictedError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.defaults import page_not_found
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from cco.errors import VersionConflict

# Dependents named per kind in a refused delete; the count says how many more there are.
NAMES_PER_KIND = 5

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

DEPENDENTS_RESPONSE = OpenApiResponse(
    response=inline_serializer(
        "DeleteBlocked",
        {
            "detail": serializers.CharField(),
            "dependents": inline_serializer(
                "Dependents",
                {
                    "kind": serializers.CharField(),
                    "count": serializers.IntegerField(),
                    "names": serializers.ListField(child=serializers.CharField()),
                },
                many=True,
            ),
        },
    ),
    description="Other records depend on this one; nothing was deleted.",
)


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """The 404 for a URL nothing matches (cco/urls.py's handler404): JSON under /api/, as the
    API's own 404s are, so a client reads one kind of answer; the page for everything else."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=status.HTTP_404_NOT_FOUND)
    return page_not_found(request, exception)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = ValidationError(validation_detail(exc))
    elif isinstance(exc, VersionConflict):
        return _answer(status.HTTP_409_CONFLICT, conflict_body(exc))
    elif isinstance(exc, ProtectedError):
        return _answer(status.HTTP_409_CONFLICT, dependents_body(exc.protected_objects, context))
    elif isinstance(exc, RestrictedError):
        return _answer(status.HTTP_409_CONFLICT, dependents_body(exc.restricted_objects, context))
    return drf_exception_handler(exc, context)


def _answer(code: int, body: dict[str, Any]) -> Response:
    set_rollback()
    return Response(body, status=code)


def validation_detail(exc: DjangoValidationError) -> dict[str, list[str]]:
    """A service's refusal by field, as DRF words a serializer's."""
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {"non_field_errors": exc.messages}


def conflict_body(exc: VersionConflict) -> dict[str, Any]:
    return {
        "detail": str(exc),
        "changed_by": exc.changed_by,
        "changed_at": exc.changed_at.isoformat() if exc.changed_at else None,
        "current_version": exc.current_version,
    }


def dependents_body(objects: Iterable[Model], context: dict[str, Any]) -> dict[str, Any]:
    """Who blocks the delete, by kind: how many, and the first few by name."""
    by_kind: dict[type[Model], list[Model]] = defaultdict(list)
    for obj in objects:
        by_kind[type(obj)].append(obj)
    dependents = []
    listed = []
    for model, rows in sorted(by_kind.items(), key=lambda pair: str(pair[0]._meta.verbose_name)):
        rows.sort(key=lambda row: row.pk)
        kind = str(model._meta.verbose_name if len(rows) == 1 else model._meta.verbose_name_plural)
        names = [str(row) for row in rows[:NAMES_PER_KIND]]
        dependents.append({"kind": kind, "count": len(rows), "names": names})
        more = ", …" if len(rows) > len(names) else ""
        listed.append(f"{len(rows)} {kind} ({', '.join(names)}{more})")
    return {
        "detail": f"{_target(context)} cannot be deleted while other records depend on it: "
        f"{'; '.join(listed)}. Remove them or move them elsewhere first.",
        "dependents": dependents,
    }


def _target(context: dict[str, Any]) -> str:
    """'This department', from the view's model; 'This record' when the view has none."""
    get_queryset = getattr(context.get("view"), "get_queryset", None)
    model = get_queryset().model if get_queryset is not None else None
    return f"This {model._meta.verbose_name}" if model is not None else "This record"


ERROR_RESPONSE = OpenApiResponse(
    response=inline_serializer("Error", {"detail": serializers.CharField()}),
    description="Refused; `detail` says why.",
)

INVALID_RESPONSE = OpenApiResponse(
    response={
        "type": "object",
        "additionalProperties": {},
        "description": "The messages by field (`non_field_errors` or `detail` when none is "
        'named), e.g. `{"score": ["Ensure this value is less than or equal to 10."]}`.',
    },
    description="The request is malformed or a value is invalid; nothing was written.",
)

# What every endpoint can answer besides its own: any request can be malformed (the JSON parser,
# the filters, a NUL anywhere), unauthenticated or refused by the role rules.
COMMON_ERRORS = {
    400: INVALID_RESPONSE,
    401: OpenApiResponse(
        response=ERROR_RESPONSE.response,
        description="No valid session or `Authorization: Token <key>` header.",
    ),
    403: OpenApiResponse(
        response=ERROR_RESPONSE.response,
        description="Your role may not do this, or not to this object.",
    ),
}
NOT_FOUND = OpenApiResponse(
    response=ERROR_RESPONSE.response,
    description="No such object (or one you may not see), or no such page.",
)


class AutoSchema(SpectacularAutoSchema):
    """The API's schema: every refusal an operation can answer is documented with it.

    400, 401 and 403 everywhere; 404 where the path names an object or the list is paged; 409
    where a view declares it, and on a DELETE that dependents can block. Codes a view declares
    itself keep the view's description.
    """

    def _get_response_bodies(self, direction: Any = "response") -> Any:
        responses = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        errors: dict[int, OpenApiResponse] = dict(COMMON_ERRORS)
        if uritemplate.variables(self.path) or (self._is_list_view() and self._get_paginator()):
            errors[404] = NOT_FOUND
        for code, response in errors.items():
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(response, str(code))
        return responses

    def get_response_serializers(self) -> Any:
        if self.method == "DELETE":
            queryset = getattr(self.view, "queryset", None)
            if queryset is None and hasattr(self.view, "get_queryset"):
                queryset = self.view.get_queryset()
            if queryset is not None and _dependents_can_block(queryset.model):
                return {204: None, 409: DEPENDENTS_RESPONSE}
        return super().get_response_serializers()


def _dependents_can_block(model: type[Model], seen: frozenset[type[Model]] = frozenset()) -> bool:
    """Whether deleting a `model` row can meet a protecting or restricting foreign key, on it
    or on a row its delete cascades to."""
    for relation in model._meta.related_objects:
        on_delete = getattr(relation, "on_delete", None)
        if on_delete in (PROTECT, RESTRICT):
            return True
        related = relation.related_model
        if on_delete is CASCADE and isinstance(related, type) and related not in seen:
            if _dependents_can_block(related, seen | {model}):
                return True
    return False
