"""The webhook's cost per delivery, pinned: statements per delivery, and a mapping or touch
point edited by the CCO is seen by the very next delivery although the configuration is cached."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics.models import SurveyResponse, Touchpoint, WebhookDelivery, WebhookQuestion
from metrics.services.webhooks import webhook_receive, webhook_source_create
from tests.metrics.factories import TouchpointFactory
from tests.metrics.test_webhooks import answer, formbricks_payload, signed

pytestmark = pytest.mark.django_db


def receive(slug, secret, payload, msg_id="msg-1"):  # type: ignore[no-untyped-def]
    text, headers = signed(secret, payload, msg_id=msg_id)
    plain = {key[5:].replace("_", "-").lower(): value for key, value in headers.items()}
    return webhook_receive(slug=slug, body=text.encode(), headers=plain)


def statements(slug, secret, payload, msg_id):  # type: ignore[no-untyped-def]
    """The delivery's statements but for its one transaction, which is a savepoint inside the
    test's own (BEGIN … COMMIT, not statements Django logs, in production)."""
    with CaptureQueriesContext(connection) as queries:
        outcome = receive(slug, secret, payload, msg_id)
    assert outcome.status == 200, outcome.as_dict()
    captured = [q["sql"] for q in queries.captured_queries]
    transactions = [sql for sql in captured if sql.startswith("SAVEPOINT")]
    assert len(transactions) == 1, captured  # one transaction.atomic, none nested in it
    return [sql for sql in captured if "SAVEPOINT" not in sql]


def _lock_statements() -> int:
    # The roll-up lock is an advisory lock on PostgreSQL; SQLite's IMMEDIATE transactions
    # serialise writers without a statement.
    return 1 if connection.vendor == "postgresql" else 0


# Once the source's configuration is cached (the first delivery loads it), a delivery costs:
#   1. INSERT the delivery id … ON CONFLICT DO NOTHING (a replay inserts nothing and stops)
#   2. the shared roll-up lock (PostgreSQL only: see _lock_statements)
#   3. INSERT its responses … ON CONFLICT DO NOTHING, counting what went in
# in one transaction, with no savepoint inside it; a replay costs the INSERT and reading what
# the first delivery stored. (Before, a delivery cost 13: the source, a replay check, the touch
# points, three savepoints, an UPDATE of the count.) The source, its secret, its question
# mapping and the touch points come from the process's cache, checked against a version in the
# shared cache (no SQL).
@pytest.mark.parametrize("shape", ["native", "formbricks"])
def test_a_delivery_costs_two_statements_and_the_lock(request, shape):
    source, secret = request.getfixturevalue(shape)
    if shape == "native":
        payloads = [answer(external_id=f"r-{n}") for n in range(3)]
    else:
        payloads = [formbricks_payload(**{"q-nps": 4, "q-why": "Slow"}) for _ in range(3)]
        for n, payload in enumerate(payloads):
            payload["data"]["id"] = f"resp-{n}"
    statements(source.slug, secret, payloads[0], "warm-up")

    first = statements(source.slug, secret, payloads[1], "m-1")
    again = statements(source.slug, secret, payloads[1], "m-1")

    assert len(first) == 2 + _lock_statements(), first
    assert len(again) == 2, again
    assert SurveyResponse.objects.count() == WebhookDelivery.objects.count() == 2


def test_a_batch_costs_the_same_statements_as_one_response(native):
    source, secret = native
    statements("shop", secret, answer(external_id="warm"), "warm-up")
    batch = {"responses": [answer(external_id=f"r-{n}") for n in range(20)]}

    assert len(statements("shop", secret, batch, "batch")) == 2 + _lock_statements()
    assert WebhookDelivery.objects.get(webhook_id="batch").inserted == 20


def test_a_question_mapped_or_unmapped_by_the_cco_counts_at_the_next_delivery(formbricks):
    source, secret = formbricks
    payload = formbricks_payload(**{"q-nps": 4, "q-new": 9})
    assert receive("fb", secret, payload, "m-1").status == 422

    tp = Touchpoint.objects.get()
    question = WebhookQuestion.objects.create(
        source=source, question_id="q-new", role="ces", touchpoint=tp
    )
    payload["data"]["data"]["q-new"] = 6
    assert receive("fb", secret, payload, "m-2").status == 200

    question.delete()
    payload["data"]["id"] = "resp-2"
    outcome = receive("fb", secret, payload, "m-3")
    assert outcome.status == 422 and "q-new is not mapped" in outcome.reason


def test_a_question_moved_to_another_touch_point_stores_there_next(formbricks, department_b):
    source, secret = formbricks
    receive("fb", secret, formbricks_payload(**{"q-nps": 4}), "m-1")
    other = TouchpointFactory(department=department_b, slug="delivery")

    question = WebhookQuestion.objects.get(question_id="q-nps")
    question.touchpoint = other
    question.save()
    payload = formbricks_payload(**{"q-nps": 5})
    payload["data"]["id"] = "resp-2"
    assert receive("fb", secret, payload, "m-2").status == 200

    assert SurveyResponse.objects.get(score=5).touchpoint == other


def test_a_touch_point_renamed_or_added_counts_at_the_next_delivery(native, touchpoint):
    source, secret = native
    assert receive("shop", secret, answer(external_id="a"), "m-1").status == 200

    touchpoint.slug = "billing"
    touchpoint.save()
    refused = receive("shop", secret, answer(external_id="b"), "m-2")
    assert refused.status == 422 and "unknown touch point" in refused.reason
    renamed = answer(external_id="b", touchpoint="billing")
    assert receive("shop", secret, renamed, "m-3").status == 200

    Touchpoint.objects.bulk_create(
        [Touchpoint(slug="new-one", name="New one", stage=touchpoint.stage, channel="phone",
                    department=touchpoint.department)]
    )  # fmt: skip
    added = answer(external_id="c", touchpoint="new-one")
    assert receive("shop", secret, added, "m-4").status == 200


def test_a_source_made_after_the_cache_was_filled_is_found(native, touchpoint):
    receive("shop", native[1], answer(external_id="a"), "m-1")
    source, secret = webhook_source_create(slug="late", name="Late", shape="native")
    assert receive("late", secret, answer(external_id="b"), "m-1").status == 200
