from celery import shared_task

from overview.digest import executive_digest_send


@shared_task(acks_late=True)
def executive_digest_task() -> int:
    return executive_digest_send()
