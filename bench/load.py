"""A bounded load run: the overview page and the action-item API under concurrent users.

Each simulated user sends its next request almost at once (0–0.1 s), so requests/s measures
what the server sustains with that many clients, not how long the users think.

    python bench/load.py [--duration 30] [--users 10] [--responses 20000]

It never touches your own database: it builds a throw-away one beside it (PostgreSQL when
DATABASE_URL names a server, `<name>_load`; otherwise bench/data/load.sqlite3), migrates it,
seeds the demo organisation, rolls the responses up, serves it with gunicorn in production
mode on 127.0.0.1 only, and runs locust headless against it for at most 60 seconds. It prints
`load_rps=…`, `load_p95_ms=…` and `load_failures=…` lines and exits non-zero on any failed
request.

locust patches the standard library with gevent the moment it is imported, so the user classes
are defined only when locust itself loads this file (`__name__ != "__main__"`); the driver
below never imports locust.
"""

import argparse
import csv
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serve import (  # noqa: E402 - bench/ is a folder of scripts, not a package
    BIN,
    ROOT,
    free_port,
    manage,
    prepare_demo,
    production_env,
    start_gunicorn,
    throwaway_database,
    wait_until_serving,
)

MAX_SECONDS = 60
OVERVIEW = "/"
ACTION_ITEMS_API = "/api/action-items/"
LOGIN = os.environ.get("LOAD_LOGIN", "cco")
PASSWORD = os.environ.get("LOAD_PASSWORD", "demo")  # the demo organisation's password


if __name__ != "__main__":  # loaded by locust
    from locust import HttpUser, between, task

    class Executive(HttpUser):
        """Reads the overview in a browser: signs in through the form once, then browses."""

        weight = 1
        wait_time = between(0.0, 0.1)

        def on_start(self) -> None:
            self.client.get("/login/", name="login form")
            token = self.client.cookies.get("csrftoken", "")
            response = self.client.post(
                "/login/",
                {"username": LOGIN, "password": PASSWORD, "csrfmiddlewaretoken": token},
                headers={"Referer": f"{self.host}/login/"},
                name="login",
                allow_redirects=False,
            )
            if response.status_code != 302:
                raise RuntimeError(f"signing in as {LOGIN} failed: HTTP {response.status_code}")

        @task
        def overview(self) -> None:
            self.client.get(OVERVIEW, name="overview")

    class ApiClient(HttpUser):
        """A program reading action items with a token."""

        weight = 1
        wait_time = between(0.0, 0.1)

        def on_start(self) -> None:
            self.client.headers["Authorization"] = f"Token {os.environ['LOAD_TOKEN']}"

        @task(3)
        def action_items(self) -> None:
            self.client.get(ACTION_ITEMS_API, name="action-item list")

        @task(1)
        def overdue_action_items(self) -> None:
            self.client.get(f"{ACTION_ITEMS_API}?page=2", name="action-item list, page 2")


ISSUE_KEY_SCRIPT = """
from cco.models import User
from cco.tokens import api_token_issue
print(api_token_issue(person=User.objects.get(username="{login}"))[1])
"""


def read_stats(prefix: Path) -> list[dict[str, str]]:
    with open(f"{prefix}_stats.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=30, help="seconds of load, at most 60")
    parser.add_argument("--users", type=int, default=10, help="concurrent simulated users")
    parser.add_argument("--responses", type=int, default=20_000, help="demo survey responses")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    options = parser.parse_args()
    if not 1 <= options.duration <= MAX_SECONDS:
        parser.error(f"--duration must be between 1 and {MAX_SECONDS} seconds")

    env = production_env(throwaway_database("load"))
    started = time.monotonic()
    # Seeding runs its roll-ups in-process; the server keeps Redis (cache, broker) when given.
    prepare_demo(env, options.responses)
    seed_env = {key: value for key, value in env.items() if key != "REDIS_URL"}
    # Tokens are stored as digests: the key exists only in what issuing it returns.
    token = (
        manage(seed_env, "shell", "-c", ISSUE_KEY_SCRIPT.format(login=LOGIN))
        .strip()
        .splitlines()[-1]
    )
    print(f"load_setup_s={time.monotonic() - started:.1f}")

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_gunicorn(env, port, options.workers)
    try:
        wait_until_serving(url, server)
        with tempfile.TemporaryDirectory() as folder:
            prefix = Path(folder) / "load"
            run = subprocess.run(
                [
                    str(BIN / "locust"),
                    "-f",
                    __file__,
                    "--headless",
                    "--host",
                    url,
                    "--users",
                    str(options.users),
                    "--spawn-rate",
                    str(options.users),
                    "--run-time",
                    f"{options.duration}s",
                    "--stop-timeout",
                    "5",
                    "--csv",
                    str(prefix),
                    "--only-summary",
                    "--loglevel",
                    "WARNING",
                ],
                cwd=ROOT,
                env={**env, "LOAD_TOKEN": token},
                timeout=MAX_SECONDS + 60,
                check=False,
            )
            rows = read_stats(prefix)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "all requests"
        print(
            f"  {name:28} {int(row['Request Count']):6d} requests "
            f"{float(row['Requests/s']):7.1f}/s  p50 {row['50%']} ms  p95 {row['95%']} ms  "
            f"failures {row['Failure Count']}"
        )
    total = next(row for row in rows if row["Name"] == "Aggregated")
    failures = int(total["Failure Count"])
    print(f"load_users={options.users}")
    print(f"load_seconds={options.duration}")
    print(f"load_requests={total['Request Count']}")
    print(f"load_rps={float(total['Requests/s']):.1f}")
    print(f"load_p95_ms={total['95%']}")
    print(f"load_failures={failures}")
    if failures or run.returncode not in (0, 1):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
