"""Who may do what, page by page: the expected answer of every URL for every person.

Every URL pattern of the product (Django admin aside, which is staff-only by Django's own
machinery) must be listed in PAGES; a test fails when a new page is added without deciding who
may use it. Department-owned objects belong to department B (see world.py).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

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
PUBLIC = frozenset({"anonymous", *EVERYONE, "outsider"})


@dataclass(frozen=True)
class Page:
    method: str
    allowed: frozenset[str]
    kwargs: Callable[[World], dict[str, Any]] = lambda world: {}


def _obj(name: str, key: str = "pk", attribute: str = "pk") -> Callable[[World], dict[str, Any]]:
    return lambda world: {key: getattr(world.get(name), attribute)}


def _slug_b(world: World) -> dict[str, Any]:
    return {"slug": world.department_b.slug}


GET, POST = "GET", "POST"

PAGES: dict[str, Page] = {
    # The organisation and the overview.
    "home": Page(GET, EVERYONE),
    "overview-csv": Page(GET, EVERYONE, lambda world: {"panel": "scorecard"}),
    "department-list": Page(GET, EVERYONE),
    "department-detail": Page(GET, EVERYONE, _slug_b),
    "api-token": Page(GET, EVERYONE),
    "api-token-create": Page(POST, EVERYONE),
    "api-token-revoke": Page(POST, EVERYONE),
    "login": Page(GET, PUBLIC),
    "health": Page(GET, PUBLIC),
    # Metrics.
    "metrics:touchpoint-list": Page(GET, EVERYONE),
    "metrics:touchpoint-detail": Page(GET, EVERYONE, _obj("touchpoint", "slug", "slug")),
    "metrics:department-scorecard": Page(GET, EVERYONE, _slug_b),
    "metrics:response-upload": Page(GET, HEADS),
    "metrics:customer-upload": Page(GET, CCO),
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
    "roadmap:initiative-progress": Page(POST, OWNING_HEAD, _obj("initiative")),
    "roadmap:initiative-delete": Page(POST, CCO, _obj("initiative")),
    "roadmap:milestone-create": Page(GET, OWNING_HEAD, _obj("initiative")),
    "roadmap:milestone-edit": Page(GET, OWNING_HEAD, _obj("milestone")),
    "roadmap:milestone-done": Page(POST, OWNING_HEAD, _obj("milestone")),
    "roadmap:milestone-delete": Page(POST, CCO, _obj("milestone")),
    "roadmap:dependency-add": Page(POST, CCO, _obj("initiative")),
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
    "accountability:action-create": Page(POST, HEADS),
    "accountability:action-detail": Page(GET, EVERYONE, _obj("action_item")),
    "accountability:issue-list": Page(GET, EVERYONE),
    "accountability:issue-new": Page(GET, CCO),
    "accountability:series-new": Page(GET, CCO),
    "accountability:issue-detail": Page(GET, EVERYONE, _obj("cx_issue")),
    "accountability:series-detail": Page(GET, EVERYONE, _obj("series")),
    "accountability:calendar": Page(GET, EVERYONE),
    "accountability:meeting-run": Page(GET, CCO, _obj("meeting")),
    "accountability:meeting-open": Page(POST, CCO, _obj("meeting")),
    "accountability:meeting-close": Page(POST, CCO, _obj("meeting")),
    "accountability:meeting-minutes": Page(GET, EVERYONE, _obj("meeting")),
    "accountability:meeting-attendance": Page(
        POST,
        CCO,
        lambda world: {"pk": world.get("meeting").pk, "person_id": world.people["cco"].pk},
    ),
    "accountability:agenda-add": Page(POST, CCO, _obj("meeting")),
    "accountability:decision-add": Page(POST, CCO, _obj("meeting")),
    "accountability:meeting-action-add": Page(POST, CCO, _obj("meeting")),
    "accountability:agenda-update": Page(POST, CCO, _obj("agenda_item")),
}

# Writes on pages that also read: the same URL answers GET to everyone and POST only to these.
PAGE_WRITES: dict[str, Page] = {
    "accountability:action-detail": Page(POST, frozenset({"head_b", "cco"}), _obj("action_item")),
    "accountability:issue-detail": Page(POST, OWNING_HEAD, _obj("cx_issue")),
    "metrics:response-upload": Page(POST, HEADS),
    "metrics:customer-upload": Page(POST, CCO),
    "accountability:series-new": Page(POST, CCO),
    "roadmap:import": Page(POST, CCO),
    "roadmap:initiative-edit": Page(POST, CCO, _obj("initiative")),
}

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
