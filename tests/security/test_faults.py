"""Faults the product must survive: a worker killed mid-task, the broker gone during an ingest,
and twenty people saving the same action item at once."""

import importlib.util
import io
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection, connections
from django.urls import reverse
from kombu.exceptions import OperationalError as BrokerUnavailable

from tests.conftest import requires_postgres, requires_redis

ROOT = Path(__file__).resolve().parents[2]


# --- A worker killed in the middle of rollup_rebuild --------------------------------------


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(child) for child in text.split()]


@pytest.fixture
def prefork_worker(transactional_db):  # type: ignore[no-untyped-def]
    """A real worker with one pool process: killing that process is a worker lost mid-task."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@"
        f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
    }
    celery = shutil.which("celery", path=str(Path(sys.executable).parent)) or "celery"
    process = subprocess.Popen(
        [
            celery,
            "-A",
            "cco",
            "worker",
            "--pool=prefork",
            "--concurrency=1",
            "--loglevel=WARNING",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
    )
    from cco.celery import app

    app.conf.task_always_eager = False
    try:
        deadline = time.monotonic() + 30
        while not app.control.ping(timeout=0.5):
            assert process.poll() is None, "the Celery worker exited at start-up"
            assert time.monotonic() < deadline, "the Celery worker did not answer within 30 s"
        yield process
    finally:
        app.conf.task_always_eager = True
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def _many_responses(count: int) -> None:
    from tests.metrics.factories import TouchpointFactory

    touchpoints = [TouchpointFactory().pk for _ in range(6)]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO metrics_surveyresponse (touchpoint_id, metric, score, responded_at,
                source, external_id, customer_id, segment, comment, received_at)
            SELECT (%s::bigint[])[1 + g %% 6],
                   (ARRAY['nps', 'csat', 'ces'])[1 + g %% 3],
                   CASE g %% 3 WHEN 0 THEN g %% 11 WHEN 1 THEN 1 + g %% 5 ELSE 1 + g %% 7 END,
                   now() - (g %% 730) * interval '1 day' - (g %% 1440) * interval '1 minute',
                   'fault', 'f' || g, '', '', '', now()
            FROM generate_series(1, %s) AS g
            """,
            [touchpoints, count],
        )


def _rebuild_is_running() -> bool:
    from metrics.services.rollups import ROLLUP_LOCK_KEY

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid = %s",
            [ROLLUP_LOCK_KEY],
        )
        return cursor.fetchone()[0] > 0


def _reader_holding_rollups():  # type: ignore[no-untyped-def]
    """A second connection in a transaction that has read the roll-up table (and so holds it)."""
    import psycopg2

    db = connection.settings_dict
    reader = psycopg2.connect(
        dbname=db["NAME"],
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
    )
    with reader.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM metrics_rollup")
    return reader


def _rebuild_waits_for_rollups() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_locks WHERE NOT granted "
            "AND relation = 'metrics_rollup'::regclass"
        )
        return cursor.fetchone()[0] > 0


def _brute_force() -> dict[tuple, tuple[int, int, int]]:
    """(metric, touch point, local day) → (n, sum, sum of squares), straight from raw rows."""
    from metrics.models import SurveyResponse

    tz = ZoneInfo(settings.TIME_ZONE)
    sums: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    rows = SurveyResponse.objects.values_list("metric", "touchpoint_id", "responded_at", "score")
    for metric, touchpoint, at, score in rows.iterator(chunk_size=10_000):
        cell = sums[(metric, touchpoint, at.astimezone(tz).date())]
        cell[0] += 1
        cell[1] += score
        cell[2] += score * score
    return {key: (n, total, squares) for key, (n, total, squares) in sums.items()}


@requires_postgres
@requires_redis
def test_a_worker_killed_mid_rebuild_leaves_nothing_half_done_and_the_retry_is_exact(
    prefork_worker,
):
    from metrics.models import Grain, Metric, Rollup, Scope
    from metrics.tasks import rollup_rebuild_task

    _many_responses(400_000)
    # A reader holds the roll-up table open, so the rebuild stops where it would swap its rows
    # in: after its scan, with the lock held. Killing it there does not depend on its speed.
    reader = _reader_holding_rollups()
    try:
        result = rollup_rebuild_task.delay()
        deadline = time.monotonic() + 60
        while not _rebuild_waits_for_rollups():
            assert time.monotonic() < deadline, "the rebuild never reached its swap"
            time.sleep(0.05)
        assert _rebuild_is_running()
        pool = _children(prefork_worker.pid)
        assert pool, "the worker has no pool process to kill"
        for pid in pool:
            os.kill(pid, signal.SIGKILL)
    finally:
        reader.rollback()
        reader.close()
    # The killed transaction is rolled back: no half-written roll-up is ever visible.
    assert Rollup.objects.count() == 0 or _rebuild_is_running()

    result.get(timeout=240)  # redelivered (reject_on_worker_lost) and run to the end

    expected = _brute_force()
    actual = {
        (r.metric, r.scope_id, r.period_start): (r.n, r.total, r.total_sq)
        for r in Rollup.objects.filter(scope=Scope.TOUCHPOINT, grain=Grain.DAY)
    }
    assert actual == expected
    organisation_n = Counter()
    for (metric, _touchpoint, _day), (n, _total, _squares) in expected.items():
        organisation_n[metric] += n
    for metric in Metric.values:
        yearly = Rollup.objects.filter(
            metric=metric, scope=Scope.ORGANISATION, grain=Grain.YEAR
        ).values_list("n", flat=True)
        assert sum(yearly) == organisation_n[metric], metric


