"""Browser journeys: Debian's Chromium driven by Playwright against the live test server.

Browsers are never downloaded: the tests launch /usr/bin/chromium (`apt-get install chromium`,
which .ci/run does; CHROMIUM_PATH names another). Every test here is marked `browser`, which
skips it with a reason when Chromium is absent, so `make test` still passes on a machine without
it — and fails it on CI (tests/conftest.py).
"""

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CHROMIUM

# Playwright's sync API runs an asyncio loop in the test thread; the test's own ORM calls (making
# data, reading it back) are still plain synchronous calls, which Django would otherwise refuse.
# The switch is on only while a browser test runs: left on, it leaks into every subprocess the
# suite starts, and `manage.py check --deploy` rightly refuses to pass with it.
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "a-journey-password"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


def pytest_collection_finish(session: pytest.Session) -> None:
    # Test modules that set it at import time (to run their own browser tests) are collected
    # by now; browser tests get it back from pytest_runtest_protocol below.
    os.environ.pop(ASYNC_UNSAFE, None)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    if item.get_closest_marker("browser") is None:
        return (yield)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        return (yield)
    finally:
        os.environ.pop(ASYNC_UNSAFE, None)


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict[str, Any]:
    return {"executable_path": str(CHROMIUM), "headless": True, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args() -> dict[str, Any]:
    return {"viewport": {"width": 1366, "height": 900}, "accept_downloads": True}


@pytest.fixture
def context(
    browser_type_launch_args: dict[str, Any], browser_context_args: dict[str, Any]
) -> Iterator[Any]:
    """Chromium for this test only.

    pytest-playwright keeps one Playwright (and its asyncio loop) for the whole session; every
    later test would then run inside a live event loop and Django would refuse its ORM calls.
    Starting and stopping it per browser test costs about a second and keeps the loop, and the
    async-unsafe switch, inside the test that needs them.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**browser_type_launch_args)
        context = browser.new_context(**browser_context_args)
        try:
            yield context
        finally:
            context.close()
            browser.close()


@pytest.fixture
def page(context: Any) -> Iterator[Any]:
    """A page whose console errors (e.g. a Content-Security-Policy refusal) fail the journey."""
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []

    def on_console(message: Any) -> None:
        # Browsers ask for /favicon.ico on their own; its 404 is not the page's doing.
        if message.type == "error" and "favicon.ico" not in message.location.get("url", ""):
            errors.append(f"{message.text} ({message.location.get('url', '')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.console_errors = errors
    yield page
    page.close()


@pytest.fixture
def sign_in(live_server: Any) -> Callable[[Any, Any], None]:
    """Sign `user` in through the real login form (their password is set to PASSWORD)."""

    def go(page: Any, user: Any) -> None:
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r"^(?!.*/login/).*$"))

    return go


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[[Any], Path]:
    """Save the page as test-artifacts/<test name>.png (the journey's last page)."""

    def take(page: Any) -> Path:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{request.node.name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
