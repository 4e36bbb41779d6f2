"""Every API endpoint for every person, by token: reads for every role, writes by the rules.

Walks the router, so an endpoint added later is covered without editing this file. The rules
checked hold for every endpoint whatever it serves: anonymous callers get 401; a person
without a role, and an executive on any write, get 403; the head of department A and a
contributor of A get 403 changing department B's objects; the CCO is let through; the head of
B is let through on B's objects wherever the endpoint lets owners change what they own.

Every write sends a valid body and is read back from the database, each person's in a world
rolled back afterwards: "let through" means a 2xx answer and a changed database; a refusal (or
any other answer) must leave every table as it was.
"""

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from cco.api_urls import APP_APIS, router
from tests.conftest import rolled_back, stored
from tests.security.matrix import PERSONAS
from tests.security.world import World

pytestmark = pytest.mark.django_db

REFUSED = (401, 403, 404, 405)
# Rules that let the owning department's head change an object.
OWNER_RULES = {"cco.change_owned", "cco.update_action_item"}
# Creating rules that let everyone who works in the product (contributors too) create.
WORKER_CREATE_RULES = {"cco.raise_blocker"}
# Extra writes everyone with a role makes, executives included: answering a pulse, as on the
# pages (an executive is an employee whose eNPS counts too).
EVERY_ROLE_EXTRAS = {"pulse-round-answer"}
ENDPOINTS = sorted(
    (prefix, viewset, basename or router.get_default_basename(viewset))
    for prefix, viewset, basename in router.registry
)


