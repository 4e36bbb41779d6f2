"""Survey responses by webhook: verified under Standard Webhooks, then the one ingest's rules.

A request is refused, naming why and storing nothing: 404 an unknown source, 413 a body over
MAX_BODY_BYTES, 401 a missing or wrong signature or a timestamp more than five minutes off
(the `standardwebhooks` library's tolerance), 400 a body that is not JSON, 422 a payload whose
questions are not mapped or whose rows the validator refuses (a score off its scale, say).
A webhook-id already accepted from the source is answered as before and stored once.
"""

import base64
import hashlib
import hmac
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from cco.queue import enqueue_debounced
from metrics.models import (
    PayloadShape,
    QuestionRole,
    WebhookDelivery,
    WebhookQuestion,
    WebhookSource,
)
from metrics.services.ingest import response_import, response_import_row

MAX_BODY_BYTES = 64 * 1024
MAX_RESPONSES = 100
# Roll-ups for webhook responses run once per window, a few seconds after its first request.
ROLLUP_DEBOUNCE_SECONDS = 5
ROLLUP_TASK = "metrics.tasks.rollup_incremental_task"


@dataclass
class WebhookOutcome:
    status: int
    reason: str
    inserted: int = 0
    duplicate: bool = False
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        body: dict[str, Any] = {"status": self.status, "detail": self.reason}
        if self.status < 300:
            body.update(inserted=self.inserted, duplicate=self.duplicate)
        if self.errors:
            body["errors"] = self.errors
        return body


class Refused(Exception):
    def __init__(self, status: int, reason: str, errors: list[dict[str, Any]] | None = None):
        super().__init__(reason)
        self.outcome = WebhookOutcome(status, reason, errors=errors or [])


# -- the secret ---------------------------------------------------------------------------------


def webhook_secret(source: WebhookSource) -> str:
    """The source's signing secret, `whsec_` + base64 of HMAC-SHA256(SECRET_KEY, slug:salt)."""
    key = hmac.new(
        settings.SECRET_KEY.encode(), f"webhook:{source.slug}:{source.salt}".encode(), "sha256"
    ).digest()
    return "whsec_" + base64.b64encode(key).decode()


def webhook_fingerprint(source: WebhookSource) -> str:
    """Eight hex digits that tell a secret apart without showing it."""
    return hashlib.sha256(webhook_secret(source).encode()).hexdigest()[:8]


@transaction.atomic
def webhook_source_create(*, slug: str, name: str, shape: str) -> tuple[WebhookSource, str]:
    """A new source and its secret (shown once; derived again on each request)."""
    source = WebhookSource.objects.create(
        slug=slug, name=name, shape=shape, salt=secrets.token_hex(16)
    )
    return source, webhook_secret(source)


@transaction.atomic
def webhook_secret_rotate(*, source: WebhookSource) -> str:
    source.salt = secrets.token_hex(16)
    source.rotated_at = timezone.now()
    source.save(update_fields=["salt", "rotated_at"])
    return webhook_secret(source)


# -- receiving ------------------------------------------------------------------------------------


def webhook_receive(
    *, slug: str, body: bytes, headers: Mapping[str, str], declared_length: int | None = None
) -> WebhookOutcome:
    """Verify, map and store one delivery; see the module's docstring for every answer."""
    try:
        source = WebhookSource.objects.filter(slug=slug).first()
        if source is None:
            raise Refused(404, f"There is no webhook source {slug!r}.")
        if len(body) > MAX_BODY_BYTES or (declared_length or 0) > MAX_BODY_BYTES:
            raise Refused(413, f"The body is over {MAX_BODY_BYTES} bytes.")
        try:
            text = body.decode("utf-8")
            Webhook(webhook_secret(source)).verify(text, dict(headers), json_parse=False)
        except (WebhookVerificationError, UnicodeDecodeError, ValueError) as exc:
            raise Refused(401, f"Signature refused: {_why(exc)}.") from exc
        webhook_id = {k.lower(): v for k, v in headers.items()}["webhook-id"][:120]
        try:
            payload = json.loads(text)
        except json.JSONDecodeError as exc:
            raise Refused(400, f"Malformed JSON: {exc.msg} at line {exc.lineno}.") from exc
        rows = _rows(source, payload)
        return _store(source, webhook_id, rows)
    except Refused as refused:
        return refused.outcome


