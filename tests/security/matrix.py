"""Who may do what, page by page: the expected answer of every URL for every person.

Every URL pattern of the product (Django admin aside, which is staff-only by Django's own
machinery) must be listed in PAGES; a test fails when a new page is added without deciding who
may use it. Department-owned objects belong to department B (see world.py).

Every write carries a valid body (`body`), the same for everyone: an allowed person's write
must succeed and change the database, a refused person's must change nothing — refused for
who they are, not for what they sent.
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from tests.security.world import World

PERSONAS = ["anonymous", "outsider", "contributor", "head_a", "head_b", "executive", "cco"]

# Who is allowed, by the rule the page applies. Everyone else signed in is refused with 403;
# anonymous visitors are sent to the login page.
EVERYONE = frozenset({"contributor", "head_a", "head_b", "executive", "cco"})
CCO = frozenset({"cco"})
HEADS = frozenset({"head_a", "head_b", "cco"})
# Planning the roadmap (initiative details, dependencies, expected results, deleting) is the
# CCO's; a head reports progress and milestones of their department's initiatives.
# Changing something department B owns: its head and the CCO; never another head, a
# contributor of another department or an executive.
OWNING_HEAD = frozenset({"head_b", "cco"})
# Pulse aggregates: the CCO and executives (every group), heads (their own department's).
PULSE_READERS = frozenset({"head_a", "head_b", "executive", "cco"})
# Everyone who works in the product: executives read and change nothing.
WORKERS = EVERYONE - {"executive"}
PUBLIC = frozenset({"anonymous", *EVERYONE, "outsider"})


Body = Callable[[World, str], dict[str, Any]]


def _no_body(world: World, persona: str) -> dict[str, Any]:
    return {}


def _nothing_to_prepare(world: World, persona: str) -> None:
    return None


@dataclass(frozen=True)
class Page:
    method: str
    allowed: frozenset[str]
    kwargs: Callable[[World], dict[str, Any]] = lambda world: {}
    # A valid body for a write (built afresh for each person: an upload is read once).
    body: Body = _no_body
    # What the world needs for this person before the write (e.g. a token to revoke).
    prepare: Callable[[World, str], None] = _nothing_to_prepare


def _obj(name: str, key: str = "pk", attribute: str = "pk") -> Callable[[World], dict[str, Any]]:
    return lambda world: {key: getattr(world.get(name), attribute)}


def _slug_b(world: World) -> dict[str, Any]:
    return {"slug": world.department_b.slug}


def _in_days(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def _fresh(world: World, name: str) -> Any:
    """The object as stored now (an earlier person's write was rolled back, not its cache)."""
    obj = world.get(name)
    return type(obj).objects.get(pk=obj.pk)


def _give_a_token(world: World, persona: str) -> None:
    from cco.tokens import api_token_issue

    if (person := world.people[persona]) is not None:
        api_token_issue(person=person)


def _own_department_item(world: World, persona: str) -> dict[str, Any]:
    """An action item in the person's own department (department B for those without one)."""
    person = world.people[persona]
    department_id = (person.department_id if person is not None else None) or (
        world.department_b.pk
    )
    return {"title": "Call every detractor back", "department": department_id, "due": _in_days(7)}


def _meeting_action(world: World, persona: str) -> dict[str, Any]:
    return {
        "title": "Roster a night agent",
        "department": world.department_b.pk,
        "due": _in_days(7),
    }


def _progress(world: World, persona: str) -> dict[str, Any]:
    return {"progress": 55, "notes": "Half the regions live", "note": "Weekly update"}


def _action_update(world: World, persona: str) -> dict[str, Any]:
    item = _fresh(world, "action_item")
    return {"status": "in_progress", "note": "Started", "version": item.version}


def _issue_plan(world: World, persona: str) -> dict[str, Any]:
    issue = _fresh(world, "cx_issue")
    return {
        "status": "plan_agreed",
        "root_cause": "Rota gap",
        "remediation_plan": "Hire two agents",
        "version": issue.version,
    }


def _initiative_edit(world: World, persona: str) -> dict[str, Any]:
    initiative = _fresh(world, "initiative")
    return {
        "pillar": initiative.pillar_id,
        "title": "Invoices anyone can read",
        "description": initiative.description,
        "department": initiative.department_id,
        "sponsor": initiative.sponsor_id or "",
        "start_date": initiative.start_date.isoformat(),
        "end_date": initiative.end_date.isoformat(),
        "status": initiative.status,
        "progress": "" if initiative.progress is None else initiative.progress,
        "notes": initiative.notes,
    }


def _response_file(world: World, persona: str) -> dict[str, Any]:
    # A head imports only for their own department's touch points (B's is the world's).
    slug = "matrix-a" if persona == "head_a" else world.get("touchpoint").slug
    header = "external_id,touchpoint,metric,score,responded_at"
    text = f"{header}\nmatrix-1,{slug},nps,9,{_in_days(-3)}\n"
    return {"file": SimpleUploadedFile("responses.csv", text.encode(), "text/csv")}


def _touchpoint_of_a(world: World, persona: str) -> None:
    if persona == "head_a":
        from tests.metrics.factories import TouchpointFactory

        TouchpointFactory(slug="matrix-a", department=world.department_a)


def _customer_file(world: World, persona: str) -> dict[str, Any]:
    body = b"customer_id,retained,revenue\nC-matrix,yes,99\n"
    return {
        "file": SimpleUploadedFile("customers.csv", body, "text/csv"),
        "as_of": _in_days(0),
    }


def _roadmap_file(world: World, persona: str) -> dict[str, Any]:
    from roadmap.services.importing import COLUMNS

    initiative = _fresh(world, "initiative")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, restval="")
    writer.writeheader()
    writer.writerow(
        {
            "pillar": initiative.pillar.name,
            "initiative": "Self-service refunds",
            "department": world.department_b.slug,
            "start": initiative.start_date.isoformat(),
            "end": initiative.end_date.isoformat(),
            "status": "planned",
        }
    )
    return {
        "roadmap": initiative.pillar.roadmap_id,
        "file": SimpleUploadedFile("plan.csv", out.getvalue().encode(), "text/csv"),
    }


