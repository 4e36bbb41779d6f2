from typing import Any

from django.contrib import admin

from accountability.models import (
    ActionItem,
    ActionItemEvent,
    AgendaItem,
    Attendance,
    Blocker,
    BlockerVoice,
    BreachEmail,
    CalendarFeed,
    ChangeNote,
    Compliment,
    CXIssue,
    CXIssueBreach,
    CXIssueEvent,
    Decision,
    DeliveryCutoffChange,
    DeliveryCutoffSetting,
    EmailOptOut,
    FollowupCase,
    FollowupCaseResponse,
    FollowupEvent,
    FollowupPolicy,
    FollowupThreshold,
    FollowupWatermark,
    KPIValueChange,
    Meeting,
    MeetingSeries,
    PulseAnswer,
    PulseItem,
    PulseItemScore,
    PulseParticipation,
    PulseRound,
    ReminderLog,
)
from accountability.models.compliments import PraiseTheme
from cco.admin import ShownNotChangedAdmin
from metrics.admin import CutoffReadOnlyAdmin


class AttendanceInline(admin.TabularInline):
    model = Attendance
    extra = 0
    raw_id_fields = ["person"]


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    fields = ["order", "kind", "title", "department", "discussed", "notes"]


class DecisionInline(admin.TabularInline):
    model = Decision
    extra = 0
    fields = ["text", "cx_issue", "initiative", "recorded_by", "recorded_at"]
    raw_id_fields = ["cx_issue", "initiative", "recorded_by"]


@admin.register(MeetingSeries)
class MeetingSeriesAdmin(admin.ModelAdmin):
    list_display = ["name", "cadence", "weekday", "start_time", "chair"]
    filter_horizontal = ["attendees"]
    search_fields = ["name"]


@admin.register(Meeting)
class MeetingAdmin(admin.ModelAdmin):
    list_display = ["series", "scheduled_at", "status", "closed_at", "minutes_sent_at"]
    list_filter = ["status", "series"]
    date_hierarchy = "scheduled_at"
    inlines = [AttendanceInline, AgendaItemInline, DecisionInline]


class ActionItemEventInline(admin.TabularInline):
    model = ActionItemEvent
    extra = 0
    readonly_fields = ["actor", "at", "kind", "from_status", "to_status", "note"]
    can_delete = False


@admin.register(ActionItem)
class ActionItemAdmin(admin.ModelAdmin):
    """Edits here bypass the version check and history: use the pages or API for updates."""

    list_display = ["title", "department", "owner_person", "due", "status", "completed_on"]
    list_filter = ["status", "origin", "department"]
    search_fields = ["title", "description"]
    raw_id_fields = ["meeting", "cx_issue", "initiative", "owner_person", "created_by"]
    readonly_fields = ["version"]
    inlines = [ActionItemEventInline]


class CXIssueEventInline(admin.TabularInline):
    model = CXIssueEvent
    extra = 0
    readonly_fields = ["actor", "at", "kind", "from_status", "to_status", "note"]
    can_delete = False


class CXIssueBreachInline(admin.TabularInline):
    model = CXIssueBreach
    extra = 0
    raw_id_fields = ["breach"]


@admin.register(CXIssue)
class CXIssueAdmin(admin.ModelAdmin):
    list_display = ["title", "department", "origin", "status", "breach_count", "escalated"]
    list_filter = ["status", "origin", "escalated", "department"]
    search_fields = ["title", "root_cause", "remediation_plan"]
    raw_id_fields = ["breach", "touchpoint", "raised_by"]
    readonly_fields = ["version", "breach_count", "worst_value", "latest_value"]
    inlines = [CXIssueBreachInline, CXIssueEventInline]


@admin.register(CXIssueBreach)
class CXIssueBreachAdmin(admin.ModelAdmin):
    list_display = ["breach", "issue", "attached_at"]
    raw_id_fields = ["breach", "issue"]


@admin.register(AgendaItem)
class AgendaItemAdmin(admin.ModelAdmin):
    list_display = ["title", "meeting", "kind", "department", "order", "discussed"]
    list_filter = ["kind", "discussed"]


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    list_display = ["text", "meeting", "cx_issue", "recorded_at"]
    raw_id_fields = ["meeting", "agenda_item", "cx_issue", "initiative", "recorded_by"]


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["meeting", "person", "present", "rating"]
    list_filter = ["present"]


@admin.register(ActionItemEvent)
class ActionItemEventAdmin(admin.ModelAdmin):
    list_display = ["action_item", "actor", "at", "kind", "to_status"]
    list_filter = ["kind"]


