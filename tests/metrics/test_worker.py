"""A real Celery worker on Redis rolls responses up against PostgreSQL."""

import pytest

from metrics.models import Rollup
from metrics.tasks import rollup_incremental_task
from tests.conftest import requires_postgres, requires_redis
from tests.metrics.factories import TouchpointFactory, responses


@requires_postgres
@requires_redis
@pytest.mark.redis
@pytest.mark.postgres
def test_a_real_worker_runs_the_incremental_rollup(celery_worker_process) -> None:  # type: ignore[no-untyped-def]
    from django.utils import timezone

    tp = TouchpointFactory()
    responses(tp, "nps", [10, 10, 0], timezone.now())
    result = rollup_incremental_task.delay().get(timeout=60)
    assert result["responses"] == 3
    row = Rollup.objects.get(scope="organisation", grain="year", metric="nps")
    assert (row.n, row.promoters, row.detractors) == (3, 2, 1)
