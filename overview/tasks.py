from celery import shared_task

from overview.board_pack_pdf import board_pack_send
from overview.digest import executive_digest_send
from overview.panels import warm_default_panels


@shared_task(acks_late=True)
def executive_digest_task() -> int:
    return executive_digest_send()


@shared_task(acks_late=True)
def board_pack_task() -> int:
    return board_pack_send()


@shared_task(acks_late=True)
def overview_warm_task() -> str:
    """Queued after every roll-up: the default overview's panels, computed before anyone asks."""
    return warm_default_panels()
