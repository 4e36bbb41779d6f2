"""Celery really runs through a worker on Redis when REDIS_URL is set (CI's second run)."""

import pytest

from cco.tasks import worker_health_task
from tests.conftest import requires_postgres, requires_redis
from tests.factories import DepartmentFactory


@requires_redis
@requires_postgres
def test_a_task_runs_in_a_real_worker_process_and_sees_the_database(celery_worker_process):
    DepartmentFactory.create_batch(3)
    result = worker_health_task.delay()
    assert result.get(timeout=30) == {"status": "ok", "departments": 3}
    assert celery_worker_process.poll() is None


@requires_redis
@requires_postgres
def test_the_health_endpoint_reports_a_live_worker(client, celery_worker_process):
    response = client.get("/health/?worker=1")
    assert response.status_code == 200
    assert response.json()["worker"]["status"] == "ok"


@pytest.mark.django_db
def test_without_redis_tasks_run_in_process(settings):
    if settings.REDIS_URL:
        pytest.skip("this run has a broker")
    DepartmentFactory()
    assert worker_health_task.delay().get(timeout=1)["departments"] == 1
