"""Accountability: standalone meetings chaired by the CCO, action items and CX issues.

Workflows (opening a meeting, updating an item, raising an issue from a breach) live in
`accountability/services/`; these models hold fields, constraints and small derived values.
"""

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

# Cut-offs, KPI value history, follow-up cases, the shared history shape, reminders and calendar
# feeds live in their own modules; Django finds an app's models through this package, so they
# are imported here.
from accountability.models.blockers import BLOCKER_AGENDA_VOICES as BLOCKER_AGENDA_VOICES
from accountability.models.blockers import BLOCKER_SLA_WORKING_DAYS as BLOCKER_SLA_WORKING_DAYS
from accountability.models.blockers import Blocker as Blocker
from accountability.models.blockers import BlockerStatus as BlockerStatus
from accountability.models.blockers import BlockerVoice as BlockerVoice
from accountability.models.compliments import Compliment as Compliment
from accountability.models.cutoffs import DeliveryCutoffChange as DeliveryCutoffChange
from accountability.models.cutoffs import DeliveryCutoffSetting as DeliveryCutoffSetting
from accountability.models.cutoffs import DeliveryFigure as DeliveryFigure
from accountability.models.followups import DEFAULT_THRESHOLDS as DEFAULT_THRESHOLDS
from accountability.models.followups import FollowupCase as FollowupCase
from accountability.models.followups import FollowupCaseResponse as FollowupCaseResponse
from accountability.models.followups import FollowupEvent as FollowupEvent
from accountability.models.followups import FollowupEventKind as FollowupEventKind
from accountability.models.followups import FollowupOutcome as FollowupOutcome
from accountability.models.followups import FollowupPolicy as FollowupPolicy
from accountability.models.followups import FollowupStatus as FollowupStatus
from accountability.models.followups import FollowupThreshold as FollowupThreshold
from accountability.models.followups import FollowupWatermark as FollowupWatermark
from accountability.models.followups import RootCause as RootCause
from accountability.models.history import ActionItemEvent as ActionItemEvent
from accountability.models.history import CXIssueEvent as CXIssueEvent
from accountability.models.history import EventKind as EventKind
from accountability.models.history import HistoryEvent as HistoryEvent
from accountability.models.kpis import KPIValueChange as KPIValueChange
from accountability.models.notes import ChangeNote as ChangeNote
from accountability.models.notifications import BreachEmail as BreachEmail
from accountability.models.notifications import CalendarFeed as CalendarFeed
from accountability.models.notifications import EmailOptOut as EmailOptOut
from accountability.models.notifications import ReminderKind as ReminderKind
from accountability.models.notifications import ReminderLog as ReminderLog
from accountability.models.pulse import PulseAnswer as PulseAnswer
from accountability.models.pulse import PulseItem as PulseItem
from accountability.models.pulse import PulseItemScore as PulseItemScore
from accountability.models.pulse import PulseParticipation as PulseParticipation
from accountability.models.pulse import PulseRound as PulseRound

if TYPE_CHECKING:
    from metrics.models import Breach


class Cadence(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Fortnightly"
    MONTHLY = "monthly", "Monthly"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class MeetingSeries(models.Model):
    """A recurring accountability meeting of its own, chaired by the CCO."""

    name = models.CharField(max_length=160, unique=True)
    cadence = models.CharField(max_length=12, choices=Cadence.choices, default=Cadence.WEEKLY)
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, default=Weekday.MONDAY)
    start_time = models.TimeField(help_text="Local start time (TIME_ZONE setting).")
    duration_minutes = models.PositiveSmallIntegerField(default=60)
    location = models.CharField(max_length=200, blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="chaired_series"
    )
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="attended_series",
        help_text="Standing attendees: usually every department head.",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "meeting series"
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5, duration_minutes__lte=480),
                name="series_duration_5_to_480_minutes",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("accountability:series-detail", args=[self.pk])


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    IN_PROGRESS = "in_progress", "In progress"
    CLOSED = "closed", "Closed"


