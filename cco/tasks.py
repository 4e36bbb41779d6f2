from celery import shared_task

from cco.models import Department


@shared_task
def worker_health_task() -> dict[str, int | str]:
    """Proves a worker can reach the broker and the database (used by /health/?worker=1)."""
    return {"status": "ok", "departments": Department.objects.count()}
