"""A bounded load run of the response webhook: every delivery sent twice, as survey tools retry.

    python bench/webhook_load.py [--duration 20] [--floor-duration 10] [--clients 16] [--workers 2]

Builds a throw-away database beside yours (as bench/load.py does), seeds a small demo, makes a
webhook source of our JSON shape, serves the product with gunicorn in production mode on
127.0.0.1, and sends signed detractor and promoter responses from `--clients` threads for at
most 60 seconds, each delivery a second time with the same webhook-id. Prints accepted/s (first
deliveries answered 200), p50/p95 of every request's time, errors (any answer but 200, or a
second delivery not reported as a duplicate) and duplicates (responses stored more than once,
counted in the database afterwards). Exits non-zero on any error or duplicate.

Before it, the same clients send the same requests with a wrong signature for
`--floor-duration` seconds: the 401 path reads the body, finds the source and checks the
signature but writes nothing, so its requests/s and p95 are this machine's floor at this
moment (through gunicorn, Django's middleware and the client threads on the same cores). The
ratios to it (and the load average) let a run on a busy machine be read.
"""

import argparse
import http.client
import json
import os
import signal
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serve import (  # noqa: E402 - bench/ is a folder of scripts, not a package
    free_port,
    manage,
    prepare_demo,
    production_env,
    start_gunicorn,
    throwaway_database,
    wait_until_serving,
)
from standardwebhooks.webhooks import Webhook  # noqa: E402

MAX_SECONDS = 60
WRONG_SECRET = "whsec_" + "A" * 43 + "="  # not the source's: every request is refused
SOURCE = "load"
MAKE_SOURCE = (
    "from metrics.services.webhooks import webhook_source_create;"
    f"print(webhook_source_create(slug='{SOURCE}', name='Load', shape='native')[1])"
)
COUNT_STORED = (
    "from metrics.models import SurveyResponse as R; from django.db.models import Count;"
    f"q = R.objects.filter(source='webhook:{SOURCE}');"
    "print(q.count(), q.values('external_id').annotate(n=Count('pk')).filter(n__gt=1).count())"
)


class Tally:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.accepted = 0
        self.sent = 0
        self.errors: list[str] = []
        self.milliseconds: list[float] = []


def signed_delivery(signer: Webhook, touchpoint: str, number: int, sequence: int):  # type: ignore[no-untyped-def]
    delivery = f"c{number}-{sequence}"
    body = json.dumps(
        {
            "external_id": delivery,
            "touchpoint": touchpoint,
            "metric": "nps",
            "score": (number + sequence) % 11,
            "responded_at": datetime.now(tz=UTC).isoformat(),
            "customer_id": f"L{number:03d}{sequence % 50:03d}",
        }
    )
    at = datetime.now(tz=UTC)
    headers = {
        "Content-Type": "application/json",
        "webhook-id": delivery,
        "webhook-timestamp": str(int(at.timestamp())),
        "webhook-signature": signer.sign(delivery, at, body),
    }
    return delivery, body, headers