# --- Redis unavailable during an ingest ----------------------------------------------------

CSV_HEADER = "external_id,touchpoint,metric,score,responded_at,comment\n"


BROKER_DOWN = BrokerUnavailable("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def _upload(client, rows: str):  # type: ignore[no-untyped-def]
    upload = io.BytesIO((CSV_HEADER + rows).encode())
    upload.name = "responses.csv"
    return client.post(reverse("metrics:response-upload"), {"file": upload})


def _rows(prefix: str, count: int) -> str:
    return "".join(
        f"{prefix}-{i},checkout,nps,{i % 11},2026-01-{1 + i % 28:02d}T10:00:00+00:00,\n"
        for i in range(count)
    )


def _touchpoint_day_total(touchpoint) -> int:  # type: ignore[no-untyped-def]
    from metrics.models import Rollup, Scope

    rows = Rollup.objects.filter(scope=Scope.TOUCHPOINT, scope_id=touchpoint.pk, grain="day")
    return sum(rows.values_list("n", flat=True))


@pytest.mark.django_db
def test_an_upload_while_the_broker_is_down_is_saved_and_answered_normally(
    client, cco, django_capture_on_commit_callbacks
):
    from metrics.models import SurveyResponse
    from metrics.tasks import rollup_incremental_task
    from tests.metrics.factories import TouchpointFactory

    TouchpointFactory(slug="checkout")
    client.force_login(cco)
    with (
        mock.patch.object(rollup_incremental_task, "delay", side_effect=BROKER_DOWN),
        mock.patch.object(rollup_incremental_task, "apply_async", side_effect=BROKER_DOWN),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = _upload(client, _rows("down", 40))
    assert response.status_code == 200
    assert SurveyResponse.objects.filter(source="upload").count() == 40


@pytest.mark.django_db
def test_responses_stored_while_the_broker_was_down_are_rolled_up_when_it_returns(client, cco):
    from metrics.models import SurveyResponse
    from metrics.tasks import rollup_incremental_task
    from tests.metrics.factories import TouchpointFactory

    touchpoint = TouchpointFactory(slug="checkout")
    client.force_login(cco)
    with mock.patch.object(rollup_incremental_task, "delay"):  # the queueing is lost
        assert _upload(client, _rows("down", 40)).status_code == 200
    assert SurveyResponse.objects.filter(source="upload").count() == 40
    assert _touchpoint_day_total(touchpoint) == 0

    # The broker is back: the beat schedule's incremental roll-up folds them in, exactly once.
    rollup_incremental_task.delay()
    rollup_incremental_task.delay()
    assert _touchpoint_day_total(touchpoint) == 40


@pytest.mark.django_db
def test_pages_say_the_figures_are_catching_up_while_roll_ups_lag(client, cco):
    from metrics.tasks import rollup_incremental_task
    from tests.metrics.factories import TouchpointFactory

    touchpoint = TouchpointFactory(slug="checkout")
    client.force_login(cco)
    with mock.patch.object(rollup_incremental_task, "delay"):
        assert _upload(client, _rows("lag", 10)).status_code == 200
    for path in (
        reverse("metrics:touchpoint-detail", args=[touchpoint.slug]),
        reverse("metrics:touchpoint-list"),
        reverse("home"),
    ):
        page = client.get(path)
        assert page.status_code == 200
        assert "catching up" in page.content.decode().lower(), path
    rollup_incremental_task.delay()
    page = client.get(reverse("metrics:touchpoint-detail", args=[touchpoint.slug]))
    assert "catching up" not in page.content.decode().lower()


# --- The broker really down: the settings aimed at a closed port ---------------------------

DEAD_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connections are refused
# A request must not wait on a dead broker for more than about a second; 3 s leaves room for a
# slow machine, far below the 19 s it took when every task sent retried the result store.
PATIENCE_SECONDS = 3.0


@contextmanager
def _settings_with_redis_at(url: str):  # type: ignore[no-untyped-def]
    """Every Celery setting cco/settings.py derives from REDIS_URL, for REDIS_URL=url, put on
    the app (not eager: tasks go to the broker), and put back afterwards."""
    from cco.celery import app

    with mock.patch.dict(os.environ, {"REDIS_URL": url, "DEBUG": "1"}):
        spec = importlib.util.spec_from_file_location("settings_probe", ROOT / "cco/settings.py")
        assert spec is not None and spec.loader is not None
        probe = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(probe)
    changed = {
        name.removeprefix("CELERY_").lower(): value
        for name, value in vars(probe).items()
        if name.startswith("CELERY_")
    }
    saved = {key: app.conf.get(key) for key in changed}

    def drop_connections() -> None:
        app._pool = None
        app.amqp._producer_pool = None
        app._backend_cache = None
        app._local.__dict__.pop("backend", None)

    app.conf.update(changed)
    drop_connections()
    try:
        yield probe
    finally:
        app.conf.update(saved)
        drop_connections()


@pytest.fixture
def broker_down(settings):  # type: ignore[no-untyped-def]
    with _settings_with_redis_at(DEAD_REDIS_URL) as probe:
        assert probe.CELERY_TASK_ALWAYS_EAGER is False
        settings.REDIS_URL = probe.REDIS_URL
        yield


@pytest.mark.django_db
def test_an_upload_with_the_broker_down_is_kept_and_says_the_figures_are_catching_up(
    client, cco, broker_down, django_capture_on_commit_callbacks
):
    from metrics.models import SurveyResponse
    from tests.metrics.factories import TouchpointFactory

    TouchpointFactory(slug="checkout")
    client.force_login(cco)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True) as queued:
        response = _upload(client, _rows("dead", 40))
    seconds = time.monotonic() - started
    assert queued, "the upload queues its roll-up after the commit"
    assert response.status_code == 200
    assert SurveyResponse.objects.filter(source="upload").count() == 40
    assert "catching up" in response.content.decode().lower()
    assert seconds < PATIENCE_SECONDS, f"the upload waited {seconds:.1f} s on a dead broker"


@pytest.mark.django_db
def test_an_api_import_with_the_broker_down_is_kept_and_says_the_figures_are_catching_up(
    api_for, cco, broker_down, django_capture_on_commit_callbacks
):
    from metrics.models import SurveyResponse
    from tests.metrics.factories import TouchpointFactory

    TouchpointFactory(slug="checkout")
    rows = [
        {
            "external_id": f"api-dead-{i}",
            "touchpoint": "checkout",
            "metric": "nps",
            "score": i % 11,
            "responded_at": "2026-01-05T10:00:00+00:00",
        }
        for i in range(25)
    ]
    api = api_for(cco)
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/responses/import/", rows, format="json")
    seconds = time.monotonic() - started
    assert response.status_code == 200, response.content
    assert response.json()["inserted"] == 25
    assert response.json()["catching_up"] is True
    assert SurveyResponse.objects.filter(source="api").count() == 25
    assert seconds < PATIENCE_SECONDS, f"the import waited {seconds:.1f} s on a dead broker"


@pytest.mark.django_db
def test_the_import_command_with_the_broker_down_keeps_the_rows_and_warns_once(
    tmp_path, broker_down, caplog, django_capture_on_commit_callbacks
):
    from django.core.management import call_command

    from metrics.models import SurveyResponse
    from tests.metrics.factories import TouchpointFactory

    TouchpointFactory(slug="checkout")
    path = tmp_path / "responses.csv"
    path.write_text(CSV_HEADER + _rows("cmd", 30))
    out, err = io.StringIO(), io.StringIO()
    caplog.set_level("WARNING")
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        # The start-up check runs as it does from a shell; the broker being down does not stop
        # the command, and nothing it does raises (a raise is exit status 1 and a traceback).
        call_command(
            "import_responses", str(path), "--no-progress", skip_checks=False,
            stdout=out, stderr=err,
        )  # fmt: skip
    seconds = time.monotonic() - started
    assert SurveyResponse.objects.filter(source="import").count() == 30
    assert "30 added" in out.getvalue()
    warnings = [record for record in caplog.records if record.levelname != "INFO"]
    # Once for each job left to its catch-up run: the roll-up, the themes, the follow-up
    # cases and the compliments.
    assert len(warnings) == 4, [record.getMessage() for record in warnings]
    for warning, task in zip(
        warnings,
        [
            "rollup_incremental_task",
            "themes_apply_task",
            "followup_cases_open_task",
            "compliments_collect_task",
        ],
        strict=True,
    ):
        assert warning.levelname == "WARNING"
        assert "catching up" in warning.getMessage()
        assert task in warning.getMessage()
        assert "\n" not in warning.getMessage()
    assert seconds < PATIENCE_SECONDS, f"the command waited {seconds:.1f} s on a dead broker"


def test_a_broker_that_accepts_but_never_answers_holds_a_request_about_a_second():
    """A Redis host gone silent (the connection accepted, no reply ever sent): the socket
    timeouts, not the operating system's minutes, decide how long a publish waits."""
    import socket

    from cco.queue import enqueue
    from cco.tasks import worker_health_task

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    try:
        url = f"redis://127.0.0.1:{silent.getsockname()[1]}/0"
        with _settings_with_redis_at(url):
            started = time.monotonic()
            enqueue(worker_health_task)
            seconds = time.monotonic() - started
    finally:
        silent.close()
    assert seconds < PATIENCE_SECONDS, f"a publish waited {seconds:.1f} s on a silent broker"


def test_a_failure_that_is_not_the_broker_still_raises():
    from cco.queue import enqueue
    from metrics.tasks import rollup_incremental_task

    with (
        mock.patch.object(rollup_incremental_task, "delay", side_effect=TypeError("a bug")),
        pytest.raises(TypeError, match="a bug"),
    ):
        enqueue(rollup_incremental_task)


# --- Twenty people saving one action item at once -------------------------------------------


@requires_postgres
def test_twenty_concurrent_writers_one_wins_per_version_and_no_update_is_lost(
    transactional_db, department_b
):
    from accountability.models import ActionItem, ActionItemEvent, EventKind
    from accountability.services import Conflict, action_item_update
    from tests.accountability.factories import ActionItemFactory
    from tests.factories import UserFactory

    item = ActionItemFactory(department=department_b)
    writers = [
        UserFactory(username=f"writer-{i}", role="department_head", department=department_b)
        for i in range(20)
    ]
    start = threading.Barrier(len(writers))
    outcomes: dict[str, list] = {"first_round": [], "attempts": []}
    lock = threading.Lock()

    def write(person) -> None:  # type: ignore[no-untyped-def]
        try:
            start.wait()
            version = 1  # everyone opened the item at version 1
            first = True
            while True:
                try:
                    action_item_update(
                        item_id=item.pk,
                        actor=person,
                        expected_version=version,
                        note=f"progress from {person.username}",
                    )
                    won = True
                except Conflict as conflict:
                    won = False
                    version = conflict.current_version  # reread, then save again
                with lock:
                    outcomes["attempts"].append(won)
                    if first:
                        outcomes["first_round"].append(won)
                first = False
                if won:
                    return
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=[person]) for person in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert outcomes["first_round"].count(True) == 1, "exactly one of twenty wins version 1"
    assert outcomes["first_round"].count(False) == 19
    item.refresh_from_db()
    assert item.version == 1 + 20, "every writer's update landed exactly once"
    notes = list(
        ActionItemEvent.objects.filter(action_item=item, kind=EventKind.NOTE).values_list(
            "note", flat=True
        )
    )
    assert sorted(notes) == sorted(f"progress from {p.username}" for p in writers)
    assert ActionItem.objects.filter(pk=item.pk).count() == 1


