"""The per-person secret behind the ICS calendar feed."""

import secrets

from django.db import transaction

from accountability.models import CalendarFeed
from cco.models import User


@transaction.atomic
def calendar_feed_issue(*, person: User, reset: bool = False) -> CalendarFeed:
    """The person's feed token, created on first use; `reset` replaces it (old links stop)."""
    feed, created = CalendarFeed.objects.get_or_create(
        person=person, defaults={"token": secrets.token_urlsafe(32)}
    )
    if reset and not created:
        feed.token = secrets.token_urlsafe(32)
        feed.save(update_fields=["token"])
    return feed
