"""Every API endpoint for every person, by token: reads for every role, writes by the rules.

Walks the router, so an endpoint added later is covered without editing this file. The rules
checked hold for every endpoint whatever it serves: anonymous callers get 401; a person
without a role, and an executive on any write, get 403; the head of department A and a
contributor of A get 403 changing department B's objects; the CCO is let through; the head of
B is let through on B's objects wherever the endpoint lets owners change what they own.
"""

from typing import Any

import pytest
from django.urls import reverse

from cco.api_urls import APP_APIS, router
from tests.security.matrix import PERSONAS

pytestmark = pytest.mark.django_db

REFUSED = (401, 403, 404, 405)
# Rules that let the owning department's head change an object.
OWNER_RULES = {"cco.change_owned", "cco.update_action_item"}
ENDPOINTS = sorted(
    (prefix, viewset, basename or router.get_default_basename(viewset))
    for prefix, viewset, basename in router.registry
)


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


def _detail_path(api_for, world, basename: str, viewset: Any) -> str | None:
    listing = api_for(world.people["cco"]).get(reverse(f"{basename}-list"))
    assert listing.status_code == 200, f"{basename}: the CCO cannot list it ({listing.status_code})"
    rows = _results(listing)
    row = _owned_by_b(world, rows) if isinstance(rows, list) else None
    if row is None:
        return None
    lookup = getattr(viewset, "lookup_field", "pk")
    return reverse(f"{basename}-detail", args=[row["id" if lookup == "pk" else lookup]])


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


def _check_write(response, expected: str, where: str) -> None:
    status = response.status_code
    assert status < 500, f"{where}: server error {status}"
    if expected == "allowed":
        assert status not in REFUSED, f"{where}: expected to be let through, got {status}"
    elif expected != "unspecified":
        assert status == int(expected), f"{where}: expected {expected}, got {status}"


@pytest.mark.parametrize("prefix, viewset, basename", ENDPOINTS)
def test_writes_to_every_endpoint_follow_the_roles(api_for, world, prefix, viewset, basename):
    _for_everyone(PERSONAS, lambda persona: _writes(api_for, world, persona, viewset, basename))


def _writes(api_for, world, persona, viewset, basename) -> None:  # type: ignore[no-untyped-def]
    api = _api(api_for, world, persona)
    if _offers(viewset, "post", "create"):
        path = reverse(f"{basename}-list")
        expected = _expected_write(persona, viewset, on_object=False)
        if persona in ("head_a", "head_b"):
            # Heads create in their own department on some endpoints: an empty body is then a
            # validation error, and the department check comes with a real one.
            expected = "unspecified"
        _check_write(api.post(path, {}, format="json"), expected, f"POST {path} as {persona}")
    detail = (
        _detail_path(api_for, world, basename, viewset) if hasattr(viewset, "retrieve") else None
    )
    if detail is None:
        return
    if _offers(viewset, "patch", "partial_update"):
        expected = _expected_write(persona, viewset, on_object=True)
        _check_write(api.patch(detail, {}, format="json"), expected, f"PATCH {detail} as {persona}")
    if _offers(viewset, "delete", "destroy"):
        expected = _expected_write(persona, viewset, on_object=True)
        if expected in ("401", "403"):
            _check_write(api.delete(detail), expected, f"DELETE {detail} as {persona}")
            still_there = api_for(world.people["cco"]).get(detail).status_code
            assert still_there == 200, f"DELETE {detail} as {persona} was refused but deleted it"


@pytest.mark.parametrize("prefix, viewset, basename", ENDPOINTS)
def test_extra_api_actions_refuse_writes_from_people_who_change_nothing(
    api_for, world, prefix, viewset, basename
):
    _for_everyone(
        ["anonymous", "outsider", "executive"],
        lambda persona: _extra_writes(api_for, world, persona, viewset, basename),
    )


def _extra_writes(api_for, world, persona, viewset, basename) -> None:  # type: ignore[no-untyped-def]
    api = _api(api_for, world, persona)
    for extra in viewset.get_extra_actions():
        if "post" not in extra.mapping or extra.detail:
            continue
        path = reverse(f"{basename}-{extra.url_name}")
        status = api.post(path, {}, format="json").status_code
        expected = 401 if persona == "anonymous" else 403
        assert status == expected, f"POST {path} as {persona}: expected {expected}, got {status}"


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
