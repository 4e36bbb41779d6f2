"""Every page needs a signed-in person: a test walks every URL pattern of the product."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

# Pages a stranger must be able to reach: sign-in, the health check, the calendar feed, which
# calendar programs fetch with a secret token in the URL instead of a session, and the
# responses webhook, which survey tools call signed with the source's secret (its refusals of
# unsigned and badly signed calls are tested in tests/metrics/test_webhooks.py).
PUBLIC = {"login", "health", "logout", "calendar-feed", "metrics-webhook-responses"}
SAMPLE_VALUES = {
    "slug": "nothing-here",
    "pk": "1",
    "int": "1",
    "str": "x",
    "path": "x",
    "uuid": "00000000-0000-0000-0000-000000000000",
}


def walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            yield from walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield entry, prefix + str(entry.pattern)


def concrete_path(route: str) -> str | None:
    if "format" in route:
        return None  # the same view as the pattern without a format suffix
    route = route.replace("^", "").replace("$", "").replace("\\Z", "")
    route = re.sub(r"\(\?P<\w+>[^)]*\)", "1", route)
    route = re.sub(
        r"<(?:(\w+):)?\w+>", lambda m: SAMPLE_VALUES.get(m.group(1) or "str", "1"), route
    )
    if any(char in route for char in "()[]?*+|\\"):
        return None
    return "/" + route


def product_paths():
    paths = []
    for pattern, route in walk(get_resolver().url_patterns):
        path = concrete_path(route)
        if path is None or pattern.name in PUBLIC:
            continue
        paths.append(pytest.param(path, id=f"{pattern.name or route}"))
    return paths


@pytest.mark.django_db
@pytest.mark.parametrize("path", product_paths())
def test_an_anonymous_visitor_is_sent_to_sign_in_or_refused(client, path):
    response = client.get(path)
    if path.startswith("/api/"):
        assert response.status_code in (401, 403), path
    else:
        assert response.status_code == 302, path
        assert response["Location"].startswith("/login/"), path


def test_the_walk_covers_the_whole_product():
    paths = {param.values[0] for param in product_paths()}
    assert "/" in paths
    assert "/departments/" in paths
    assert "/api/departments/" in paths


@pytest.mark.django_db
def test_the_health_endpoint_answers_without_signing_in(client):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


@pytest.mark.django_db
def test_the_admin_asks_strangers_to_sign_in(client):
    response = client.get("/admin/")
    assert response.status_code == 302
