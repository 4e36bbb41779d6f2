from celery import shared_task

from cco.models import Department


@shared_task
def worker_health_task() -> dict[str, int | str]:
    """Proves a worker can reach the broker and the database (used by /health/?worker=1)."""
    return {"status": "ok", "departments": Department.objects.count()}


@shared_task(acks_late=True)
def executive_digest_task() -> int:
    from cco.dashboard.digest import executive_digest_send

    return executive_digest_send()
