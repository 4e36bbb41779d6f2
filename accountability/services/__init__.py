"""Every write of the accountability app: `from accountability import services`."""

from accountability.services.actions import (
    action_item_create,
    action_item_move_due,
    action_item_update,
)
from accountability.services.calendar import calendar_feed_issue
from accountability.services.cutoffs import cutoffs_update, delivery_cutoffs_update
from accountability.services.issues import (
    cx_issue_raise,
    cx_issue_update,
    cx_issues_raise_from_breaches,
)
from accountability.services.kpis import kpi_value_record
from accountability.services.meetings import (
    agenda_build,
    agenda_item_add,
    agenda_item_subject,
    agenda_item_update,
    attendance_mark,
    decision_record,
    meeting_close,
    meeting_open,
    meeting_schedule_next,
    meeting_series_create,
    minutes_send,
)
from accountability.services.reminders import (
    breach_emails_send,
    reminders_send_daily,
)
from cco.errors import VersionConflict

# The name callers have long caught; the same class as VersionConflict.
Conflict = VersionConflict

__all__ = [
    "Conflict",
    "VersionConflict",
    "action_item_create",
    "action_item_move_due",
    "action_item_update",
    "agenda_build",
    "agenda_item_subject",
    "agenda_item_add",
    "agenda_item_update",
    "attendance_mark",
    "breach_emails_send",
    "calendar_feed_issue",
    "cutoffs_update",
    "delivery_cutoffs_update",
    "cx_issue_raise",
    "cx_issue_update",
    "cx_issues_raise_from_breaches",
    "decision_record",
    "kpi_value_record",
    "meeting_close",
    "meeting_open",
    "meeting_schedule_next",
    "meeting_series_create",
    "minutes_send",
    "reminders_send_daily",
]
