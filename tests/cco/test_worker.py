"""Celery really runs through a worker on Redis when REDIS_URL is set (CI's second run)."""

import os
import subprocess
import sys

import pytest

from cco.tasks import worker_health_task
from tests.conftest import ROOT
from tests.factories import DepartmentFactory


@pytest.mark.redis
@pytest.mark.postgres
def test_a_task_runs_in_a_real_worker_process_and_sees_the_database(celery_worker_process):
    DepartmentFactory.create_batch(3)
    result = worker_health_task.delay()
    assert result.get(timeout=30) == {"status": "ok", "departments": 3}
    assert celery_worker_process.poll() is None


@pytest.mark.redis
@pytest.mark.postgres
def test_the_health_endpoint_reports_a_live_worker(client, celery_worker_process):
    response = client.get("/health/?worker=1")
    assert response.status_code == 200
    assert response.json()["worker"]["status"] == "ok"


def test_without_redis_the_product_runs_tasks_in_process():
    """The embedded set-up, read in a process of its own so it holds on every run, with or
    without a broker: no REDIS_URL means eager tasks and an in-memory broker."""
    env = {name: value for name, value in os.environ.items() if name != "REDIS_URL"}
    read = "from cco.celery import app; print(app.conf.task_always_eager, app.conf.broker_url)"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {read}"],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "cco.settings", "DEBUG": "1"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "memory://"]


@pytest.mark.django_db
def test_an_eager_task_returns_its_result_to_the_caller():
    DepartmentFactory()
    assert worker_health_task.delay().get(timeout=1)["departments"] == 1
