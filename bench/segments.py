"""The overview filtered by customer segment and by channel beside the unfiltered overview, in
the same run, on what the bench database holds (run `bench/run.py` first to fill it).

    python bench/segments.py [--requests N]

Rebuilds the segment roll-up (timed, every grain), then times GET / as an executive: warm
(the panel cache filled by the first request) and cold (the cache emptied before each request),
for the unfiltered page (the peer), one segment, one channel, and both. Ends with one
`name=value` line per figure, like `bench/run.py`.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))
from serve import checkpoint  # noqa: E402 - bench/ is a folder of scripts, not a package

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/cco_bench"
WARMUPS = 3


def _timed(client: object, path: str, *, requests: int, cold: bool) -> tuple[float, int]:
    """Median server time (ms) of GET `path` and the most queries one request made."""
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings, queries = [], 0
    for attempt in range(WARMUPS + requests):
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(path)  # type: ignore[attr-defined]
            elapsed = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            sys.exit(f"GET {path} answered {response.status_code}")
        if attempt >= WARMUPS:
            timings.append(elapsed)
            queries = max(queries, len(captured.captured_queries))
    return statistics.median(timings), queries


def time_segments(requests: int) -> dict[str, float]:
    """The segment rebuild's seconds, and p50 ms and queries of each filtered overview."""
    from django.test import Client
    from django.test.utils import setup_test_environment

    from cco.demo import seed_organisation
    from cco.models import Role, User
    from metrics.selectors.segments import known_segments
    from metrics.services.segments import segment_rollup_rebuild

    checkpoint()
    started = time.perf_counter()
    segment_rollup_rebuild()
    figures: dict[str, float] = {"segment_rollup_rebuild_s": time.perf_counter() - started}
    setup_test_environment()
    seed_organisation()
    executive = User.objects.filter(role=Role.EXECUTIVE).order_by("id").first()
    assert executive is not None  # noqa: S101 - seed_organisation creates executives
    client = Client()
    client.force_login(executive)
    segment = known_segments()[0]
    views = {
        "overview": "/?view=overview",
        "overview_segment": f"/?segment={segment}",
        "overview_channel": "/?channel=web",
        "overview_segment_channel": f"/?segment={segment}&channel=web",
    }
    for name, path in views.items():
        for temperature in ("warm", "cold"):
            p50, queries = _timed(client, path, requests=requests, cold=temperature == "cold")
            figures[f"{name}_{temperature}_p50_ms"] = round(p50, 1)
            figures[f"{name}_{temperature}_queries"] = queries
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = os.environ.get("DATABASE_URL") or DEFAULT_URL
    os.environ.setdefault("DEBUG", "1")
    os.environ.pop("REDIS_URL", None)  # one process: the panel cache is in memory
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cco.settings")
    import django

    django.setup()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM metrics_surveyresponse")
        responses = cursor.fetchone()[0]
    print(f"responses={responses}")
    for name, value in time_segments(args.requests).items():
        print(f"{name}={value:.3f}" if isinstance(value, float) else f"{name}={value}")


if __name__ == "__main__":
    main()