def _post(connection: http.client.HTTPConnection, body: str, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    """One delivery: (status, answer, milliseconds as the client saw them)."""
    started = time.perf_counter()
    connection.request("POST", f"/api/webhooks/responses/{SOURCE}/", body, headers)
    response = connection.getresponse()
    answer = response.read()
    return response.status, answer, (time.perf_counter() - started) * 1000


def client(port: int, secret: str, touchpoint: str, until: float, number: int, tally: Tally):  # type: ignore[no-untyped-def]
    signer = Webhook(secret)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    sequence = 0
    while time.monotonic() < until:
        sequence += 1
        delivery, body, headers = signed_delivery(signer, touchpoint, number, sequence)
        for attempt in (1, 2):
            status, answer, elapsed = _post(connection, body, headers)
            with tally.lock:
                tally.sent += 1
                tally.milliseconds.append(elapsed)
                if status != 200:
                    tally.errors.append(f"{status} {answer[:200]!r}")
                    continue
                duplicate = json.loads(answer)["duplicate"]
                if attempt == 1 and not duplicate:
                    tally.accepted += 1
                elif attempt == 2 and not duplicate:
                    tally.errors.append(f"{delivery}: the second delivery was stored again")
    connection.close()


def floor_client(port: int, touchpoint: str, until: float, number: int, tally: Tally):  # type: ignore[no-untyped-def]
    """The same requests signed with another secret: answered 401, nothing written."""
    signer = Webhook(WRONG_SECRET)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    sequence = 0
    while time.monotonic() < until:
        sequence += 1
        _, body, headers = signed_delivery(signer, touchpoint, number, sequence)
        status, answer, elapsed = _post(connection, body, headers)
        with tally.lock:
            tally.sent += 1
            tally.milliseconds.append(elapsed)
            if status != 401:
                tally.errors.append(f"floor: {status} {answer[:200]!r}")
    connection.close()


def run_clients(target, arguments, tally: Tally, clients: int, seconds: int) -> float:  # type: ignore[no-untyped-def]
    """Run `clients` threads of `target(*arguments, until, number, tally)`; return the seconds."""
    started = time.monotonic()
    until = started + seconds
    threads = [
        threading.Thread(target=target, args=(*arguments, until, n, tally)) for n in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=20, help="seconds of load, at most 60")
    parser.add_argument(
        "--floor-duration", type=int, default=10, help="seconds of the 401 floor before it"
    )
    parser.add_argument("--clients", type=int, default=16, help="concurrent sending threads")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--responses", type=int, default=2_000, help="demo survey responses")
    options = parser.parse_args()
    if not 1 <= options.duration + options.floor_duration <= MAX_SECONDS:
        parser.error(f"--duration and --floor-duration must add up to at most {MAX_SECONDS} s")

    env = production_env(throwaway_database("webhook_load"))
    prepare_demo(env, options.responses)
    seed_env = {key: value for key, value in env.items() if key != "REDIS_URL"}
    secret = manage(seed_env, "shell", "-c", MAKE_SOURCE).strip().splitlines()[-1]
    touchpoint = (
        manage(
            seed_env,
            "shell",
            "-c",
            "from metrics.models import Touchpoint; print(Touchpoint.objects.first().slug)",
        )
        .strip()
        .splitlines()[-1]
    )
    port = free_port()
    server = start_gunicorn(env, port, options.workers)
    floor, tally = Tally(), Tally()
    try:
        wait_until_serving(f"http://127.0.0.1:{port}", server, seconds=120)
        floor_seconds = 0.0
        if options.floor_duration:
            floor_seconds = run_clients(
                floor_client, (port, touchpoint), floor, options.clients, options.floor_duration
            )
        load = os.getloadavg()[0]
        seconds = run_clients(
            client, (port, secret, touchpoint), tally, options.clients, options.duration
        )
        load = max(load, os.getloadavg()[0])
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    counted = manage(seed_env, "shell", "-c", COUNT_STORED).strip().splitlines()[-1]
    stored, stored_twice = (int(n) for n in counted.split())
    requests_per_s = tally.sent / seconds
    p95 = percentile(tally.milliseconds, 0.95)
    print(f"webhook_clients={options.clients}")
    print(f"webhook_load_average={load:.2f}")
    print(f"webhook_seconds={seconds:.1f}")
    print(f"webhook_requests={tally.sent}")
    print(f"webhook_requests_per_s={requests_per_s:.1f}")
    print(f"webhook_accepted={tally.accepted}")
    print(f"webhook_accepted_per_s={tally.accepted / seconds:.1f}")
    print(f"webhook_p50_ms={percentile(tally.milliseconds, 0.50):.1f}")
    print(f"webhook_p95_ms={p95:.1f}")
    if floor.sent:
        floor_per_s = floor.sent / floor_seconds
        floor_p95 = percentile(floor.milliseconds, 0.95)
        print(f"webhook_floor_requests_per_s={floor_per_s:.1f}")
        print(f"webhook_floor_p50_ms={percentile(floor.milliseconds, 0.50):.1f}")
        print(f"webhook_floor_p95_ms={floor_p95:.1f}")
        # Requests answered (accepted and replays) per request of the floor's: 1.0 would be
        # storing for free; the p95 ratio is how much longer the slowest twentieth takes.
        print(f"webhook_requests_per_s_to_floor={requests_per_s / floor_per_s:.2f}")
        print(f"webhook_p95_to_floor={p95 / floor_p95:.2f}" if floor_p95 else "")
    print(f"webhook_errors={len(tally.errors) + len(floor.errors)}")
    print(f"webhook_stored={stored}")
    print(f"webhook_duplicates={stored_twice + max(0, stored - tally.accepted)}")
    for error in (tally.errors + floor.errors)[:5]:
        print(f"  error: {error}")
    failed = tally.errors or floor.errors or stored_twice or stored != tally.accepted
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
