"""The overview's cold load in a real browser: from navigation until every chart is drawn.

    python bench/browser.py [--loads 5] [--responses 20000]

Like bench/load.py it builds a throw-away database beside the configured one, seeds the demo
organisation and serves it with gunicorn in production mode (whitenoise serving compressed,
far-future-cached static files) on 127.0.0.1. Each load uses a fresh browser context, so
plotly.js and htmx come over the wire every time. It drives Debian's Chromium
(/usr/bin/chromium) and prints `name=value` lines: the sign-in page's cold load (the peer), the
overview's cold load until every chart is drawn, its warm load, a filter change until the charts
are redrawn, and each as a ratio to the peer, with the load average.
"""

import argparse
import os
import signal
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serve import (  # noqa: E402 - bench/ is a folder of scripts, not a package
    CHROMIUM,
    CHROMIUM_ARGS,
    free_port,
    prepare_demo,
    production_env,
    start_gunicorn,
    throwaway_database,
    wait_until_serving,
)

ALL_DRAWN = """() => {
    const charts = [...document.querySelectorAll('[data-figure]')];
    return charts.length > 0 && charts.every(chart => chart.dataset.drawn === 'true');
}"""


CHANGE_FILTER = """() => {
    const select = document.querySelector('form.filters select[name=journey]');
    const other = [...select.options].find(option => option.value && !option.selected);
    if (!other) return false;
    document.querySelectorAll('[data-figure]').forEach(chart => chart.dataset.stale = 'true');
    select.value = other.value;
    select.dispatchEvent(new Event('change', {bubbles: true}));
    return true;
}"""
REDRAWN = """() => {
    const charts = [...document.querySelectorAll('[data-figure]')];
    return charts.length > 0 && charts.every(c => c.dataset.drawn === 'true' && !c.dataset.stale);
}"""


def timed_loads(url: str, loads: int) -> tuple[dict[str, list[float]], int]:
    """Per load, each in a fresh context: the sign-in page (the peer: no chart, no plotly.js)
    to its load event; the overview cold to every chart drawn; the same overview again in that
    context (warm: cached files); one filter change until every chart is drawn again."""
    from playwright.sync_api import sync_playwright

    times: dict[str, list[float]] = {"login": [], "cold": [], "warm": [], "filter": []}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        signing_in = browser.new_context()
        page = signing_in.new_page()
        page.goto(f"{url}/login/")
        page.fill("#id_username", "executive")
        page.fill("#id_password", "demo")
        page.click("button[type=submit]")
        page.wait_for_url(f"{url}/")
        cookies = signing_in.cookies()
        signing_in.close()
        charts = 0
        for _ in range(loads):
            context = browser.new_context()  # an empty cache: a cold load
            page = context.new_page()
            started = time.perf_counter()
            page.goto(f"{url}/login/", wait_until="load")
            times["login"].append(time.perf_counter() - started)
            context.add_cookies(cookies)
            started = time.perf_counter()
            page.goto(f"{url}/")
            page.wait_for_function(ALL_DRAWN, timeout=30_000)
            times["cold"].append(time.perf_counter() - started)
            charts = page.locator("[data-figure]").count()
            started = time.perf_counter()
            page.goto(f"{url}/")
            page.wait_for_function(ALL_DRAWN, timeout=30_000)
            times["warm"].append(time.perf_counter() - started)
            started = time.perf_counter()
            if page.evaluate(CHANGE_FILTER):
                page.wait_for_function(REDRAWN, timeout=30_000)
                times["filter"].append(time.perf_counter() - started)
            context.close()
        browser.close()
    return times, charts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loads", type=int, default=5, help="cold loads to time")
    parser.add_argument("--responses", type=int, default=20_000, help="demo survey responses")
    options = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is missing: apt-get install chromium")
    env = production_env(throwaway_database("browser"))
    prepare_demo(env, options.responses)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_gunicorn(env, port, workers=2)
    try:
        wait_until_serving(url, server)
        times, charts = timed_loads(url, options.loads)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    login = statistics.median(times["login"])
    print(f"overview_charts={charts}")
    print(f"login_cold_load_s_p50={login:.3f}")
    for name, label in (("cold", "cold_load"), ("warm", "warm_load"), ("filter", "filter_change")):
        if times[name]:
            p50 = statistics.median(times[name])
            print(f"overview_{label}_s_p50={p50:.3f}")
            print(f"overview_{label}_s_max={max(times[name]):.3f}")
            # The ratio to the sign-in page measured in the same run: comparable across days.
            print(f"overview_{label}_vs_login={p50 / login:.2f}")
    with open("/proc/loadavg") as loadavg:
        print(f"load_average_1m={loadavg.read().split()[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
