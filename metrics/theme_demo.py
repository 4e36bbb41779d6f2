"""The demo's theme taxonomy, matching the demo verbatims (metrics.demo.VERBATIMS)."""

from django.db import transaction

from metrics.models import Theme
from metrics.services.themes import themes_reapply
from metrics.themes import parse_taxonomy

DEMO_TAXONOMY = """\
Waiting: waited, wait, queue, on hold, too long
Kept in the dark: nobody told, not told, no update, what was happening
Repeat contact: call twice, called twice, call back, chase
Speed: quick, fast, straight away
Friendly staff: friendly, polite, helpful, thank you
Ease: easy, simple, exactly what I needed"""


@transaction.atomic
def seed_themes() -> int:
    """Set the demo taxonomy (unless one exists) and read every verbatim for it; the number of
    themes."""
    if not Theme.objects.exists():
        for position, (name, phrases) in enumerate(parse_taxonomy(DEMO_TAXONOMY)):
            Theme.objects.create(name=name, phrases=phrases, position=position)
        themes_reapply()
    return Theme.objects.count()