def _why(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return {
        "Missing required headers": "webhook-id, webhook-timestamp and webhook-signature are "
        "required",
        "Message timestamp too old": "the timestamp is more than five minutes old",
        "Message timestamp too new": "the timestamp is more than five minutes ahead",
        "No matching signature found": "no signature matches the source's secret",
    }.get(text, text.lower())


def _store(source: WebhookSource, webhook_id: str, rows: list[dict[str, Any]]) -> WebhookOutcome:
    seen = WebhookDelivery.objects.filter(source=source, webhook_id=webhook_id).first()
    if seen is not None:
        return WebhookOutcome(200, "Already received.", seen.inserted, duplicate=True)
    try:
        with transaction.atomic():
            delivery = WebhookDelivery.objects.create(source=source, webhook_id=webhook_id)
            if len(rows) == 1:
                report = response_import_row(
                    data=rows[0], source=source.response_source, queue_rollup=False, live=True
                )
            else:
                report = response_import(
                    rows=list(enumerate(rows, start=1)),
                    source=source.response_source,
                    queue_rollup=False,
                    live=True,
                )
            if report.rejected:
                errors = [
                    {"row": e.row, "column": e.column, "reason": e.reason} for e in report.errors
                ]
                raise Refused(422, _first_reason(errors), errors)
            delivery.inserted = report.inserted
            delivery.save(update_fields=["inserted"])
            if report.inserted:
                transaction.on_commit(
                    lambda: enqueue_debounced(ROLLUP_TASK, seconds=ROLLUP_DEBOUNCE_SECONDS)
                )
    except IntegrityError:
        # The same webhook-id sent twice at once: the other request stored it.
        seen = WebhookDelivery.objects.get(source=source, webhook_id=webhook_id)
        return WebhookOutcome(200, "Already received.", seen.inserted, duplicate=True)
    return WebhookOutcome(200, "Accepted.", report.inserted)


def _first_reason(errors: list[dict[str, Any]]) -> str:
    first = errors[0]
    return f"Row {first['row']}, {first['column']}: {first['reason']}"


# -- payload shapes ------------------------------------------------------------------------


def _rows(source: WebhookSource, payload: Any) -> list[dict[str, Any]]:
    if source.shape == PayloadShape.FORMBRICKS:
        return _formbricks_rows(source, payload)
    return _native_rows(payload)


def _native_rows(payload: Any) -> list[dict[str, Any]]:
    """Our shape: one object with the CSV's fields, or {"responses": [such objects]}."""
    items = payload.get("responses") if isinstance(payload, dict) else None
    if items is None:
        items = [payload]
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise Refused(422, 'Send an object with the CSV\'s fields, or {"responses": [objects]}.')
    if not 1 <= len(items) <= MAX_RESPONSES:
        raise Refused(422, f"Send 1 to {MAX_RESPONSES} responses at a time, not {len(items)}.")
    return items


def _formbricks_rows(source: WebhookSource, payload: Any) -> list[dict[str, Any]]:
    """Formbricks' response webhook: one row per mapped score question of the response."""
    if not isinstance(payload, dict) or payload.get("event") != "responseFinished":
        event = payload.get("event") if isinstance(payload, dict) else None
        raise Refused(422, f"Only the responseFinished event is taken, not {event!r}.")
    data = payload.get("data")
    answers = data.get("data") if isinstance(data, dict) else None
    if not isinstance(data, dict) or not isinstance(answers, dict) or not data.get("id"):
        raise Refused(422, "data.id and data.data (the answers by question id) are required.")
    questions = WebhookQuestion.objects.filter(source=source).select_related("touchpoint")
    mapping = {q.question_id: q for q in questions}
    unmapped = sorted(str(key) for key in answers if key not in mapping)
    if unmapped:
        raise Refused(
            422,
            f"Question {', '.join(unmapped)} is not mapped for {source.slug}; "
            "the CCO maps it on the webhook sources page.",
        )
    comments = [
        str(answers[key])
        for key, question in mapping.items()
        if key in answers and question.role == QuestionRole.COMMENT
    ]
    contact = data.get("contact") or data.get("person") or {}
    attributes = data.get("contactAttributes") or {}
    customer = (contact.get("userId") if isinstance(contact, dict) else None) or (
        attributes.get("userId") if isinstance(attributes, dict) else None
    )
    rows = [
        {
            "external_id": f"{data['id']}:{key}",
            "touchpoint": question.touchpoint.slug if question.touchpoint else "",
            "metric": question.role,
            "score": value,
            "responded_at": data.get("updatedAt") or data.get("createdAt"),
            "customer_id": customer or "",
            "comment": "\n\n".join(comments),
        }
        for key, value in answers.items()
        if (question := mapping[key]).role not in (QuestionRole.COMMENT, QuestionRole.IGNORE)
    ]
    if not rows:
        raise Refused(422, "The response answers no mapped score question.")
    return rows
