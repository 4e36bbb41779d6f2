"""The overview's cold load in a real browser: from navigation until every chart is drawn.

    python bench/browser.py [--loads 5] [--responses 20000]

Like bench/load.py it builds a throw-away database beside the configured one, seeds the demo
organisation and serves it with gunicorn in production mode (whitenoise serving compressed,
far-future-cached static files) on 127.0.0.1. Each load uses a fresh browser context, so
plotly.js and htmx come over the wire every time. It drives Debian's Chromium
(/usr/bin/chromium) and prints `overview_cold_load_s_p50=…` and `overview_cold_load_s_max=…`.
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
    free_port,
    prepare_demo,
    production_env,
    start_gunicorn,
    throwaway_database,
    wait_until_serving,
)

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
ALL_DRAWN = """() => {
    const charts = [...document.querySelectorAll('[data-figure]')];
    return charts.length > 0 && charts.every(chart => chart.dataset.drawn === 'true');
}"""


def cold_loads(url: str, loads: int) -> tuple[list[float], int]:
    from playwright.sync_api import sync_playwright

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
        seconds, charts = [], 0
        for _ in range(loads):
            context = browser.new_context()  # an empty cache: a cold load
            context.add_cookies(cookies)
            page = context.new_page()
            started = time.perf_counter()
            page.goto(f"{url}/")
            page.wait_for_function(ALL_DRAWN, timeout=30_000)
            seconds.append(time.perf_counter() - started)
            charts = page.locator("[data-figure]").count()
            context.close()
        browser.close()
    return seconds, charts


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
        seconds, charts = cold_loads(url, options.loads)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    print(f"overview_charts={charts}")
    print(f"overview_cold_load_s_p50={statistics.median(seconds):.2f}")
    print(f"overview_cold_load_s_max={max(seconds):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