class Meeting(models.Model):
    series = models.ForeignKey(MeetingSeries, on_delete=models.CASCADE, related_name="meetings")
    scheduled_at = models.DateTimeField()
    status = models.CharField(
        max_length=12, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    started_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    minutes_sent_at = models.DateTimeField(null=True, blank=True)
    summary = models.TextField(blank=True, help_text="The chair's summary, shown on the minutes.")

    class Meta:
        ordering = ["-scheduled_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "scheduled_at"], name="meeting_unique_per_series_slot"
            ),
        ]
        indexes = [
            # Upcoming meetings (home page, ICS feed, CCO digest): status + time.
            models.Index(fields=["status", "scheduled_at"], name="meeting_status_when_idx"),
        ]

    def __str__(self) -> str:
        local = timezone.localtime(self.scheduled_at)
        return f"{self.series.name} · {local:%d %b %Y %H:%M}"

    def get_absolute_url(self) -> str:
        if self.status == MeetingStatus.CLOSED:
            return reverse("accountability:meeting-minutes", args=[self.pk])
        return reverse("accountability:meeting-run", args=[self.pk])

    @property
    def ends_at(self) -> datetime:
        return self.scheduled_at + timedelta(minutes=self.series.duration_minutes)


class Attendance(models.Model):
    """Who was expected, who came, and how each rated the meeting (1–10)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="meeting_attendance"
    )
    present = models.BooleanField(default=False)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["person__last_name", "person__first_name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="attendance_once_each"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=10),
                name="attendance_rating_1_to_10",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} at {self.meeting}"


class AgendaKind(models.TextChoices):
    CX_ISSUE = "cx_issue", "CX issue"
    ACTION_ITEM = "action_item", "Action item"
    MILESTONE = "milestone", "Roadmap milestone"
    KPI = "kpi", "Red KPI"
    MANUAL = "manual", "Added by hand"
    FOLLOWUPS = "followups", "Overdue follow-up cases"
    BLOCKER = "blocker", "Front-line blocker"


class AgendaItem(models.Model):
    """One line of a meeting's agenda; generated ones point at their source by kind + id."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    kind = models.CharField(max_length=12, choices=AgendaKind.choices)
    # The source object's id for generated items (CXIssue, ActionItem, roadmap Milestone, KPI;
    # the department for its overdue follow-up cases).
    # Kind + id rather than a foreign key: milestones and KPIs live in other apps.
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    title = models.CharField(max_length=300)
    detail = models.CharField(max_length=300, blank=True)
    department = models.ForeignKey(
        "cco.Department",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agenda_items",
    )
    order = models.PositiveIntegerField(default=0)
    # Set by the agenda ranking (accountability.services.agenda): how bad the source is in its
    # section's unit, the minutes planned for it, and whether it waits in the parking lot.
    severity = models.FloatField(default=0)
    planned_minutes = models.PositiveSmallIntegerField(default=0)
    parked = models.BooleanField(default=False)
    discussed = models.BooleanField(default=False)
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["meeting", "order", "pk"]
        constraints = [
            # Building the agenda twice never lists the same source twice.
            models.UniqueConstraint(
                fields=["meeting", "kind", "source_id"],
                condition=Q(source_id__isnull=False),
                name="agenda_source_once_per_meeting",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def owning_department_id(self) -> int | None:
        return self.department_id


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    agenda_item = models.ForeignKey(
        AgendaItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="decisions"
    )
    text = models.TextField()
    cx_issue = models.ForeignKey(
        "accountability.CXIssue",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decisions",
    )
    initiative = models.ForeignKey(
        "roadmap.Initiative",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decisions",
        help_text="The roadmap initiative this decision concerns.",
    )
    milestone = models.ForeignKey(
        "roadmap.Milestone",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decisions",
        help_text="The roadmap milestone this decision concerns (its initiative is set too).",
    )
    kpi = models.ForeignKey(
        "metrics.KPI",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="decisions",
        help_text="The department KPI this decision concerns.",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["recorded_at", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class CXIssueStatus(models.TextChoices):
    OPEN = "open", "Open"
    PLAN_AGREED = "plan_agreed", "Plan agreed"
    RESOLVED = "resolved", "Resolved"


class IssueOrigin(models.TextChoices):
    BREACH = "breach", "Metric breach"
    MANUAL = "manual", "Raised by hand"


class CXIssue(models.Model):
    """A customer-experience problem the accountable department must explain and repair."""

    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    touchpoint = models.ForeignKey(
        "metrics.Touchpoint",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cx_issues",
    )
    scope = models.CharField(max_length=20, blank=True, help_text="metrics Scope of the breach.")
    scope_id = models.PositiveBigIntegerField(null=True, blank=True)
    department = models.ForeignKey(
        "cco.Department", on_delete=models.PROTECT, related_name="cx_issues"
    )
    origin = models.CharField(max_length=10, choices=IssueOrigin.choices)
    breach = models.OneToOneField(
        "metrics.Breach",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cx_issue",
        help_text="The breach that raised the issue; every breach attached since is in `breaches`.",
    )
    # Blank for an issue raised by hand; with the scope, the key a later breach attaches by.
    metric = models.CharField(max_length=4, blank=True)
    breaches: "models.ManyToManyField[Breach, CXIssueBreach]" = models.ManyToManyField(
        "metrics.Breach", through="CXIssueBreach", related_name="+", blank=True
    )
    breach_count = models.PositiveIntegerField(default=0)
    worst_value = models.FloatField(null=True, blank=True)
    latest_value = models.FloatField(null=True, blank=True)
    # Set once by accountability.stats.issue_escalates; never cleared while the issue is open.
    escalated = models.BooleanField(default=False)
    root_cause = models.TextField(blank=True)
    remediation_plan = models.TextField(blank=True)
    status = models.CharField(
        max_length=12, choices=CXIssueStatus.choices, default=CXIssueStatus.OPEN
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)
    # Optimistic lock: every update bumps it; a save carrying an older version is a conflict.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-raised_at"]
        verbose_name = "CX issue"
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="resolved") | (~Q(root_cause="") & ~Q(remediation_plan="")),
                name="cxissue_resolved_needs_cause_and_plan",
            ),
        ]
        indexes = [
            # Open issues of a department (department page, agenda builder, scorecard).
            models.Index(fields=["department", "status"], name="cxissue_dept_status_idx"),
            # The open issue a new breach attaches to (cx_issues_raise_from_breaches).
            models.Index(fields=["scope", "scope_id", "metric"], name="cxissue_breach_key_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("accountability:issue-detail", args=[self.pk])

    @property
    def owning_department_id(self) -> int:
        return self.department_id

    @property
    def is_open(self) -> bool:
        return self.status != CXIssueStatus.RESOLVED


class CXIssueBreach(models.Model):
    """A breach counted against an issue: the first raised it, later ones attached to it."""

    issue = models.ForeignKey(CXIssue, on_delete=models.CASCADE, related_name="breach_links")
    # One-to-one: a breach belongs to one issue at most, which keeps raising idempotent.
    breach = models.OneToOneField(
        "metrics.Breach", on_delete=models.CASCADE, related_name="cx_issue_link"
    )
    attached_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "breach of a CX issue"

    def __str__(self) -> str:
        return f"{self.breach_id} → {self.issue_id}"


class ActionStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    BLOCKED = "blocked", "Blocked"


class ActionOrigin(models.TextChoices):
    MEETING = "meeting", "Meeting"
    CX_ISSUE = "cx_issue", "CX issue"
    INITIATIVE = "initiative", "Initiative"
    MANUAL = "manual", "Added by hand"


class ActionItem(models.Model):
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    department = models.ForeignKey(
        "cco.Department", on_delete=models.PROTECT, related_name="action_items"
    )
    owner_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_action_items",
    )
    due = models.DateField()
    status = models.CharField(
        max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    origin = models.CharField(
        max_length=12, choices=ActionOrigin.choices, default=ActionOrigin.MANUAL
    )
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="action_items"
    )
    cx_issue = models.ForeignKey(
        CXIssue, null=True, blank=True, on_delete=models.SET_NULL, related_name="action_items"
    )
    initiative = models.ForeignKey(
        "roadmap.Initiative",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="action_items",
        help_text="The roadmap initiative this action serves.",
    )
    milestone = models.ForeignKey(
        "roadmap.Milestone",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="action_items",
        help_text="The roadmap milestone this action serves (its initiative is set too).",
    )
    kpi = models.ForeignKey(
        "metrics.KPI",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="action_items",
        help_text="The department KPI this action is to move.",
    )
    completed_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # Optimistic lock: every update bumps it; a save carrying an older version is a conflict.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["due", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="done", completed_on__isnull=False)
                | (~Q(status="done") & Q(completed_on__isnull=True)),
                name="actionitem_completed_on_iff_done",
            ),
        ]
        indexes = [
            # A department's open items due soonest first (My department, department page).
            models.Index(fields=["department", "status", "due"], name="action_dept_status_due_idx"),
            # Daily reminders and overdue agenda items: open items by due date.
            models.Index(fields=["status", "due"], name="action_status_due_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("accountability:action-detail", args=[self.pk])

    @property
    def owning_department_id(self) -> int:
        return self.department_id

    @property
    def is_open(self) -> bool:
        return self.status != ActionStatus.DONE

    def days_late(self, today: date) -> int:
        """Days past due: until today while open, until completion once done."""
        end = self.completed_on if self.completed_on else today
        return max(0, (end - self.due).days)
