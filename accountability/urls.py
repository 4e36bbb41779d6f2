from django.urls import path

from accountability import views

app_name = "accountability"

urlpatterns = [
    path("", views.index, name="home"),
    path("my/", views.my_department, name="my-department"),
    path("scorecard/", views.scorecard, name="scorecard"),
    path("scorecard.csv", views.scorecard_csv, name="scorecard-csv"),
    path("cut-offs/", views.cutoffs_edit, name="cutoffs"),
    path("actions/new/", views.action_item_create, name="action-create"),
    path("actions/<int:pk>/", views.action_item_detail, name="action-detail"),
    path("kpis/<int:pk>/", views.kpi_detail, name="kpi-detail"),
    path("emails/", views.email_preferences, name="email-preferences"),
    path("actions/<int:pk>/move-due/", views.action_item_move_due, name="action-move-due"),
    path("issues/", views.issue_list, name="issue-list"),
    path("issues/new/", views.issue_new, name="issue-new"),
    path("issues/<int:pk>/", views.issue_detail, name="issue-detail"),
    path("series/new/", views.series_new, name="series-new"),
    path("series/<int:pk>/", views.series_detail, name="series-detail"),
    path("calendar/", views.calendar_subscribe, name="calendar"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
    path("meetings/<int:pk>/", views.meeting_run, name="meeting-run"),
    path("meetings/<int:pk>/open/", views.meeting_open, name="meeting-open"),
    path("meetings/<int:pk>/close/", views.meeting_close, name="meeting-close"),
    path("meetings/<int:pk>/minutes/", views.meeting_minutes, name="meeting-minutes"),
    path(
        "meetings/<int:pk>/attendance/<int:person_id>/",
        views.meeting_attendance,
        name="meeting-attendance",
    ),
    path("meetings/<int:pk>/agenda/", views.agenda_item_add, name="agenda-add"),
    path("meetings/<int:pk>/decisions/", views.decision_add, name="decision-add"),
    path("meetings/<int:pk>/actions/", views.meeting_action_add, name="meeting-action-add"),
    path("agenda/<int:pk>/", views.agenda_item_update, name="agenda-update"),
    path("meetings/<int:pk>/parking-lot/", views.meeting_parking_lot, name="meeting-parking-lot"),
    path("followups/", views.followup_list, name="followup-list"),
    path("followups/settings/", views.followup_settings, name="followup-settings"),
    path("followups/<int:pk>/", views.followup_detail, name="followup-detail"),
    path("followups/<int:pk>/assign/", views.followup_assign, name="followup-assign"),
    path("followups/<int:pk>/raise-issue/", views.followup_raise_issue, name="followup-issue"),
    path("pulse/", views.pulse_list, name="pulse-list"),
    path("pulse/new/", views.pulse_new, name="pulse-new"),
    path("pulse/<int:pk>/", views.pulse_answer, name="pulse-answer"),
    path("pulse/<int:pk>/results/", views.pulse_results, name="pulse-results"),
    path("pulse/<int:pk>/import/", views.pulse_import, name="pulse-import"),
]
