"""What a webhook delivery needs to know — its source, the source's verifier and question mapping,
the touch points by slug — read once per process and kept until the configuration changes.

Every save or delete of a source, a question mapping or a touch point (the CCO's page, the
admin, the services: Django's post_save/post_delete) replaces a version token in the shared
cache, once at once and once more after the commit; each process compares its copy's token
with the shared one on every delivery (one cache read, no SQL) and reads the database again
when they differ. A reader that loaded the old rows between the two replacements holds them
under the first token only, so the second sends it back to the database.

What a signal does not announce (a bulk update) is caught where it matters: a source missing
from the copy is looked up before the answer is 404, a question missing from its mapping makes
the delivery read the configuration again before the answer is 422, and a row the cached touch
points refuse is judged again by the ingest itself (metrics.services.webhooks).
"""

import base64
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from standardwebhooks.webhooks import Webhook

from cco.queue import broker_unavailable
from metrics.models import Touchpoint, WebhookQuestion, WebhookSource

VERSION_KEY = "metrics:webhook-config-version"


@dataclass(frozen=True)
class Question:
    role: str
    touchpoint: str  # the touch point's slug; "" for a comment or an ignored question


@dataclass(frozen=True)
class SourceConfig:
    id: int
    slug: str
    shape: str
    salt: str
    verifier: Webhook = field(compare=False)
    questions: Mapping[str, Question]

    @property
    def response_source(self) -> str:
        return f"webhook:{self.slug}"


@dataclass(frozen=True)
class WebhookConfig:
    version: str | None
    secret_key: str
    sources: Mapping[str, SourceConfig]
    touchpoints: Mapping[str, int]
    fresh: bool = False  # read from the database for this delivery


_held: WebhookConfig | None = None


def webhook_config(*, reload: bool = False) -> WebhookConfig:
    """The configuration: this process's copy while the shared version says it is current."""
    global _held
    version = _shared_version()
    held = _held
    if (
        not reload
        and held is not None
        and version is not None
        and held.version == version
        and held.secret_key == settings.SECRET_KEY
    ):
        return held
    loaded = _load(version)
    _held = replace(loaded, fresh=False) if version is not None else None
    return loaded


def webhook_config_source(
    config: WebhookConfig, slug: str
) -> tuple[WebhookConfig, SourceConfig | None]:
    """(config, the source named `slug` or None): a slug the copy lacks is looked up before it
    is called unknown, in case the source was made without a signal."""
    source = config.sources.get(slug)
    if source is None and not config.fresh and WebhookSource.objects.filter(slug=slug).exists():
        config = webhook_config(reload=True)
        source = config.sources.get(slug)
    return config, source


def webhook_config_forget() -> None:
    """Drop this process's copy (a delivery found it out of date)."""
    global _held
    _held = None


def webhook_config_changed(**kwargs: Any) -> None:
    """post_save/post_delete receiver: a new version now, and again once the change commits."""
    _bump()
    transaction.on_commit(_bump)


def _bump() -> None:
    global _held
    _held = None
    try:
        cache.set(VERSION_KEY, secrets.token_hex(8), timeout=None)
    except Exception as error:
        if not broker_unavailable(error):
            raise
        # Without the shared cache every process reads the configuration on each delivery.


def _shared_version() -> str | None:
    """The shared version token (made when missing); None when the cache is unreachable, in
    which case nothing is kept and each delivery reads the database."""
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, secrets.token_hex(8), timeout=None)
            version = cache.get(VERSION_KEY)
    except Exception as error:
        if not broker_unavailable(error):
            raise
        return None
    return str(version) if version is not None else None


def webhook_secret(source: WebhookSource | SourceConfig) -> str:
    """The source's signing secret, `whsec_` + base64 of HMAC-SHA256(SECRET_KEY, slug:salt)."""
    key = hmac.new(
        settings.SECRET_KEY.encode(), f"webhook:{source.slug}:{source.salt}".encode(), "sha256"
    ).digest()
    return "whsec_" + base64.b64encode(key).decode()


def _load(version: str | None) -> WebhookConfig:
    touchpoints = dict(Touchpoint.objects.values_list("slug", "id"))
    questions: dict[int, dict[str, Question]] = {}
    for source_id, question_id, role, touchpoint in WebhookQuestion.objects.values_list(
        "source_id", "question_id", "role", "touchpoint__slug"
    ):
        questions.setdefault(source_id, {})[question_id] = Question(role, touchpoint or "")
    sources = {
        source.slug: SourceConfig(
            id=source.pk,
            slug=source.slug,
            shape=source.shape,
            salt=source.salt,
            verifier=Webhook(webhook_secret(source)),
            questions=questions.get(source.pk, {}),
        )
        for source in WebhookSource.objects.only("id", "slug", "shape", "salt")
    }
    return WebhookConfig(
        version=version,
        secret_key=settings.SECRET_KEY,
        sources=sources,
        touchpoints=touchpoints,
        fresh=True,
    )