def _rebuild_from_the_admin(client):  # type: ignore[no-untyped-def]
    """The rebuild action as the admin's changelist sends it, with one roll-up ticked."""
    from metrics.models import Rollup

    rollup = Rollup.objects.create(
        metric="nps", scope="org", scope_id=0, grain="day", period_start="2026-01-05", n=1
    )
    return client.post(
        "/admin/metrics/rollup/",
        {"action": "rebuild", "index": "0", "_selected_action": [rollup.pk]},
    )


@pytest.mark.django_db
def test_the_admin_rebuild_action_with_the_broker_down_answers_with_a_message(
    client_for, admin, broker_down
):
    client = client_for(admin)
    started = time.monotonic()
    response = _rebuild_from_the_admin(client)
    seconds = time.monotonic() - started
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "task queue is unavailable" in page
    assert "Roll-up rebuild queued" not in page
    assert seconds < PATIENCE_SECONDS, f"the admin waited {seconds:.1f} s on a dead broker"


@pytest.mark.django_db
def test_the_admin_rebuild_action_queues_the_rebuild_when_the_broker_is_up(client_for, admin):
    client = client_for(admin)
    response = _rebuild_from_the_admin(client)
    assert response.status_code == 302
    assert "Roll-up rebuild queued" in client.get(response["Location"]).content.decode()
