"""The front line's pages under load of data: the pulse list and a round's results (thousands of
anonymous answers), the blockers list (thousands of blockers and voices) and a department page
(eNPS beside customers' NPS, the relation across departments), each beside the sign-in page
measured in the same loop, so the ratio compares across days.

A throw-away database beside DATABASE_URL (PostgreSQL when it names one), the demo seeded, then
scaled up; server time through Django's test client in production settings. Prints `name=value`.
"""

import argparse
import csv
import io
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

from serve import production_env, throwaway_database

WARMUPS, REQUESTS = 3, 30


def _scale_up(blockers: int, voices_each: int, answers: int) -> dict[str, int]:
    """Blockers through the service (its service level and first voice), voices and people in
    bulk; one closed organisation-wide round holding `answers` imported answers."""
    from django.utils import timezone

    from accountability.models import BlockerVoice, PulseRound
    from accountability.services import blockers as blocker_services
    from accountability.services import pulse as pulse_services
    from cco.models import Department, Role, User

    rng = random.Random(5)  # noqa: S311 - bench data, not security
    cco = User.objects.get(role=Role.CCO, is_active=True, username="cco")
    departments = list(Department.objects.order_by("pk"))
    people = User.objects.bulk_create(
        User(username=f"voice{n}", role=Role.CONTRIBUTOR, department=departments[n % 7])
        for n in range(voices_each)
    )
    raised = [
        blocker_services.blocker_raise(
            actor=cco, title=f"Blocker {n}", department_id=departments[n % len(departments)].pk
        )
        for n in range(blockers)
    ]
    BlockerVoice.objects.bulk_create(
        BlockerVoice(blocker=blocker, person=person)
        for blocker in raised
        for person in rng.sample(people, rng.randint(0, voices_each))
    )
    today = timezone.localdate()
    round_ = pulse_services.round_create(
        title="Bench pulse",
        department=None,
        opens_on=today - timedelta(days=10),
        closes_on=today,
        items=["I have the tools", "I know what happens to feedback"],
        min_group=5,
        created_by=cco,
    )
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(pulse_services.import_columns(round_))
    for n in range(answers):
        slug = departments[n % len(departments)].slug
        writer.writerow([slug, rng.randint(0, 10), rng.randint(1, 5), rng.randint(1, 5)])
    report = pulse_services.import_answers(
        round_, io.BytesIO(text.getvalue().encode()), today=today
    )
    if report.rejected:
        sys.exit(f"the bench's pulse file was rejected: {report.summary}")
    PulseRound.objects.filter(pk=round_.pk).update(closes_on=today - timedelta(days=1))
    return {"blockers": blockers, "voices": BlockerVoice.objects.count(), "answers": answers}


def _p95(timings: list[float]) -> float:
    ordered = sorted(timings)
    return ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]


def _time_pages(pages: dict[str, str]) -> dict[str, float]:
    """Each page for the CCO, the sign-in page for no one, in one loop; p50, p95 and queries."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from cco.models import Role, User

    setup_test_environment()
    client, anonymous = Client(), Client()
    client.force_login(User.objects.get(role=Role.CCO, username="cco"))
    timings: dict[str, list[float]] = {name: [] for name in [*pages, "login"]}
    for attempt in range(WARMUPS + REQUESTS):
        for name, url in [*pages.items(), ("login", "/login/")]:
            started = time.perf_counter()
            response = (anonymous if name == "login" else client).get(url)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                sys.exit(f"GET {url} answered {response.status_code}")
            if attempt >= WARMUPS:
                timings[name].append(elapsed)
    login_p50 = statistics.median(timings["login"])
    figures = {"front_login_p50_ms": round(login_p50, 1)}
    for name, url in pages.items():
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        p50 = statistics.median(timings[name])
        figures[f"front_{name}_p50_ms"] = round(p50, 1)
        figures[f"front_{name}_p95_ms"] = round(_p95(timings[name]), 1)
        figures[f"front_{name}_queries"] = len(captured.captured_queries)
        figures[f"front_{name}_vs_login"] = round(p50 / login_p50, 1)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--blockers", type=int, default=2000)
    parser.add_argument("--voices", type=int, default=20, help="People who may voice each.")
    parser.add_argument("--answers", type=int, default=20000)
    options = parser.parse_args()
    env = production_env(throwaway_database("front"))
    env.pop("REDIS_URL", None)  # tasks in-process; the page cache is not what is measured
    os.environ.clear()
    os.environ.update(env)
    os.environ["DJANGO_SETTINGS_MODULE"] = "cco.settings"
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.core.management import call_command

    from accountability.models import PulseRound
    from cco.models import Department

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    call_command("seed_demo", "--force", verbosity=0)
    started = time.perf_counter()
    sizes = _scale_up(options.blockers, options.voices, options.answers)
    print(f"front_seed_s={time.perf_counter() - started:.1f}")
    for name, value in sizes.items():
        print(f"front_{name}={value}")
    bench_round = PulseRound.objects.get(title="Bench pulse")
    department = Department.objects.order_by("pk").first()
    assert department is not None  # noqa: S101 - the demo seeds departments
    pages = {
        "pulse_list": "/accountability/pulse/",
        "pulse_results": f"/accountability/pulse/{bench_round.pk}/results/",
        "blockers": "/accountability/blockers/",
        "department": f"/departments/{department.slug}/",
    }
    load = os.getloadavg()[0]
    for name, value in _time_pages(pages).items():
        print(f"{name}={value}")
    print(f"front_load_average={load:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
