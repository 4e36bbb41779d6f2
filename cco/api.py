from django.db.models import QuerySet
from django_filters import rest_framework as filters
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter

from cco.models import Department, Role, User, department_head_problem
from cco.selectors import department_list


class PersonSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="__str__", read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "name", "email", "title", "role", "department"]
        read_only_fields = fields


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "name", "slug", "head", "parent", "description"]

    def validate_head(self, head: User | None) -> User | None:
        if head is not None and (problem := department_head_problem(head)):
            raise serializers.ValidationError(problem)
        return head


class DepartmentViewSet(viewsets.ModelViewSet):
    """Departments of the organisation. Everyone reads; the CCO changes them."""

    serializer_class = DepartmentSerializer
    filterset_fields = ["parent", "head"]
    search_fields = ["name", "slug"]
    ordering_fields = ["name"]

    def get_queryset(self) -> QuerySet[Department]:
        return department_list()


class PersonFilter(filters.FilterSet):
    class Meta:
        model = User
        fields = ["role", "department"]


class PersonViewSet(viewsets.ReadOnlyModelViewSet):
    """People who use the product, with their role and department."""

    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    search_fields = ["username", "first_name", "last_name", "email"]
    ordering_fields = ["username", "last_name"]
    # Only people with a role take part in the programme; an account waiting for one stays out.
    queryset = User.objects.filter(is_active=True, role__in=Role.values).order_by("username")

    @action(detail=False, methods=["get"])
    def me(self, request: Request) -> Response:
        return Response(PersonSerializer(request.user).data)


def register(router: BaseRouter) -> None:
    router.register("departments", DepartmentViewSet, basename="api-department")
    router.register("people", PersonViewSet, basename="api-person")


urlpatterns: list = []
