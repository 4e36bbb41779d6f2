"""The accountability cut-offs over the API: everyone with a role reads them, the CCO sets."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accountability.cutoffs import delivery_cutoffs
from accountability.services import delivery_cutoffs_update
from cco.api_permissions import ReadByRolesWriteByCCO


class DeliveryCutoffsSerializer(serializers.Serializer):
    on_time_green = serializers.FloatField(help_text="Done on time: green from this per cent.")
    on_time_amber = serializers.FloatField(
        help_text="Done on time: amber from this per cent (not above green); red below."
    )
    open_issues_green = serializers.IntegerField(help_text="Open CX issues: green up to this.")
    open_issues_amber = serializers.IntegerField(
        help_text="Open CX issues: amber up to this (not below green); red above."
    )


class DeliveryCutoffsView(APIView):
    """Where amber and red begin for action items done on time and open CX issues. PUT
    replaces all four; a bad value answers 400 naming the field and saves nothing."""

    permission_classes = [ReadByRolesWriteByCCO]

    @extend_schema(responses=DeliveryCutoffsSerializer)
    def get(self, request: Request) -> Response:
        return Response(delivery_cutoffs().as_dict())

    @extend_schema(request=DeliveryCutoffsSerializer, responses=DeliveryCutoffsSerializer)
    def put(self, request: Request) -> Response:
        if not isinstance(request.data, dict):
            raise serializers.ValidationError({"non_field_errors": ["Send a JSON object."]})
        saved = delivery_cutoffs_update(actor=request.user, values=dict(request.data))
        return Response(saved.as_dict())