def _series(world: World, persona: str) -> dict[str, Any]:
    return {
        "name": "Monthly billing review",
        "cadence": "weekly",
        "weekday": "2",
        "start_time": "10:00",
        "duration_minutes": "60",
    }


def _pulse_answer(world: World, persona: str) -> dict[str, Any]:
    item = world.get("pulse_round").items.get()
    return {"enps": "8", f"item_{item.pk}": "4"}


def _pulse_round_new(world: World, persona: str) -> dict[str, Any]:
    return {
        "title": "Winter pulse",
        "department": world.department_b.slug,
        "opens_on": _in_days(0),
        "closes_on": _in_days(14),
        "min_group": "5",
        "items": "I know what the customer waits for",
    }


def _pulse_file(world: World, persona: str) -> dict[str, Any]:
    text = f"department,enps,item_1\n{world.department_b.slug},9,5\n"
    return {"file": SimpleUploadedFile("pulse.csv", text.encode(), "text/csv")}


def _a_theme(world: World, persona: str) -> None:
    from metrics.models import Theme

    Theme.objects.create(name="Matrix praise", phrases=["thank you"])


def _praise_theme(world: World, persona: str) -> dict[str, Any]:
    from metrics.models import Theme

    return {"theme": Theme.objects.get(name="Matrix praise").pk}


def _followup_record(world: World, persona: str) -> dict[str, Any]:
    case = _fresh(world, "followup_case")
    return {"version": case.version, "contacted": "on", "note": "Left a voicemail"}


def _followup_assign(world: World, persona: str) -> dict[str, Any]:
    case = _fresh(world, "followup_case")
    return {"version": case.version, "assignee": world.get("contributor_b").pk}


def _followup_issue(world: World, persona: str) -> dict[str, Any]:
    return {"version": _fresh(world, "followup_case").version, "title": "Invoices confuse"}


def _fixed(data: dict[str, Any]) -> Body:
    return lambda world, persona: dict(data)


GET, POST = "GET", "POST"

