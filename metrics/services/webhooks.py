# ruff: noqa: S608 - the one SQL text here names a model's table; every value is a parameter.
"""Survey responses by webhook: verified under Standard Webhooks, then the one ingest's rules.

A request is refused, naming why and storing nothing: 404 an unknown source, 413 a body over
MAX_BODY_BYTES, 401 a missing or wrong signature or a timestamp more than five minutes off
(the `standardwebhooks` library's tolerance), 400 a body that is not JSON, 422 a payload whose
questions are not mapped or whose rows the validator refuses (a score off its scale, say).
A webhook-id already accepted from the source is answered as before and stored once.
"""

import hashlib
import json
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from standardwebhooks.webhooks import WebhookVerificationError

from cco.queue import enqueue_debounced
from metrics.models import (
    PayloadShape,
    QuestionRole,
    SurveyResponse,
    WebhookDelivery,
    WebhookSource,
)
from metrics.services.ingest import response_import
from metrics.services.ingest.response_table import responses_insert
from metrics.services.rollups import acquire_rollup_lock
from metrics.services.webhook_config import (
    SourceConfig,
    webhook_config,
    webhook_config_forget,
    webhook_config_source,
    webhook_secret,
)
from metrics.signals import responses_imported
from metrics.validation import ResponseValidator, ValidRow

MAX_BODY_BYTES = 64 * 1024
MAX_RESPONSES = 100
# What new responses set off runs once per window, a second after its first delivery (a
# detractor's follow-up case is open within seconds); the roll-ups once per longer window.
CATCH_UP_SECONDS = 1
CATCH_UP_TASK = "metrics.tasks.webhook_catch_up_task"
ROLLUP_DEBOUNCE_SECONDS = 5
ROLLUP_TASK = "metrics.tasks.rollup_incremental_task"
_DELIVERIES = WebhookDelivery._meta.db_table


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


def webhook_fingerprint(source: WebhookSource) -> str:
    """Eight hex digits that tell a secret apart without showing it."""
    return hashlib.sha256(webhook_secret(source).encode()).hexdigest()[:8]


@transaction.atomic
def webhook_source_create(*, slug: str, name: str, shape: str) -> tuple[WebhookSource, str]:
    """A new source and its secret (shown once; derived again when the source is read)."""
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
        config, source = webhook_config_source(webhook_config(), slug)
        if source is None:
            raise Refused(404, f"There is no webhook source {slug!r}.")
        if len(body) > MAX_BODY_BYTES or (declared_length or 0) > MAX_BODY_BYTES:
            raise Refused(413, f"The body is over {MAX_BODY_BYTES} bytes.")
        try:
            text = body.decode("utf-8")
            source.verifier.verify(text, dict(headers), json_parse=False)
        except (WebhookVerificationError, UnicodeDecodeError, ValueError) as exc:
            raise Refused(401, f"Signature refused: {_why(exc)}.") from exc
        webhook_id = {k.lower(): v for k, v in headers.items()}["webhook-id"][:120]
        try:
            payload = json.loads(text)
        except json.JSONDecodeError as exc:
            raise Refused(400, f"Malformed JSON: {exc.msg} at line {exc.lineno}.") from exc
        try:
            rows = _rows(source, payload)
        except Refused:
            if config.fresh:
                raise
            # A mapping changed without a signal: judge once more by the database's.
            config, source = webhook_config_source(webhook_config(reload=True), slug)
            if source is None:
                raise Refused(404, f"There is no webhook source {slug!r}.") from None
            rows = _rows(source, payload)
        valid = _valid_rows(rows, config.touchpoints)
        if valid is None:
            return _store_judged(source, webhook_id, rows)
        try:
            return _store(source, webhook_id, valid)
        except IntegrityError:
            # A cached touch point was deleted since (its foreign key refused the row).
            webhook_config_forget()
            return _store_judged(source, webhook_id, rows)
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


def _valid_rows(
    rows: list[dict[str, Any]], touchpoints: Mapping[str, int]
) -> list[ValidRow] | None:
    """The rows checked by the ingest's validator against the cached touch points; None when
    one is refused or an external id repeats, for the ingest itself to judge and word."""
    validator = ResponseValidator(touchpoints=touchpoints)
    valid = [validator.validate(number, row) for number, row in enumerate(rows, start=1)]
    checked = [row for row in valid if isinstance(row, ValidRow)]
    if len(checked) < len(valid) or len({row.external_id for row in checked}) < len(checked):
        return None
    return checked


