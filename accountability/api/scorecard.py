"""The departments' accountability scorecard over the API."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from accountability import selectors


class ScorecardRowSerializer(serializers.Serializer):
    department = serializers.IntegerField(source="department.pk")
    department_name = serializers.CharField(source="department.name")
    due_count = serializers.IntegerField()
    done_on_time = serializers.IntegerField()
    on_time_pct = serializers.FloatField(allow_null=True)
    on_time_rag = serializers.CharField(help_text="green, amber, red or grey (nothing due)")
    overdue = serializers.IntegerField()
    avg_days_late = serializers.FloatField(allow_null=True)
    open_issues = serializers.IntegerField()
    open_issues_rag = serializers.CharField(help_text="green, amber or red")
    meetings_expected = serializers.IntegerField()
    meetings_attended = serializers.IntegerField()
    attendance_pct = serializers.FloatField(allow_null=True)


class ScorecardViewSet(viewsets.ViewSet):
    """Per department: action items done on time %, overdue, average days late, open CX
    issues and meeting attendance, over the last 91 days."""

    @extend_schema(responses=ScorecardRowSerializer(many=True))
    def list(self, request: Request) -> Response:
        return Response(ScorecardRowSerializer(selectors.scorecard(), many=True).data)
