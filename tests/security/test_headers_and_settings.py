"""Production settings and response headers: secure cookies, HTTPS only, and a
Content-Security-Policy under which only our own static files run — which every page obeys."""

import functools
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.security.matrix import PAGES

ROOT = Path(__file__).resolve().parents[2]
GET_PAGES = sorted(name for name, page in PAGES.items() if page.method == "GET")


@functools.cache
def _production_settings() -> dict:
    """The settings a production start reads, from a process of its own (read once: both
    tests below ask of the same start, and a start costs seconds)."""
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({k: getattr(s, k, None) for k in ["
        "'DEBUG', 'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', "
        "'CSRF_COOKIE_HTTPONLY', 'SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', "
        "'SECURE_CONTENT_TYPE_NOSNIFF', 'X_FRAME_OPTIONS', 'SESSION_COOKIE_SAMESITE']}))"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="cco.settings",
        DEBUG="0",
        SECRET_KEY="a-long-and-random-production-secret-key-for-this-test-only",
        ALLOWED_HOSTS="cx.example.com",
    )
    for name in ("SECURE_COOKIES", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_cookies_travel_only_over_https_and_stay_out_of_scripts():
    production = _production_settings()
    assert production["DEBUG"] is False
    assert production["SESSION_COOKIE_SECURE"] is True
    assert production["CSRF_COOKIE_SECURE"] is True
    assert production["SESSION_COOKIE_HTTPONLY"] is True
    assert production["CSRF_COOKIE_HTTPONLY"] is True
    assert production["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")


def test_production_sends_everyone_to_https_and_remembers_it_for_a_year():
    production = _production_settings()
    assert production["SECURE_SSL_REDIRECT"] is True
    assert production["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert production["SECURE_CONTENT_TYPE_NOSNIFF"] is True
    assert production["X_FRAME_OPTIONS"] == "DENY"


def _directives(policy: str) -> dict[str, list[str]]:
    parts = [part.strip().split() for part in policy.split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


@pytest.mark.django_db
def test_the_content_security_policy_lets_only_our_own_files_run(client, world):
    client.force_login(world.people["executive"])
    policy = _directives(client.get(reverse("home"), follow=True)["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    # Styles allow inline rules for plotly.js's run-time chart CSS (cco/settings.py); our own
    # templates still carry no style attributes (next test).
    assert "'unsafe-eval'" not in policy.get("style-src", [])


@pytest.mark.django_db
def test_no_page_relies_on_inline_script_style_or_event_handlers_the_policy_would_block(
    client, world
):
    """A page with an inline script or style attribute breaks silently under the policy."""
    client.force_login(world.people["cco"])
    for name in GET_PAGES:
        path = reverse(name, kwargs=PAGES[name].kwargs(world))
        response = client.get(path, follow=True)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        assert "Content-Security-Policy" in response, f"{path} is served without the policy"
        html = response.content.decode()
        inline_scripts = [
            tag
            for tag in re.findall(r"<script\b[^>]*>", html)
            if "src=" not in tag and "application/json" not in tag
        ]
        assert inline_scripts == [], f"{path} has inline scripts: {inline_scripts}"
        assert not re.search(r"<[a-z][^>]*\sstyle=", html), f"{path} has a style attribute"
        assert not re.search(r"<[a-z][^>]*\son[a-z]+=", html), f"{path} has an event handler"
