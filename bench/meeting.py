"""The CCO's meeting page with a long agenda: its size, its server time and its time to
interactive in a real browser, beside the login page measured the same way in the same run.

    python bench/meeting.py [--items 60] [--requests 30] [--loads 5] [--responses 5000]

Like bench/browser.py it builds a throw-away database beside the configured one (PostgreSQL
when DATABASE_URL names it), seeds the demo organisation, opens the demo's scheduled meeting and
gives it `--items` agenda items (accountability.demo.long_agenda: every department, half of
them late action items, ten in the parking lot), then serves it with gunicorn in production
mode on 127.0.0.1.

- bytes: the HTML of the opened meeting page as the CCO gets it;
- server time: wall time of a GET on loopback (keep-alive off, after warm-up requests), p50
  and p95, for the meeting page and for the login page;
- time to interactive: a fresh browser context per load (nothing cached) from navigation until
  the page's scripts have run (htmx loaded, the meeting clock ticking), p50; the login page
  until its load event.

It ends with one `name=value` line per figure.
"""

import argparse
import os
import signal
import statistics
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serve import (  # noqa: E402 - bench/ is a folder of scripts, not a package
    CHROMIUM,
    CHROMIUM_ARGS,
    free_port,
    manage,
    prepare_demo,
    production_env,
    start_gunicorn,
    throwaway_database,
    wait_until_serving,
)

WARMUPS = 3
INTERACTIVE = "() => window.htmx !== undefined && document.documentElement.dataset.meetingReady"

LONG_AGENDA = """
from accountability import services
from accountability.demo import long_agenda
from accountability.models import AgendaItem, Meeting, MeetingStatus
from cco.models import User
cco = User.objects.get(username="cco")
meeting = Meeting.objects.filter(status=MeetingStatus.SCHEDULED).order_by("scheduled_at").first()
services.meeting_open(meeting_id=meeting.pk, actor=cco)
AgendaItem.objects.filter(meeting=meeting).delete()
long_agenda(meeting=meeting, actor=cco, items={items}, parked=10)
print(meeting.pk)
"""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed_gets(url: str, cookie: str, requests: int) -> tuple[list[float], int]:
    """Wall times in ms of `requests` GETs after WARMUPS, and the size of the last body."""
    seconds, size = [], 0
    for index in range(WARMUPS + requests):
        request = urllib.request.Request(url, headers={"Cookie": cookie})  # noqa: S310
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            body = response.read()
            if response.status != 200:
                sys.exit(f"{url} answered {response.status}")
        if index >= WARMUPS:
            seconds.append((time.perf_counter() - started) * 1000)
        size = len(body)
    return seconds, size


def browser_loads(url: str, meeting_path: str, loads: int) -> tuple[list[float], list[float], str]:
    """Time to interactive of the meeting page and to the load event of the login page, each in
    a fresh context; and the session cookie of the signed-in CCO for the server timings."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        signing_in = browser.new_context()
        page = signing_in.new_page()
        page.goto(f"{url}/login/")
        page.fill("#id_username", "cco")
        page.fill("#id_password", "demo")
        page.click("button[type=submit]")
        page.wait_for_url(lambda address: "/login/" not in address)
        cookies = signing_in.cookies()
        signing_in.close()
        meeting, login = [], []
        for _ in range(loads):
            context = browser.new_context(viewport={"width": 1280, "height": 720})
            context.add_cookies(cookies)
            page = context.new_page()
            started = time.perf_counter()
            page.goto(f"{url}{meeting_path}", wait_until="commit")
            page.wait_for_function(INTERACTIVE, timeout=30_000)
            meeting.append(time.perf_counter() - started)
            context.close()
            context = browser.new_context(viewport={"width": 1280, "height": 720})
            page = context.new_page()
            started = time.perf_counter()
            page.goto(f"{url}/login/", wait_until="load")
            login.append(time.perf_counter() - started)
            context.close()
        browser.close()
    cookie = "; ".join(f"{c['name']}={c['value']}" for c in cookies)
    return meeting, login, cookie


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=60, help="agenda items")
    parser.add_argument("--requests", type=int, default=30, help="timed server requests")
    parser.add_argument("--loads", type=int, default=5, help="cold browser loads to time")
    parser.add_argument("--responses", type=int, default=5_000, help="demo survey responses")
    options = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is missing: apt-get install chromium")
    env = production_env(throwaway_database("meeting"))
    prepare_demo(env, options.responses)
    seed_env = {key: value for key, value in env.items() if key != "REDIS_URL"}
    output = manage(seed_env, "shell", "-c", LONG_AGENDA.format(items=options.items))
    meeting_path = f"/accountability/meetings/{output.strip().splitlines()[-1]}/"
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_gunicorn(env, port, workers=2)
    try:
        wait_until_serving(url, server)
        interactive, login_load, cookie = browser_loads(url, meeting_path, options.loads)
        meeting_ms, meeting_bytes = timed_gets(f"{url}{meeting_path}", cookie, options.requests)
        login_ms, login_bytes = timed_gets(f"{url}/login/", "", options.requests)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    meeting_p50, login_p50 = statistics.median(meeting_ms), statistics.median(login_ms)
    print(f"meeting_agenda_items={options.items}")
    print(f"meeting_page_bytes={meeting_bytes}")
    print(f"meeting_server_ms_p50={meeting_p50:.1f}")
    print(f"meeting_server_ms_p95={percentile(meeting_ms, 0.95):.1f}")
    print(f"meeting_interactive_s_p50={statistics.median(interactive):.2f}")
    print(f"login_page_bytes={login_bytes}")
    print(f"login_server_ms_p50={login_p50:.1f}")
    print(f"login_load_s_p50={statistics.median(login_load):.2f}")
    print(f"meeting_over_login_server_ratio={meeting_p50 / login_p50:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