def _in_days(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def _initiative_dates(world: World) -> dict[str, str]:
    initiative = world.get("initiative")
    return {
        "start_date": initiative.start_date.isoformat(),
        "end_date": initiative.end_date.isoformat(),
    }


# A valid body for POST to each endpoint's list, about department B where it names one.
CREATE: dict[str, Callable[[World], Any]] = {
    "api-department": lambda world: {"name": "Legal", "slug": "legal"},
    "journey": lambda world: {"name": "Renewal", "slug": "renewal", "order": 9},
    "journeystage": lambda world: {
        "journey": world.get("touchpoint").stage.journey_id,
        "name": "Renew",
        "order": 9,
    },
    "touchpoint": lambda world: {
        "stage": world.get("touchpoint").stage_id,
        "name": "Renewal call",
        "slug": "renewal-call",
        "channel": "phone",
        "department": world.department_b.pk,
    },
    "kpi": lambda world: {
        "department": world.department_b.pk,
        "name": "Days to refund",
        "unit": "days",
        "direction": "lower",
        "goal": 3,
    },
    "kpiobservation": lambda world: {
        "kpi": world.get("kpi").pk,
        "week_start": date(2024, 1, 1).isoformat(),  # a Monday no observation has
        "value": 70,
    },
    "roadmap": lambda world: {"name": "Plan 2031–2035", "start_year": 2031, "end_year": 2035},
    "pillar": lambda world: {
        "roadmap": world.get("roadmap").pk,
        "name": "Serve in one call",
        "colour": "#1e7b4f",
        "order": 9,
    },
    "initiative": lambda world: {
        "pillar": world.get("pillar").pk,
        "title": "Refunds in a day",
        "department": world.department_b.pk,
        "status": "planned",
        **_initiative_dates(world),
    },
    "milestone": lambda world: {
        "initiative": world.get("initiative").pk,
        "title": "Pilot in one region",
        "due_date": world.get("initiative").end_date.isoformat(),
    },
    "dependency": lambda world: {
        "initiative": world.get("initiative").pk,
        "depends_on": world.get("spare_initiative").pk,
    },
    "expected-result": lambda world: {
        "initiative": world.get("initiative").pk,
        "metric": "nps",
        "scope": "touchpoint",
        "scope_id": world.get("touchpoint").pk,
        "baseline": 0,
        "target": 20,
        "by_date": world.get("initiative").end_date.isoformat(),
    },
    "meeting-series": lambda world: {
        "name": "Monthly billing review",
        "cadence": "weekly",
        "weekday": 2,
        "start_time": "10:00",
        "duration_minutes": 60,
    },
    "agenda-item": lambda world: {"meeting": world.get("meeting").pk, "title": "Peak season"},
    "decision": lambda world: {"meeting": world.get("meeting").pk, "text": "Hire a night agent"},
    "action-item": lambda world: {
        "title": "Call every detractor back",
        "department": world.department_b.pk,
        "due": _in_days(7),
    },
    "cx-issue": lambda world: {
        "title": "Refunds take a month",
        "department": world.department_b.pk,
    },
    "change-note": lambda world: {
        "initiative": world.get("done_initiative").pk,
        "title": "Refunds in a day",
        "you_said": "Refunds took a month",
        "we_did": "One approval instead of three",
    },
    "blocker": lambda world: {
        "title": "Refunds need three approvals",
        "department": world.department_b.slug,
    },
}

# A valid PATCH of the row the matrix changes (`row` is that row as the CCO read it).
PATCH: dict[str, Callable[[World, dict], Any]] = {
    "api-department": lambda world, row: {"description": "Owns every invoice"},
    "journey": lambda world, row: {"description": "From first bill to renewal"},
    "journeystage": lambda world, row: {"name": "Pay the first bill"},
    "touchpoint": lambda world, row: {"nps_floor": 5},
    "kpi": lambda world, row: {"goal": 90},
    "kpiobservation": lambda world, row: {"value": 72},
    "roadmap": lambda world, row: {"description": "Five years of fewer complaints"},
    "pillar": lambda world, row: {"description": "Know why they call"},
    "initiative": lambda world, row: {"progress": 60},
    "milestone": lambda world, row: {"is_key": not row["is_key"]},
    "expected-result": lambda world, row: {"target": row["target"] + 5},
    "meeting-series": lambda world, row: {"location": "Room 2"},
    "agenda-item": lambda world, row: {"notes": "Rota explained", "discussed": True},
    "action-item": lambda world, row: {
        "version": row["version"],
        "status": "in_progress",
        "note": "Started",
    },
    "cx-issue": lambda world, row: {"version": row["version"], "root_cause": "Rota gap"},
    "followup-case": lambda world, row: {"version": row["version"], "contacted": True},
}


def _offers(viewset: Any, method: str, action: str) -> bool:
    return method in getattr(viewset, "http_method_names", []) and hasattr(viewset, action)


def _api(api_for, world, persona):
    return api_for(world.people[persona])


def _results(response) -> list[dict]:
    body = response.json()
    return body["results"] if isinstance(body, dict) and "results" in body else body


def _owned_by_b(world, rows: list[dict]) -> dict | None:
    """A row of department B's when there is one (the objects the heads are tested on)."""
    for row in rows:
        if any(row.get(key) == world.department_b.pk for key in ("department", "owner_department")):
            return row
    return rows[0] if rows else None


def _detail(api_for, world, basename: str, viewset: Any) -> tuple[str, dict] | None:
    """The detail path of the row the matrix reads and changes, with the row as listed."""
    listing = api_for(world.people["cco"]).get(reverse(f"{basename}-list"))
    assert listing.status_code == 200, f"{basename}: the CCO cannot list it ({listing.status_code})"
    rows = _results(listing)
    row = _owned_by_b(world, rows) if isinstance(rows, list) else None
    if row is None:
        return None
    lookup = getattr(viewset, "lookup_field", "pk")
    return reverse(f"{basename}-detail", args=[row["id" if lookup == "pk" else lookup]]), row


def _detail_path(api_for, world, basename: str, viewset: Any) -> str | None:
    detail = _detail(api_for, world, basename, viewset)
    return detail[0] if detail else None


def _expect_read(persona: str, status: int, where: str) -> None:
    if persona == "anonymous":
        assert status == 401, f"{where}: anonymous should get 401, got {status}"
    elif persona == "outsider":
        assert status == 403, f"{where}: a person without a role should get 403, got {status}"
    else:
        assert status == 200, f"{where}: every role reads, got {status}"


def _for_everyone(personas, check) -> None:  # type: ignore[no-untyped-def]
    """Run `check(persona)` for each person and report every refusal that went wrong at once."""
    problems = []
    for persona in personas:
        try:
            check(persona)
        except AssertionError as error:
            problems.append(str(error).split("\n")[0])
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("prefix, viewset, basename", ENDPOINTS)
def test_every_role_reads_every_endpoint_and_others_are_refused(
    api_for, world, prefix, viewset, basename
):
    _for_everyone(
        PERSONAS, lambda persona: _reads(api_for, world, persona, prefix, viewset, basename)
    )


def _reads(api_for, world, persona, prefix, viewset, basename) -> None:  # type: ignore[no-untyped-def]
    if hasattr(viewset, "list"):
        path = reverse(f"{basename}-list")
        _expect_read(persona, _api(api_for, world, persona).get(path).status_code, f"GET {path}")
    if hasattr(viewset, "retrieve"):
        path = _detail_path(api_for, world, basename, viewset)
        assert path is not None, f"{prefix}: the world has none; add one in tests/security/world.py"
        _expect_read(persona, _api(api_for, world, persona).get(path).status_code, f"GET {path}")


def _expected_write(persona: str, viewset: Any, *, on_object: bool) -> str:
    """'401', '403' or 'allowed' for a write by `persona` on department B's object."""
    if persona == "anonymous":
        return "401"
    if persona == "cco":
        return "allowed"
    if persona in ("outsider", "executive", "contributor", "head_a"):
        return "403"
    # The head of B: on B's object wherever owners may change what they own.
    rule = getattr(viewset, "change_permission", "cco.manage_product")
    return "allowed" if on_object and rule in OWNER_RULES else "unspecified"


def _changed(before: dict, after: dict) -> list[str]:
    return [label for label in before if before[label] != after[label]]


def _check_write(send: Callable[[], Any], expected: str, where: str) -> Any:
    """Send the write in a world rolled back afterwards and read the database around it.

    Only a 2xx answer lets a write through, and then something must have been stored; every
    other answer must leave every table as it was.
    """
    with rolled_back():
        before = stored()
        response = send()
        changed = _changed(before, stored())
    status = response.status_code
    assert status < 500, f"{where}: server error {status}"
    succeeded = 200 <= status < 300
    if expected == "allowed":
        assert succeeded, f"{where}: expected to succeed, got {status} {_said(response)}"
    elif expected == "unspecified":
        # The rules let it through or refuse it; a valid body is never a 400.
        assert succeeded or status == 403, f"{where}: got {status} {_said(response)}"
    else:
        assert status == int(expected), f"{where}: expected {expected}, got {status}"
    if succeeded:
        assert changed, f"{where}: answered {status} but stored nothing"
    else:
        assert not changed, f"{where}: answered {status} but changed {changed}"
    return response


def _said(response: Any) -> str:
    return response.content.decode()[:300]


def test_every_endpoint_that_takes_writes_has_a_valid_body_in_the_matrix():
    missing = [
        f"{basename} ({kind})"
        for _, viewset, basename in ENDPOINTS
        for kind, offered, bodies in (
            ("create", _offers(viewset, "post", "create"), CREATE),
            ("patch", _offers(viewset, "patch", "partial_update"), PATCH),
        )
        if offered and basename not in bodies
    ]
    assert missing == [], f"give these a valid body in tests/security/test_api_matrix.py: {missing}"


@pytest.mark.parametrize("prefix, viewset, basename", ENDPOINTS)
def test_writes_to_every_endpoint_follow_the_roles(api_for, world, prefix, viewset, basename):
    _for_everyone(PERSONAS, lambda persona: _writes(api_for, world, persona, viewset, basename))


def _writes(api_for, world, persona, viewset, basename) -> None:  # type: ignore[no-untyped-def]
    api = _api(api_for, world, persona)
    if _offers(viewset, "post", "create"):
        path = reverse(f"{basename}-list")
        expected = _expected_write(persona, viewset, on_object=False)
        if persona in ("head_a", "head_b"):
            # Heads create in their own department on some endpoints (the body names B's).
            expected = "unspecified"
        rule = getattr(viewset, "create_permission", "cco.manage_product")
        if persona == "contributor" and rule in WORKER_CREATE_RULES:
            expected = "allowed"
        body = CREATE[basename](world)
        _check_write(
            lambda: api.post(path, body, format="json"), expected, f"POST {path} as {persona}"
        )
    detail = _detail(api_for, world, basename, viewset) if hasattr(viewset, "retrieve") else None
    if detail is None:
        return
    path, row = detail
    if _offers(viewset, "patch", "partial_update"):
        expected = _expected_write(persona, viewset, on_object=True)
        body = PATCH[basename](world, row)
        _check_write(
            lambda: api.patch(path, body, format="json"), expected, f"PATCH {path} as {persona}"
        )
    if _offers(viewset, "delete", "destroy"):
        _delete(api, persona, viewset, path)


def _delete(api, persona, viewset, path) -> None:  # type: ignore[no-untyped-def]
    expected = _expected_write(persona, viewset, on_object=True)
    if persona == "head_b":
        expected = "unspecified"  # some endpoints leave removing to the CCO alone
    where = f"DELETE {path} as {persona}"
    if expected in ("401", "403"):
        _check_write(lambda: api.delete(path), expected, where)
        return
    # Let through the rules, a delete still stops at dependents the product protects (409,
    # naming them, nothing removed); otherwise the row is gone.
    with rolled_back():
        before = stored()
        response = api.delete(path)
        changed = _changed(before, stored())
    status = response.status_code
    let_through = (204, 409) if expected == "allowed" else (204, 409, 403)
    assert status in let_through, f"{where}: got {status} {_said(response)}"
    assert bool(changed) is (status == 204), f"{where}: answered {status}, changed {changed}"


@pytest.mark.parametrize("prefix, viewset, basename", ENDPOINTS)
def test_extra_api_actions_refuse_people_who_change_nothing_and_let_the_cco_through(
    api_for, world, prefix, viewset, basename
):
    _for_everyone(
        ["anonymous", "outsider", "executive", "cco"],
        lambda persona: _extra_writes(api_for, world, persona, viewset, basename),
    )


def _extra_writes(api_for, world, persona, viewset, basename) -> None:  # type: ignore[no-untyped-def]
    for extra in _post_extras(viewset):
        _extra_write(_api(api_for, world, persona), world, persona, basename, extra)


def _extra_write(api, world, persona, basename, extra) -> None:  # type: ignore[no-untyped-def]
    target, body = EXTRA_WRITES[f"{basename}-{extra.url_name}"]
    args = [target(world)] if extra.detail else []
    path = reverse(f"{basename}-{extra.url_name}", args=args)
    expected = {"anonymous": "401", "cco": "allowed"}.get(persona, "403")
    if persona == "executive" and f"{basename}-{extra.url_name}" in EVERY_ROLE_EXTRAS:
        expected = "allowed"
    data = body(world)
    # A body holding a file (an import) is sent as a form, as a browser or curl -F would.
    files = isinstance(data, dict) and any(hasattr(v, "read") for v in data.values())
    fmt = "multipart" if files else "json"
    _check_write(lambda: api.post(path, data, format=fmt), expected, f"POST {path} as {persona}")


def _post_extras(viewset: Any) -> list[Any]:
    return [extra for extra in viewset.get_extra_actions() if "post" in extra.mapping]


def _response_batch(world: World) -> list[dict[str, Any]]:
    return [
        {
            "external_id": "matrix-1",
            "touchpoint": world.get("touchpoint").slug,
            "metric": "nps",
            "score": 9,
            "responded_at": _in_days(-3),
        }
    ]


def _pulse_file(world: World) -> dict[str, Any]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    text = f"department,enps,item_1\n{world.department_b.slug},9,5\n"
    return {"file": SimpleUploadedFile("pulse.csv", text.encode(), "text/csv")}


# Extra POST actions: the object they act on (detail actions) and a valid body.
EXTRA_WRITES: dict[str, tuple[Callable[[World], int], Callable[[World], Any]]] = {
    "surveyresponse-import-": (lambda world: 0, _response_batch),
    "meeting-open": (lambda world: world.get("next_meeting").pk, lambda world: {}),
    "meeting-close": (lambda world: world.get("meeting").pk, lambda world: {"summary": "Done"}),
    "meeting-attendance": (
        lambda world: world.get("meeting").pk,
        lambda world: {"person": world.people["cco"].pk, "present": True, "rating": 8},
    ),
    "followup-case-assign": (
        lambda world: world.get("followup_case").pk,
        lambda world: {"version": 1, "assignee": world.get("contributor_b").pk},
    ),
    "followup-case-raise-issue": (
        lambda world: world.get("followup_case").pk,
        lambda world: {"version": 1, "title": "Invoices confuse"},
    ),
    "pulse-round-answer": (
        lambda world: world.get("pulse_round").pk,
        lambda world: {
            "enps": 8,
            "scores": [{"item": world.get("pulse_round").items.get().pk, "score": 4}],
        },
    ),
    "pulse-round-import-answers": (lambda world: world.get("pulse_round").pk, _pulse_file),
    "blocker-voice": (lambda world: world.get("blocker").pk, lambda world: {}),
    "blocker-answer": (
        lambda world: world.get("blocker").pk,
        lambda world: {"answer": "Two approvals from Monday", "resolve": False},
    ),
    "blocker-action-item": (
        lambda world: world.get("resolved_blocker").pk,
        lambda world: {"due": _in_days(14), "title": "One approval for refunds"},
    ),
}


def test_every_extra_api_write_has_a_valid_body_in_the_matrix():
    missing = [
        f"{basename}-{extra.url_name}"
        for _, viewset, basename in ENDPOINTS
        for extra in _post_extras(viewset)
        if f"{basename}-{extra.url_name}" not in EXTRA_WRITES
    ]
    assert missing == [], f"give these a valid body in tests/security/test_api_matrix.py: {missing}"


def test_plain_api_endpoints_are_closed_to_anonymous_callers_and_people_without_a_role(
    api_for, world
):
    from django.urls import URLPattern

    patterns = [p for app in APP_APIS for p in app.urlpatterns if isinstance(p, URLPattern)]
    for pattern in [p for p in patterns if "<" not in str(p.pattern)]:
        path = reverse(pattern.name)
        assert api_for(None).get(path).status_code == 401, path
        assert api_for(world.people["outsider"]).get(path).status_code == 403, path
        assert api_for(world.people["executive"]).get(path).status_code not in REFUSED, path


def test_session_signed_in_api_writes_need_the_csrf_token(world):
    from rest_framework.test import APIClient

    api = APIClient(enforce_csrf_checks=True)
    api.force_login(world.people["cco"])
    response = api.post("/api/departments/", {"name": "Sneaky", "slug": "sneaky"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert api.get("/api/departments/").status_code == 200
    assert not world.department_a.__class__.objects.filter(slug="sneaky").exists()
