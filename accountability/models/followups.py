"""Follow-up cases: a customer who scored low is called back by the accountable department.

Cases are opened by `accountability.services.followups.followup_cases_open` from responses
at or below a threshold; these models hold fields, constraints and small derived values.
"""

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

# The ground floor's HistoryEvent is defined with the other histories.
from accountability.models.history import HistoryEvent

# A response at or below these raw scores opens a case unless a touch point says otherwise:
# NPS detractors (0–6 on 0–10), CSAT 1–2 on 1–5, CES 1–3 on 1–7 (higher is easier).
DEFAULT_THRESHOLDS: dict[str, int] = {"nps": 6, "csat": 2, "ces": 3}


class FollowupPolicy(models.Model):
    """A singleton: the service level and windows the CCO sets for every case."""

    sla_working_days = models.PositiveSmallIntegerField(
        default=2, help_text="Working days (Monday–Friday) from opening to the due date."
    )
    dedupe_days = models.PositiveSmallIntegerField(
        default=14,
        help_text="A low score within this many days of a customer's last one joins that case.",
    )
    max_age_days = models.PositiveSmallIntegerField(
        default=30, help_text="Responses older than this open no case (historical imports)."
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name_plural = "follow-up policy"
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="followup_policy_singleton"),
            models.CheckConstraint(
                condition=Q(sla_working_days__gte=1, sla_working_days__lte=30)
                & Q(dedupe_days__lte=365)
                & Q(max_age_days__gte=1, max_age_days__lte=365),
                name="followup_policy_in_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Follow up within {self.sla_working_days} working day(s)"


class FollowupThreshold(models.Model):
    """A touch point's own threshold for one metric (the defaults apply where there is none)."""

    touchpoint = models.ForeignKey(
        "metrics.Touchpoint", on_delete=models.CASCADE, related_name="followup_thresholds"
    )
    metric = models.CharField(max_length=4)
    at_or_below = models.SmallIntegerField(help_text="A raw score at or below this opens a case.")

    class Meta:
        ordering = ["touchpoint_id", "metric"]
        constraints = [
            models.UniqueConstraint(
                fields=["touchpoint", "metric"], name="followup_threshold_once_per_metric"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.metric} ≤ {self.at_or_below} at {self.touchpoint_id}"


class FollowupStatus(models.TextChoices):
    OPEN = "open", "Open"
    CONTACTED = "contacted", "Contacted"
    CLOSED = "closed", "Closed"


class FollowupOutcome(models.TextChoices):
    RESOLVED = "resolved", "Resolved"
    NOT_REACHED = "not_reached", "Could not reach"
    DECLINED = "declined", "Customer declined"


class RootCause(models.TextChoices):
    PRODUCT = "product", "Product"
    PROCESS = "process", "Process"
    PEOPLE = "people", "People / service"
    POLICY = "policy", "Policy"
    PRICE = "price", "Price / billing"
    COMMUNICATION = "communication", "Communication"
    OTHER = "other", "Other"


class FollowupCase(models.Model):
    """One customer of one department to call back; further low scores join it."""

    department = models.ForeignKey(
        "cco.Department", on_delete=models.PROTECT, related_name="followup_cases"
    )
    touchpoint = models.ForeignKey(
        "metrics.Touchpoint", on_delete=models.PROTECT, related_name="followup_cases"
    )
    customer_id = models.CharField(max_length=120)
    status = models.CharField(
        max_length=12, choices=FollowupStatus.choices, default=FollowupStatus.OPEN
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followup_cases",
    )
    opened_at = models.DateTimeField(default=timezone.now)
    due_on = models.DateField()
    # The latest low response's time: the dedupe window runs from it.
    last_response_at = models.DateTimeField()
    response_count = models.PositiveIntegerField(default=1)
    contact_attempts = models.PositiveIntegerField(default=0)
    first_contact_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=FollowupOutcome.choices, blank=True)
    root_cause = models.CharField(max_length=16, choices=RootCause.choices, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    cx_issue = models.ForeignKey(
        "accountability.CXIssue",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followup_cases",
    )
    updated_at = models.DateTimeField(default=timezone.now)
    # Optimistic lock: every update bumps it; a save carrying an older version is a conflict.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = "follow-up case"
        constraints = [
            # One open case per customer and department: a second low score joins it.
            models.UniqueConstraint(
                fields=["department", "customer_id"],
                condition=~Q(status="closed"),
                name="followup_one_open_case_per_customer",
            ),
            models.CheckConstraint(
                condition=(Q(status="closed") & ~Q(outcome="") & Q(closed_at__isnull=False))
                | (~Q(status="closed") & Q(outcome="") & Q(closed_at__isnull=True)),
                name="followup_closed_iff_outcome",
            ),
            models.CheckConstraint(condition=~Q(customer_id=""), name="followup_has_customer"),
        ]
        indexes = [
            # A department's open cases due soonest (list page, overdue counts, agenda).
            models.Index(fields=["department", "status", "due_on"], name="followup_dept_due_idx"),
            # The case a new low score of a customer joins (followup_cases_open).
            models.Index(fields=["customer_id", "department"], name="followup_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"Follow up {self.customer_id} ({self.department_id})"

    def get_absolute_url(self) -> str:
        return reverse("accountability:followup-detail", args=[self.pk])

    @property
    def owning_department_id(self) -> int:
        return self.department_id

    @property
    def is_open(self) -> bool:
        return self.status != FollowupStatus.CLOSED

    def is_overdue(self, today: date) -> bool:
        """Open past its due date (due today is not yet overdue)."""
        return self.is_open and today > self.due_on


class FollowupCaseResponse(models.Model):
    """A low response counted on a case; one-to-one, so opening cases twice is harmless."""

    case = models.ForeignKey(FollowupCase, on_delete=models.CASCADE, related_name="links")
    # No database foreign key: the bulk import sets the response table's primary key aside and
    # rebuilds it (metrics.services.bulk_indexes), which a key referencing it would forbid.
    # Django still cascades a deleted response to this link.
    response = models.OneToOneField(
        "metrics.SurveyResponse",
        on_delete=models.CASCADE,
        related_name="followup_link",
        db_constraint=False,
    )

    class Meta:
        verbose_name = "response of a follow-up case"

    def __str__(self) -> str:
        return f"{self.response_id} → {self.case_id}"


class FollowupWatermark(models.Model):
    """A singleton: the highest response id already considered for a follow-up case."""

    last_response_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="followup_watermark_singleton"),
        ]

    def __str__(self) -> str:
        return f"follow-ups up to response {self.last_response_id}"


class FollowupEventKind(models.TextChoices):
    CREATED = "created", "Opened"
    STATUS = "status", "Status changed"
    NOTE = "note", "Note"
    EDITED = "edited", "Edited"
    CONTACT = "contact", "Contact attempt"
    RESPONSE = "response", "Another low score"
    ISSUE = "issue", "CX issue raised"


class FollowupEvent(HistoryEvent):
    """The history of a follow-up case: who did what, when."""

    kind = models.CharField(max_length=10, choices=FollowupEventKind.choices)
    case = models.ForeignKey(FollowupCase, on_delete=models.CASCADE, related_name="events")