@admin.register(CXIssueEvent)
class CXIssueEventAdmin(admin.ModelAdmin):
    list_display = ["issue", "actor", "at", "kind", "to_status"]
    list_filter = ["kind"]


@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    list_display = ["person", "kind", "date", "item_count", "sent_at"]
    list_filter = ["kind", "date"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ["person", "created_at"]
    exclude = ["token"]


@admin.register(DeliveryCutoffSetting)
class DeliveryCutoffSettingAdmin(CutoffReadOnlyAdmin):
    list_display = ["figure", "green", "amber", "updated_at"]


@admin.register(DeliveryCutoffChange)
class DeliveryCutoffChangeAdmin(CutoffReadOnlyAdmin):
    list_display = ["changed_at", "changed_by", "figure", "old_green", "old_amber", "new_green",
                    "new_amber"]  # fmt: skip


@admin.register(FollowupPolicy)
class FollowupPolicyAdmin(ShownNotChangedAdmin):
    pass


@admin.register(FollowupThreshold)
class FollowupThresholdAdmin(ShownNotChangedAdmin):
    pass


@admin.register(FollowupCase)
class FollowupCaseAdmin(ShownNotChangedAdmin):
    list_display = ["pk", "department", "touchpoint", "customer_id", "status", "due_on"]
    list_filter = ["status", "department"]


@admin.register(FollowupCaseResponse)
class FollowupCaseResponseAdmin(ShownNotChangedAdmin):
    pass


@admin.register(FollowupWatermark)
class FollowupWatermarkAdmin(ShownNotChangedAdmin):
    pass


@admin.register(FollowupEvent)
class FollowupEventAdmin(ShownNotChangedAdmin):
    pass


@admin.register(KPIValueChange)
class KPIValueChangeAdmin(admin.ModelAdmin):
    """The history of KPI values entered on the page: read-only, the page writes it."""

    list_display = ["kpi", "week_start", "old_value", "new_value", "actor", "at"]
    list_filter = ["kpi__department"]
    raw_id_fields = ["kpi", "actor"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(EmailOptOut)
class EmailOptOutAdmin(admin.ModelAdmin):
    list_display = ["person", "at"]
    raw_id_fields = ["person"]


@admin.register(BreachEmail)
class BreachEmailAdmin(admin.ModelAdmin):
    list_display = ["issue", "to", "sent_at"]
    raw_id_fields = ["issue"]


# -- the employee pulse ---------------------------------------------------------------------------


@admin.register(PulseRound)
class PulseRoundAdmin(ShownNotChangedAdmin):
    list_display = ["title", "department", "opens_on", "closes_on", "min_group"]


@admin.register(PulseItem)
class PulseItemAdmin(ShownNotChangedAdmin):
    list_display = ["text", "round", "order"]


@admin.register(PulseParticipation)
class PulseParticipationAdmin(ShownNotChangedAdmin):
    """Who answered a round; the rows hold no score."""

    list_display = ["round", "person"]
    raw_id_fields = ["round", "person"]


class NeverShownAdmin(admin.ModelAdmin):
    """Registered so the model is accounted for, and shown to no one — not even a superuser:
    an individual pulse answer is never shown (results come only from accountability.pulse_stats,
    in groups of at least the round's minimum)."""

    def has_module_permission(self, request: Any) -> bool:
        return False

    def has_view_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


admin.site.register(PulseAnswer, NeverShownAdmin)
admin.site.register(PulseItemScore, NeverShownAdmin)


@admin.register(Blocker)
class BlockerAdmin(ShownNotChangedAdmin):
    list_display = ["title", "department", "status", "answer_due"]
    list_filter = ["status", "department"]


@admin.register(BlockerVoice)
class BlockerVoiceAdmin(ShownNotChangedAdmin):
    list_display = ["blocker", "person", "at"]
    raw_id_fields = ["blocker", "person"]


@admin.register(ChangeNote)
class ChangeNoteAdmin(ShownNotChangedAdmin):
    list_display = ["title", "cx_issue", "initiative", "published_by", "published_at"]
    raw_id_fields = ["cx_issue", "initiative", "published_by"]
    date_hierarchy = "published_at"


# -- compliments ---------------------------------------------------------------------------------


@admin.register(Compliment)
class ComplimentAdmin(ShownNotChangedAdmin):
    list_display = ["department", "person", "source", "theme", "responded_at"]
    list_filter = ["source", "department"]
    raw_id_fields = ["response", "person", "flagged_by"]


@admin.register(PraiseTheme)
class PraiseThemeAdmin(ShownNotChangedAdmin):
    list_display = ["theme"]