def _store(source: SourceConfig, webhook_id: str, rows: list[ValidRow]) -> WebhookOutcome:
    """The usual delivery, in one transaction of three statements (see _delivery_insert)."""
    with transaction.atomic():
        if not _delivery_insert(source, webhook_id, inserted=len(rows)):
            return _replayed(source, webhook_id)
        acquire_rollup_lock(shared=True)
        inserted = responses_insert(rows, source=source.response_source)
        if inserted != len(rows):  # some were stored before, under another delivery
            WebhookDelivery.objects.filter(source_id=source.id, webhook_id=webhook_id).update(
                inserted=inserted
            )
        if inserted:
            transaction.on_commit(_nudge)
    return WebhookOutcome(200, "Accepted.", inserted)


def _store_judged(
    source: SourceConfig, webhook_id: str, rows: list[dict[str, Any]]
) -> WebhookOutcome:
    """A delivery the cached check refused, judged by the ingest against the database: its
    report words a refusal as a file's would be; a delivery it accepts is stored by it."""
    webhook_config_forget()
    with transaction.atomic():
        if not _delivery_insert(source, webhook_id, inserted=0):
            return _replayed(source, webhook_id)
        report = response_import(
            rows=list(enumerate(rows, start=1)),
            source=source.response_source,
            queue_rollup=False,
            live=True,
        )
        if report.rejected:
            errors = [{"row": e.row, "column": e.column, "reason": e.reason} for e in report.errors]
            raise Refused(422, _first_reason(errors), errors)
        WebhookDelivery.objects.filter(source_id=source.id, webhook_id=webhook_id).update(
            inserted=report.inserted
        )
        if report.inserted:
            transaction.on_commit(_nudge)
    return WebhookOutcome(200, "Accepted.", report.inserted)


def _delivery_insert(source: SourceConfig, webhook_id: str, *, inserted: int) -> bool:
    """Record the webhook-id, True when it is new. A replay (even one sent at the same moment:
    its INSERT waits for the first one's commit) inserts nothing, and is answered from the
    record; a refused delivery's record is rolled back with it, so it may be sent again."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_DELIVERIES} (source_id, webhook_id, received_at, inserted) "
            "VALUES (%s, %s, %s, %s) ON CONFLICT (source_id, webhook_id) DO NOTHING",
            [source.id, webhook_id, _when(timezone.now()), inserted],
        )
        return cursor.rowcount == 1


def _replayed(source: SourceConfig, webhook_id: str) -> WebhookOutcome:
    inserted = WebhookDelivery.objects.values_list("inserted", flat=True).get(
        source_id=source.id, webhook_id=webhook_id
    )
    return WebhookOutcome(200, "Already received.", inserted, duplicate=True)


def _when(moment: datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(moment)


def _nudge() -> None:
    """After the commit: the catch-up (follow-up cases, themes, roll-ups) queued for a second
    from now unless one is waiting already — one cache call; the broker only once a window."""
    enqueue_debounced(CATCH_UP_TASK, seconds=CATCH_UP_SECONDS)


def webhook_catch_up() -> None:
    """Run by the catch-up task a second after a window of deliveries opened: what every import
    sets off once it commits (follow-up cases, themes: metrics.signals.responses_imported) and
    the roll-ups' incremental catch-up, debounced over a longer window, for all the window's
    responses at once."""
    responses_imported.send(sender=SurveyResponse, inserted=None, live=False)
    enqueue_debounced(ROLLUP_TASK, seconds=ROLLUP_DEBOUNCE_SECONDS)


def _first_reason(errors: list[dict[str, Any]]) -> str:
    first = errors[0]
    return f"Row {first['row']}, {first['column']}: {first['reason']}"


# -- payload shapes ------------------------------------------------------------------------


def _rows(source: SourceConfig, payload: Any) -> list[dict[str, Any]]:
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


def _formbricks_rows(source: SourceConfig, payload: Any) -> list[dict[str, Any]]:
    """Formbricks' response webhook: one row per mapped score question of the response."""
    if not isinstance(payload, dict) or payload.get("event") != "responseFinished":
        event = payload.get("event") if isinstance(payload, dict) else None
        raise Refused(422, f"Only the responseFinished event is taken, not {event!r}.")
    data = payload.get("data")
    answers = data.get("data") if isinstance(data, dict) else None
    if not isinstance(data, dict) or not isinstance(answers, dict) or not data.get("id"):
        raise Refused(422, "data.id and data.data (the answers by question id) are required.")
    mapping = source.questions
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
            "touchpoint": question.touchpoint,
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
