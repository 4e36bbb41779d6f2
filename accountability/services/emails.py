"""Every email the programme sends has a plain-text part and an HTML part, from a pair of
templates (<name>.txt and <name>.html) given the same context."""

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def email_build(
    *, subject: str, template: str, context: dict[str, Any], to: list[str]
) -> EmailMultiAlternatives:
    """The message, plain text as its body and HTML as its alternative; not sent."""
    context = {"site_url": settings.SITE_URL, **context}
    message = EmailMultiAlternatives(
        subject,
        render_to_string(f"{template}.txt", context),
        settings.DEFAULT_FROM_EMAIL,
        to,
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message
