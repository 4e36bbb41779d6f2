"""Accountability pages: thin views over selectors and services, one module per use case.

Saves of versioned objects (action items, CX issues) answer 400 (bad input) or 409 (someone
else saved first) with the form re-rendered around the person's own text, through
`views.common.versioned_save`; static/accountability/accountability.js lets htmx swap those
responses in.
"""

from accountability.views.actions import (
    action_item_create,
    action_item_detail,
    action_item_move_due,
)
from accountability.views.blockers import (
    blocker_action,
    blocker_answer,
    blocker_detail,
    blocker_list,
    blocker_voice,
)
from accountability.views.calendar import calendar_feed, calendar_subscribe
from accountability.views.compliments import (
    compliment_flag,
    compliment_list,
    compliment_route,
    compliment_themes,
)
from accountability.views.cutoffs import cutoffs_edit
from accountability.views.emails import email_preferences
from accountability.views.followups import (
    followup_assign,
    followup_detail,
    followup_list,
    followup_raise_issue,
    followup_settings,
)
from accountability.views.home import index, my_department, scorecard, scorecard_csv
from accountability.views.issues import issue_detail, issue_list, issue_new
from accountability.views.kpis import kpi_detail
from accountability.views.meetings import (
    agenda_item_add,
    agenda_item_update,
    decision_add,
    meeting_action_add,
    meeting_attendance,
    meeting_close,
    meeting_minutes,
    meeting_open,
    meeting_parking_lot,
    meeting_run,
)
from accountability.views.notes import (
    change_note_detail,
    change_note_from_initiative,
    change_note_from_issue,
    change_note_list,
    change_note_withdraw,
)
from accountability.views.pulse import (
    pulse_answer,
    pulse_import,
    pulse_list,
    pulse_new,
    pulse_results,
)
from accountability.views.series import series_detail, series_new

__all__ = [
    "change_note_detail",
    "change_note_from_initiative",
    "change_note_from_issue",
    "change_note_list",
    "change_note_withdraw",
    "blocker_action",
    "blocker_answer",
    "blocker_detail",
    "blocker_list",
    "blocker_voice",
    "compliment_flag",
    "compliment_list",
    "compliment_route",
    "compliment_themes",
    "action_item_create",
    "action_item_detail",
    "action_item_move_due",
    "agenda_item_add",
    "agenda_item_update",
    "calendar_feed",
    "calendar_subscribe",
    "cutoffs_edit",
    "decision_add",
    "followup_assign",
    "followup_detail",
    "followup_list",
    "followup_raise_issue",
    "followup_settings",
    "email_preferences",
    "index",
    "issue_detail",
    "issue_list",
    "issue_new",
    "kpi_detail",
    "meeting_action_add",
    "meeting_attendance",
    "meeting_close",
    "meeting_minutes",
    "meeting_open",
    "meeting_parking_lot",
    "meeting_run",
    "my_department",
    "pulse_answer",
    "pulse_import",
    "pulse_list",
    "pulse_new",
    "pulse_results",
    "scorecard",
    "scorecard_csv",
    "series_detail",
    "series_new",
]
