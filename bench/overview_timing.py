"""The executive overview's server time, warm and cold, beside its peers, and the follow-up
cases filed outside the ingest's time (`bench/run.py`)."""

import statistics
import sys
import time

OVERVIEW_WARMUPS, OVERVIEW_REQUESTS = 3, 30
# Above any response id: the import's own follow-up run finds nothing newer and files nothing.
HOLD_MARK = 2**62


def hold_followups() -> None:
    """Move the follow-up watermark past every response id, so the import (which runs the
    follow-up task in its own process when there is no broker) files nothing."""
    from accountability.models import FollowupWatermark

    FollowupWatermark.objects.update_or_create(pk=1, defaults={"last_response_id": HOLD_MARK})


def file_followups() -> tuple[float, int]:
    """Seconds to file the follow-up cases of every response stored (the task a broker would
    run after the import), and how many cases are open after it."""
    from accountability.models import FollowupCase, FollowupStatus, FollowupWatermark
    from accountability.services.followups import followup_cases_open

    FollowupWatermark.objects.filter(pk=1).update(last_response_id=0)
    started = time.perf_counter()
    followup_cases_open()
    seconds = time.perf_counter() - started
    return seconds, FollowupCase.objects.exclude(status=FollowupStatus.CLOSED).count()


def _p95(timings: list[float]) -> float:
    ordered = sorted(timings)
    return ordered[min(len(ordered) - 1, round(0.95 * len(ordered)) - 1)]


def time_overview() -> tuple[float, float, int]:
    """Median and p95 server time (ms) of GET / for an executive, and its query count."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from cco.demo import seed_organisation
    from cco.models import Role, User

    setup_test_environment()  # the test Client's host name, in-memory e-mail
    seed_organisation()  # departments, heads and executives; the bench's own touch points stay
    executive = User.objects.filter(role=Role.EXECUTIVE).order_by("id").first()
    assert executive is not None  # noqa: S101 - seed_organisation creates executives
    client = Client()
    client.force_login(executive)
    timings, queries = [], 0
    for attempt in range(OVERVIEW_WARMUPS + OVERVIEW_REQUESTS):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get("/")
            elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            sys.exit(f"GET / answered {response.status_code} for the executive")
        if attempt >= OVERVIEW_WARMUPS:
            timings.append(elapsed)
            queries = max(queries, len(captured.captured_queries))
    return statistics.median(timings), _p95(timings), queries


def time_overview_cold_and_peer() -> dict[str, float]:
    """The overview with its panel cache emptied before each request (cold), in the same loop
    as its peers: the sign-in page (no roll-up read) and a bare `SELECT 1` (the database's
    round trip), so ratios compare across days. The cold request's queries are counted in a
    separate request after the timed ones (counting them costs time)."""
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from cco.models import Role, User

    executive = User.objects.filter(role=Role.EXECUTIVE).order_by("id").first()
    client, anonymous = Client(), Client()
    client.force_login(executive)
    cold, login, floor = [], [], []
    for attempt in range(OVERVIEW_WARMUPS + OVERVIEW_REQUESTS):
        cache.clear()
        started = time.perf_counter()
        client.get("/")
        elapsed = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        anonymous.get("/login/")
        login_ms = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        floor_ms = (time.perf_counter() - started) * 1000
        if attempt >= OVERVIEW_WARMUPS:
            cold.append(elapsed)
            login.append(login_ms)
            floor.append(floor_ms)
    cache.clear()
    with CaptureQueriesContext(connection) as captured:
        client.get("/")
    cold_p50, login_p50 = statistics.median(cold), statistics.median(login)
    first_view = _time_first_views(client, anonymous)
    return {
        "overview_cold_p50_ms": round(cold_p50, 1),
        "overview_cold_p95_ms": round(_p95(cold), 1),
        "overview_cold_queries": len(captured.captured_queries),
        "login_p50_ms": round(login_p50, 1),
        "select1_p50_ms": round(statistics.median(floor), 2),
        "overview_cold_vs_login": round(cold_p50 / login_p50, 1),
        **first_view,
    }


def first_view_urls() -> list[str]:
    """One filter changed from the default view: each journey, department, channel, period
    and grain in turn, as an executive moves through the filters."""
    from cco.models import Department
    from metrics.models import Channel, Journey
    from overview.filters import GRAIN_CHOICES, PERIOD_CHOICES

    return [
        *(f"/?journey={slug}" for slug in Journey.objects.values_list("slug", flat=True)),
        *(f"/?department={slug}" for slug in Department.objects.values_list("slug", flat=True)),
        *(f"/?channel={value}" for value in Channel.values),
        *(f"/?period={value}" for value, _ in PERIOD_CHOICES if value not in ("custom", "90d")),
        *(f"/?grain={value}" for value, _ in GRAIN_CHOICES if value != "week"),
    ]


def _time_first_views(client, anonymous) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """The first view of a filter after the data moved: the roll-up version moves on (as a
    roll-up moves it), the warm task runs (untimed, as the Celery worker runs it after every
    roll-up), then a view not asked for since is timed — its panels computed and rendered —
    beside the sign-in page in the same loop."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from metrics.models import RollupWatermark
    from overview.panels import warm_default_panels

    urls = first_view_urls()
    timings, login = [], []
    for attempt in range(OVERVIEW_WARMUPS + OVERVIEW_REQUESTS):
        RollupWatermark.objects.filter(pk=1).update(updated_at=timezone.now())
        warm_default_panels()
        url = urls[attempt % len(urls)]
        started = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            sys.exit(f"GET {url} answered {response.status_code} for the executive")
        started = time.perf_counter()
        anonymous.get("/login/")
        login_ms = (time.perf_counter() - started) * 1000
        if attempt >= OVERVIEW_WARMUPS:
            timings.append(elapsed)
            login.append(login_ms)
    RollupWatermark.objects.filter(pk=1).update(updated_at=timezone.now())
    warm_default_panels()
    with CaptureQueriesContext(connection) as captured:
        client.get(urls[0])
    p50, login_p50 = statistics.median(timings), statistics.median(login)
    return {
        "overview_first_view_p50_ms": round(p50, 1),
        "overview_first_view_p95_ms": round(_p95(timings), 1),
        "overview_first_view_queries": len(captured.captured_queries),
        "overview_first_view_login_p50_ms": round(login_p50, 1),
        "overview_first_view_vs_login": round(p50 / login_p50, 1),
    }
