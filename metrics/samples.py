"""A sample file for the import page: the format by example, accepted as it stands."""

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from metrics.models import Touchpoint
from metrics.validation import touchpoints_writable_by

SAMPLE_HEADER = [
    "external_id",
    "touchpoint",
    "metric",
    "score",
    "responded_at",
    "customer_id",
    "segment",
    "comment",
]
# Shown when the person may import for no touch point yet: a row then names what to fill in.
PLACEHOLDER_SLUG = "your-touchpoint-slug"


def sample_touchpoint_slug(importer: Any) -> str:
    """The first touch point (by name) `importer` may import for, so the sample imports as is."""
    writable = touchpoints_writable_by(importer)
    touchpoints = Touchpoint.objects.order_by("name")
    if writable is not None:
        touchpoints = touchpoints.filter(pk__in=writable)
    slug = touchpoints.values_list("slug", flat=True).first()
    return slug or PLACEHOLDER_SLUG


def sample_response_rows(importer: Any, *, now: datetime | None = None) -> list[list[object]]:
    """One answer per metric, each at the top of its scale's range, dated in the last days."""
    slug = sample_touchpoint_slug(importer)
    at = (now or timezone.now()).replace(microsecond=0)
    return [
        ["sample-nps-1", slug, "nps", 9, (at - timedelta(days=2)).isoformat(), "C-1001",
         "enterprise", "Quick and friendly"],
        ["sample-csat-1", slug, "csat", 4, (at - timedelta(days=1)).date().isoformat(), "C-1002",
         "", ""],
        ["sample-ces-1", slug, "ces", 2, at.isoformat(), "", "smb",
         "Took two calls, the second one solved it"],
    ]  # fmt: skip
