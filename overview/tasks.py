from celery import shared_task

from overview.board_pack_pdf import board_pack_send
from overview.digest import executive_digest_send


@shared_task(acks_late=True)
def executive_digest_task() -> int:
    return executive_digest_send()


@shared_task(acks_late=True)
def board_pack_task() -> int:
    return board_pack_send()