PAGES: dict[str, Page] = {
    # The organisation and the overview.
    "home": Page(GET, EVERYONE),
    "overview-csv": Page(GET, EVERYONE, lambda world: {"panel": "scorecard"}),
    "department-list": Page(GET, EVERYONE),
    "department-detail": Page(GET, EVERYONE, _slug_b),
    "api-token": Page(GET, EVERYONE),
    "api-token-create": Page(POST, EVERYONE),
    "api-token-revoke": Page(POST, EVERYONE, prepare=_give_a_token),
    "login": Page(GET, PUBLIC),
    "health": Page(GET, PUBLIC),
    "board-pack": Page(GET, frozenset({"executive", "cco"}), lambda world: {"quarter": "2026-Q1"}),
    # Metrics.
    "metrics:touchpoint-list": Page(GET, EVERYONE),
    "metrics:touchpoint-detail": Page(GET, EVERYONE, _obj("touchpoint", "slug", "slug")),
    "metrics:department-scorecard": Page(GET, EVERYONE, _slug_b),
    "metrics:response-upload": Page(GET, HEADS),
    "metrics:customer-upload": Page(GET, CCO),
    "metrics:response-sample": Page(GET, HEADS),
    "metrics:webhook-sources": Page(GET, CCO),
    "metrics:webhook-rotate": Page(POST, CCO, _obj("webhook_source", "slug", "slug")),
    "metrics:webhook-question-delete": Page(POST, CCO, _obj("webhook_question")),
    "metrics:say-do": Page(GET, EVERYONE),
    "metrics:themes": Page(GET, EVERYONE),
    "metrics:theme-taxonomy": Page(GET, CCO),
    # Roadmap.
    "roadmap:timeline": Page(GET, EVERYONE),
    "roadmap:years": Page(GET, EVERYONE),
    "roadmap:roadmap-create": Page(GET, CCO),
    "roadmap:roadmap-edit": Page(GET, CCO, _obj("roadmap")),
    "roadmap:pillar-create": Page(GET, CCO, _obj("roadmap", "roadmap_pk")),
    "roadmap:pillar-edit": Page(GET, CCO, _obj("pillar")),
    "roadmap:initiative-create": Page(GET, CCO),
    "roadmap:initiative-detail": Page(GET, EVERYONE, _obj("initiative")),
    "roadmap:initiative-edit": Page(GET, CCO, _obj("initiative")),
    "roadmap:initiative-progress": Page(POST, OWNING_HEAD, _obj("initiative"), _progress),
    "roadmap:initiative-delete": Page(POST, CCO, _obj("initiative")),
    "roadmap:milestone-create": Page(GET, OWNING_HEAD, _obj("initiative")),
    "roadmap:milestone-edit": Page(GET, OWNING_HEAD, _obj("milestone")),
    "roadmap:milestone-done": Page(POST, OWNING_HEAD, _obj("milestone"), _fixed({"done": "1"})),
    "roadmap:milestone-delete": Page(POST, CCO, _obj("milestone")),
    "roadmap:dependency-add": Page(
        POST,
        CCO,
        _obj("initiative"),
        lambda world, persona: {"depends_on": world.get("spare_initiative").pk},
    ),
    "roadmap:dependency-remove": Page(POST, CCO, _obj("dependency")),
    "roadmap:expected-result-create": Page(GET, CCO, _obj("initiative")),
    "roadmap:expected-result-edit": Page(GET, CCO, _obj("expected_result")),
    "roadmap:expected-result-delete": Page(POST, CCO, _obj("expected_result")),
    "roadmap:import": Page(GET, CCO),
    "roadmap:export-initiatives": Page(GET, EVERYONE),
    "roadmap:export-milestones": Page(GET, EVERYONE),
    # Accountability.
    "accountability:home": Page(GET, EVERYONE),
    "accountability:my-department": Page(GET, EVERYONE),
    "accountability:scorecard": Page(GET, EVERYONE),
    "accountability:scorecard-csv": Page(GET, EVERYONE),
    "accountability:action-create": Page(POST, HEADS, body=_own_department_item),
    "accountability:action-detail": Page(GET, EVERYONE, _obj("action_item")),
    "accountability:issue-list": Page(GET, EVERYONE),
    "accountability:issue-new": Page(GET, CCO),
    "accountability:series-new": Page(GET, CCO),
    "accountability:issue-detail": Page(GET, EVERYONE, _obj("cx_issue")),
    "accountability:series-detail": Page(GET, EVERYONE, _obj("series")),
    "accountability:calendar": Page(GET, EVERYONE),
    # Everyone with a role reads the running meeting; its writes below stay the CCO's.
    "accountability:meeting-run": Page(GET, EVERYONE, _obj("meeting")),
    "accountability:meeting-open": Page(POST, CCO, _obj("next_meeting")),
    "accountability:meeting-close": Page(
        POST, CCO, _obj("meeting"), _fixed({"summary": "Rota fixed next week"})
    ),
    "accountability:meeting-minutes": Page(GET, EVERYONE, _obj("meeting")),
    "accountability:meeting-attendance": Page(
        POST,
        CCO,
        lambda world: {"pk": world.get("meeting").pk, "person_id": world.people["cco"].pk},
        _fixed({"present": "on", "rating": "8"}),
    ),
    "accountability:agenda-add": Page(
        POST, CCO, _obj("meeting"), _fixed({"title": "Peak season readiness"})
    ),
    "accountability:decision-add": Page(
        POST, CCO, _obj("meeting"), _fixed({"text": "Add a second night agent"})
    ),
    "accountability:meeting-action-add": Page(POST, CCO, _obj("meeting"), _meeting_action),
    "accountability:agenda-update": Page(
        POST, CCO, _obj("agenda_item"), _fixed({"notes": "Rota explained", "discussed": "on"})
    ),
    "accountability:cutoffs": Page(GET, CCO),
    "accountability:meeting-parking-lot": Page(GET, EVERYONE, _obj("meeting")),
    "accountability:action-move-due": Page(
        POST,
        frozenset({"head_b", "cco"}),
        _obj("action_item"),
        lambda world, persona: {
            "due": _in_days(10),
            "reason": "The supplier ships a week late",
            "version": _fresh(world, "action_item").version,
        },
    ),
    "accountability:kpi-detail": Page(GET, EVERYONE, _obj("kpi")),
    "accountability:followup-list": Page(GET, EVERYONE),
    "accountability:followup-settings": Page(GET, CCO),
    "accountability:followup-detail": Page(GET, EVERYONE, _obj("followup_case")),
    "accountability:followup-assign": Page(
        POST, OWNING_HEAD, _obj("followup_case"), _followup_assign
    ),
    "accountability:followup-issue": Page(
        POST, OWNING_HEAD, _obj("followup_case"), _followup_issue
    ),
    "accountability:email-preferences": Page(GET, EVERYONE),
    "accountability:pulse-list": Page(GET, EVERYONE),
    "accountability:pulse-new": Page(GET, CCO),
    "accountability:pulse-answer": Page(GET, EVERYONE, _obj("pulse_round")),
    "accountability:pulse-results": Page(GET, PULSE_READERS, _obj("pulse_round")),
    "accountability:pulse-import": Page(GET, CCO, _obj("pulse_round")),
    "accountability:blocker-list": Page(GET, EVERYONE),
    "accountability:blocker-detail": Page(GET, EVERYONE, _obj("blocker")),
    # Anyone with a role adds their voice (the world's raiser is contributor_b, not a persona).
    "accountability:blocker-voice": Page(POST, WORKERS, _obj("blocker")),
    "accountability:blocker-answer": Page(
        POST, OWNING_HEAD, _obj("blocker"), _fixed({"answer": "Two approvals from Monday"})
    ),
    "accountability:blocker-action": Page(
        POST,
        OWNING_HEAD,
        _obj("resolved_blocker"),
        lambda world, persona: {"due": _in_days(14), "title": "One approval for refunds"},
    ),
    "accountability:change-notes": Page(GET, EVERYONE),
    "accountability:change-note-detail": Page(GET, EVERYONE, _obj("change_note")),
    "accountability:change-note-issue": Page(GET, OWNING_HEAD, _obj("resolved_issue")),
    "accountability:change-note-initiative": Page(GET, OWNING_HEAD, _obj("done_initiative")),
    "accountability:change-note-withdraw": Page(
        POST,
        OWNING_HEAD,
        _obj("change_note"),
        lambda world, persona: {"version": _fresh(world, "change_note").version},
    ),
    # Everyone reads the compliments they may (their team's and their own; all for the CCO and
    # executives); heads and the CCO flag a verbatim; the head it is with (or the CCO) routes it.
    "accountability:compliment-list": Page(GET, EVERYONE),
    "accountability:compliment-flag": Page(
        POST, HEADS, body=lambda world, persona: {"response": world.get("response").pk}
    ),
    "accountability:compliment-route": Page(
        POST,
        OWNING_HEAD,
        _obj("compliment"),
        lambda world, persona: {
            "department": world.department_b.pk,
            "person": world.get("contributor_b").pk,
        },
    ),
    "accountability:compliment-themes": Page(POST, CCO, body=_praise_theme, prepare=_a_theme),
}

