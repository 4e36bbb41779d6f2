"""Compliments over the API: the list the reader may see (the CCO and executives every one;
everyone else their department's and those routed to them), from the pages' selector."""

from django.db.models import QuerySet
from rest_framework import mixins, serializers, viewsets

from accountability import compliment_selectors as selectors
from accountability.models import Compliment


class ComplimentSerializer(serializers.ModelSerializer):
    comment = serializers.CharField(source="response.comment", read_only=True)
    customer_id = serializers.CharField(
        source="response.customer_id", read_only=True, help_text="The customer's id only."
    )
    touchpoint = serializers.IntegerField(source="response.touchpoint_id", read_only=True)

    class Meta:
        model = Compliment
        fields = [
            "id",
            "department",
            "person",
            "source",
            "theme",
            "touchpoint",
            "customer_id",
            "comment",
            "responded_at",
        ]
        read_only_fields = fields


class ComplimentViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Compliments from customers, newest first: `?department=<id>`, `?person=<id>`."""

    serializer_class = ComplimentSerializer
    filterset_fields = ["department", "person", "source"]
    ordering_fields = ["responded_at"]

    def get_queryset(self) -> QuerySet[Compliment]:
        if getattr(self, "swagger_fake_view", False):  # the schema is drawn without a reader
            return Compliment.objects.none()
        return selectors.compliments_visible(self.request.user).order_by("-responded_at", "-pk")
