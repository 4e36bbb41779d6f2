"""The accountability API: thin viewsets over the same selectors and services as the pages.

Errors rise from the services and are answered by the API's one exception handler
(`cco/api_errors.py`): 400 naming the fields, 403, and 409 for a stale version.
"""

from django.urls import path
from rest_framework.routers import BaseRouter

from accountability.api.actions import ActionItemViewSet
from accountability.api.blockers import BlockerViewSet
from accountability.api.compliments import ComplimentViewSet
from accountability.api.cutoffs import DeliveryCutoffsView
from accountability.api.followups import FollowupCaseViewSet
from accountability.api.issues import CXIssueViewSet
from accountability.api.meetings import (
    AgendaItemViewSet,
    DecisionViewSet,
    MeetingSeriesViewSet,
    MeetingViewSet,
)
from accountability.api.notes import ChangeNoteViewSet
from accountability.api.pulse import PulseRoundViewSet
from accountability.api.scorecard import ScorecardViewSet


def register(router: BaseRouter) -> None:
    """Register this app's viewsets on the API router."""
    router.register("meeting-series", MeetingSeriesViewSet, basename="meeting-series")
    router.register("meetings", MeetingViewSet, basename="meeting")
    router.register("agenda-items", AgendaItemViewSet, basename="agenda-item")
    router.register("decisions", DecisionViewSet, basename="decision")
    router.register("action-items", ActionItemViewSet, basename="action-item")
    router.register("cx-issues", CXIssueViewSet, basename="cx-issue")
    router.register("accountability-scorecard", ScorecardViewSet, basename="scorecard")
    router.register("followup-cases", FollowupCaseViewSet, basename="followup-case")
    router.register("change-notes", ChangeNoteViewSet, basename="change-note")
    router.register("pulse-rounds", PulseRoundViewSet, basename="pulse-round")
    router.register("blockers", BlockerViewSet, basename="blocker")
    router.register("compliments", ComplimentViewSet, basename="compliment")


urlpatterns: list = [
    path(
        "accountability-cut-offs/",
        DeliveryCutoffsView.as_view(),
        name="accountability-cutoffs",
    )
]