# Writes on pages that also read: the same URL answers GET to everyone and POST only to these.
PAGE_WRITES: dict[str, Page] = {
    "accountability:action-detail": Page(
        POST, frozenset({"head_b", "cco"}), _obj("action_item"), _action_update
    ),
    "accountability:issue-detail": Page(POST, OWNING_HEAD, _obj("cx_issue"), _issue_plan),
    "metrics:response-upload": Page(POST, HEADS, body=_response_file, prepare=_touchpoint_of_a),
    "metrics:customer-upload": Page(POST, CCO, body=_customer_file),
    "accountability:series-new": Page(POST, CCO, body=_series),
    "roadmap:import": Page(POST, CCO, body=_roadmap_file),
    "roadmap:initiative-edit": Page(POST, CCO, _obj("initiative"), _initiative_edit),
    "accountability:cutoffs": Page(
        POST,
        CCO,
        body=_fixed(
            {
                "nps": "6",
                "csat": "5",
                "ces": "0.5",
                "kpi": "5",
                "on_time_green": "85",
                "on_time_amber": "60",
                "open_issues_green": "0",
                "open_issues_amber": "2",
            }
        ),  # fmt: skip
    ),
    "accountability:kpi-detail": Page(
        POST,
        OWNING_HEAD,
        _obj("kpi"),
        lambda world, persona: {
            "week_start": (
                timezone.localdate() - timedelta(days=timezone.localdate().weekday())
            ).isoformat(),
            "value": "55",
        },
    ),
    "accountability:followup-detail": Page(
        POST, OWNING_HEAD, _obj("followup_case"), _followup_record
    ),
    "accountability:followup-settings": Page(
        POST, CCO, body=_fixed({"sla_working_days": 3, "dedupe_days": 14, "max_age_days": 30})
    ),
    "metrics:webhook-sources": Page(
        POST,
        CCO,
        body=_fixed({"source-name": "Kiosk", "source-slug": "kiosk", "source-shape": "native"}),
    ),
    "metrics:theme-taxonomy": Page(POST, CCO, body=_fixed({"taxonomy": "Waiting: queue, wait"})),
    # Anyone with a role turns the programme's emails off (an empty box) for themselves.
    "accountability:email-preferences": Page(POST, EVERYONE),
    # Anyone with a role answers a pulse sent to every department (once: each person meets a
    # fresh world).
    "accountability:pulse-answer": Page(POST, EVERYONE, _obj("pulse_round"), _pulse_answer),
    "accountability:pulse-new": Page(POST, CCO, body=_pulse_round_new),
    "accountability:pulse-import": Page(POST, CCO, _obj("pulse_round"), _pulse_file),
    "accountability:blocker-list": Page(
        POST,
        WORKERS,
        body=lambda world, persona: {
            "title": "Refunds need three approvals",
            "department": world.department_b.pk,
        },
    ),
}

PAGE_WRITES |= {
    "accountability:change-note-detail": Page(
        POST, OWNING_HEAD, _obj("change_note"), lambda world, persona: _note(world, "change_note")
    ),
    "accountability:change-note-issue": Page(
        POST, OWNING_HEAD, _obj("resolved_issue"), lambda world, persona: _note(world)
    ),
    "accountability:change-note-initiative": Page(
        POST, OWNING_HEAD, _obj("done_initiative"), lambda world, persona: _note(world)
    ),
}


def _note(world: World, edit: str = "") -> dict[str, Any]:
    """A valid change note (an edit carries the version read)."""
    body = {
        "title": "Refunds in a day",
        "you_said": "Refunds took a month",
        "we_did": "One approval instead of three",
        "touchpoints": [world.get("touchpoint").pk],
    }
    return {**body, "version": _fresh(world, edit).version} if edit else body


# Not in the matrix, with the reason.
EXEMPT = {
    "logout": "signing out is open to everyone by design",
    "accountability:calendar-feed": "authenticated by its secret token; tested with the feed",
}


def url_names() -> list[str]:
    """Every named URL outside the API and Django admin."""

    def walk(patterns: list, namespace: str | None) -> list[str]:
        names = []
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name == "admin" or str(pattern.pattern).startswith("api/"):
                    continue
                names += walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                names.append(f"{namespace}:{pattern.name}" if namespace else pattern.name)
        return names

    return walk(get_resolver().url_patterns, None)
