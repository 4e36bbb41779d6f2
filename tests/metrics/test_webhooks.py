"""Responses by webhook: Standard Webhooks signatures, every refusal named, replays stored once."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks.webhooks import Webhook

from accountability.models import FollowupCase
from metrics.models import SurveyResponse, WebhookDelivery, WebhookQuestion
from metrics.services.webhooks import (
    MAX_BODY_BYTES,
    webhook_secret,
    webhook_secret_rotate,
    webhook_source_create,
)

pytestmark = pytest.mark.django_db
URL = "/api/webhooks/responses/{}/"


def signed(secret, body, *, msg_id="msg-1", at=None):  # type: ignore[no-untyped-def]
    at = at or datetime.now(tz=UTC)
    text = body if isinstance(body, str) else json.dumps(body)
    signature = Webhook(secret).sign(msg_id, at, text)
    headers = {
        "HTTP_WEBHOOK_ID": msg_id,
        "HTTP_WEBHOOK_TIMESTAMP": str(int(at.timestamp())),
        "HTTP_WEBHOOK_SIGNATURE": signature,
    }
    return text, headers


def post(client, slug, text, headers):  # type: ignore[no-untyped-def]
    return client.post(URL.format(slug), text, content_type="application/json", **headers)


def answer(score=2, **extra):  # type: ignore[no-untyped-def]
    return {
        "external_id": "r-1",
        "touchpoint": "invoice-query",
        "metric": "nps",
        "score": score,
        "responded_at": datetime.now(tz=UTC).isoformat(),
        "customer_id": "C-5",
        **extra,
    }


def test_a_signed_detractor_is_stored_and_opens_a_follow_up_case(
    client, native, django_capture_on_commit_callbacks
):
    source, secret = native
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, "shop", *signed(secret, answer()))

    assert response.status_code == 200, response.json()
    assert response.json() == {
        "status": 200, "detail": "Accepted.", "inserted": 1, "duplicate": False
    }  # fmt: skip
    assert SurveyResponse.objects.get().source == "webhook:shop"
    assert FollowupCase.objects.get().customer_id == "C-5"


def test_a_replay_is_answered_as_before_and_stored_once(client, native):
    source, secret = native
    text, headers = signed(secret, answer())
    post(client, "shop", text, headers)

    again = post(client, "shop", text, headers)

    assert again.status_code == 200
    assert again.json()["duplicate"] is True and again.json()["inserted"] == 1
    assert SurveyResponse.objects.count() == 1
    assert WebhookDelivery.objects.count() == 1


def test_an_unknown_source_is_404_and_stores_nothing(client, native):
    response = post(client, "nope", *signed(native[1], answer()))
    assert response.status_code == 404
    assert "no webhook source 'nope'" in response.json()["detail"]
    assert not SurveyResponse.objects.exists()


@pytest.mark.parametrize(
    "tamper, reason",
    [
        (lambda h: {**h, "HTTP_WEBHOOK_SIGNATURE": "v1,AAAA"}, "no signature matches"),
        (lambda h: {k: v for k, v in h.items() if k != "HTTP_WEBHOOK_ID"}, "are required"),
    ],
)
def test_a_bad_or_missing_signature_is_401_naming_why(client, native, tamper, reason):
    text, headers = signed(native[1], answer())
    response = post(client, "shop", text, tamper(headers))
    assert response.status_code == 401
    assert reason in response.json()["detail"]
    assert not SurveyResponse.objects.exists()
    assert not WebhookDelivery.objects.exists()


def test_another_sources_secret_does_not_sign_for_this_one(client, native, formbricks):
    response = post(client, "shop", *signed(formbricks[1], answer()))
    assert response.status_code == 401


def test_a_rotated_secret_refuses_the_old_one(client, native):
    source, old = native
    new = webhook_secret_rotate(source=source)
    assert post(client, "shop", *signed(old, answer())).status_code == 401
    assert post(client, "shop", *signed(new, answer())).status_code == 200


@pytest.mark.parametrize(
    "offset, accepted",
    [
        (timedelta(minutes=4, seconds=50), True),
        (timedelta(minutes=5, seconds=10), False),
        (-timedelta(minutes=5, seconds=10), False),
    ],
)
def test_a_timestamp_more_than_five_minutes_off_is_401(client, native, offset, accepted):
    at = datetime.now(tz=UTC) - offset
    response = post(client, "shop", *signed(native[1], answer(), at=at))
    assert (response.status_code == 200) is accepted
    if not accepted:
        assert response.status_code == 401
        assert "five minutes" in response.json()["detail"]


def test_a_body_one_byte_over_the_limit_is_413_and_at_the_limit_is_read(client, native):
    base = json.dumps(answer(comment=""))
    padding = MAX_BODY_BYTES - len(base.encode())
    at_limit = base.replace('"comment": ""', '"comment": "' + "x" * padding + '"', 1)
    assert len(at_limit.encode()) == MAX_BODY_BYTES
    # The comment's own limit refuses it (422), which shows the body was read and judged.
    response = post(client, "shop", *signed(native[1], at_limit))
    assert response.status_code == 422
    over = at_limit.replace('"comment": "', '"comment": "x', 1)
    response = post(client, "shop", *signed(native[1], over))
    assert response.status_code == 413
    assert str(MAX_BODY_BYTES) in response.json()["detail"]
    assert not SurveyResponse.objects.exists()


def test_malformed_json_is_400(client, native):
    response = post(client, "shop", *signed(native[1], '{"score": '))
    assert response.status_code == 400
    assert response.json()["detail"].startswith("Malformed JSON")
    assert not WebhookDelivery.objects.exists()


@pytest.mark.parametrize(
    "score, status",
    [(10, 200), (11, 422), (-1, 422)],
)
def test_a_score_off_the_metrics_scale_is_422_naming_the_row_and_column(
    client, native, score, status
):
    response = post(client, "shop", *signed(native[1], answer(score=score)))
    assert response.status_code == status
    if status == 422:
        assert response.json()["detail"].startswith("Row 1, score:")
        assert not SurveyResponse.objects.exists()
        assert not WebhookDelivery.objects.exists()


def test_a_refused_delivery_may_be_sent_again_once_fixed(client, native):
    post(client, "shop", *signed(native[1], answer(score=11), msg_id="m"))
    response = post(client, "shop", *signed(native[1], answer(score=3), msg_id="m"))
    assert response.status_code == 200 and response.json()["inserted"] == 1


def test_a_batch_is_stored_whole_or_not_at_all(client, native):
    batch = {"responses": [answer(), answer(external_id="r-2", metric="csat", score=9)]}
    response = post(client, "shop", *signed(native[1], batch))
    assert response.status_code == 422
    assert response.json()["errors"][0]["row"] == 2
    assert not SurveyResponse.objects.exists()


def formbricks_payload(**answers):  # type: ignore[no-untyped-def]
    return {
        "webhookId": "wh",
        "event": "responseFinished",
        "data": {
            "id": "resp-1",
            "surveyId": "s-1",
            "finished": True,
            "createdAt": datetime.now(tz=UTC).isoformat(),
            "updatedAt": datetime.now(tz=UTC).isoformat(),
            "data": answers,
            "contact": {"id": "c", "userId": "C-88"},
        },
    }


def test_a_formbricks_response_maps_its_questions(client, formbricks):
    payload = formbricks_payload(**{"q-nps": 4, "q-why": "Invoice unclear"})
    response = post(client, "fb", *signed(formbricks[1], payload))

    assert response.status_code == 200, response.json()
    stored = SurveyResponse.objects.get()
    assert (stored.external_id, stored.metric, stored.score) == ("resp-1:q-nps", "nps", 4)
    assert (stored.customer_id, stored.comment) == ("C-88", "Invoice unclear")


def test_an_unmapped_formbricks_question_is_422_naming_it(client, formbricks):
    payload = formbricks_payload(**{"q-nps": 4, "q-new": 5})
    response = post(client, "fb", *signed(formbricks[1], payload))
    assert response.status_code == 422
    assert "Question q-new is not mapped for fb" in response.json()["detail"]
    assert not SurveyResponse.objects.exists()


def test_another_formbricks_event_is_422(client, formbricks):
    payload = {**formbricks_payload(**{"q-nps": 4}), "event": "responseCreated"}
    response = post(client, "fb", *signed(formbricks[1], payload))
    assert response.status_code == 422
    assert "responseFinished" in response.json()["detail"]


def test_the_secret_is_not_stored_and_depends_on_the_salt(native):
    source, secret = native
    assert secret.startswith("whsec_")
    assert secret not in json.dumps(list(type(source).objects.values()), default=str)
    assert webhook_secret(source) == secret


# -- the CCO's page ----------------------------------------------------------------------


def test_the_cco_adds_a_source_and_sees_its_secret_once(client_for, cco):
    page = client_for(cco)
    url = "/metrics/webhooks/"
    made = page.post(
        url, {"source-name": "Kiosk", "source-slug": "kiosk", "source-shape": "native"}
    )

    from metrics.models import WebhookSource

    source = WebhookSource.objects.get(slug="kiosk")
    assert webhook_secret(source) in made.content.decode()
    assert webhook_secret(source) not in page.get(url).content.decode()


def test_a_score_question_needs_its_touch_point(client_for, cco, formbricks, touchpoint):
    page = client_for(cco)
    source = formbricks[0]
    body = {"question-source": source.pk, "question-question_id": "q-csat", "question-role": "csat"}

    refused = page.post("/metrics/webhooks/", body)
    assert refused.status_code == 400
    assert "needs the touch point it rates" in refused.content.decode()
    assert (
        page.post("/metrics/webhooks/", {**body, "question-touchpoint": touchpoint.pk}).status_code
        == 302
    )
    assert WebhookQuestion.objects.filter(question_id="q-csat", touchpoint=touchpoint).exists()


@pytest.mark.parametrize("persona", ["head_b", "executive", "contributor"])
def test_only_the_cco_configures_sources(request, client_for, formbricks, persona):
    page = client_for(request.getfixturevalue(persona))
    source = formbricks[0]
    salt = source.salt
    assert page.get("/metrics/webhooks/").status_code == 403
    assert page.post(f"/metrics/webhooks/{source.slug}/rotate/").status_code == 403
    source.refresh_from_db()
    assert source.salt == salt


def test_the_signed_example_in_the_docs_verifies():
    import re
    from pathlib import Path

    import time_machine

    docs = Path(__file__).resolve().parents[2].joinpath("docs", "webhooks.md").read_text()
    secret = re.search(r"secret `(whsec_[^`]+)`", docs).group(1)  # type: ignore[union-attr]
    block = docs.split("POST /api/webhooks/responses/shop/ HTTP/1.1\n", 1)[1].split("```")[0]
    head, body = block.split("\n\n", 1)
    headers = dict(line.split(": ", 1) for line in head.splitlines() if ": " in line)
    with time_machine.travel(int(headers["webhook-timestamp"]) + 1, tick=False):
        Webhook(secret).verify(body.strip(), headers, json_parse=False)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_delivery_sent_twice_at_once_is_stored_once(touchpoint):
    import threading

    from django.db import connection

    from metrics.services.webhooks import webhook_receive

    source, secret = webhook_source_create(slug="race", name="Race", shape="native")
    text, headers = signed(secret, answer())
    plain = {key[5:].replace("_", "-").lower(): value for key, value in headers.items()}
    outcomes = []
    start = threading.Barrier(4)

    def send() -> None:
        start.wait()
        try:
            outcomes.append(webhook_receive(slug="race", body=text.encode(), headers=plain))
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(o.status for o in outcomes) == [200] * 4
    assert sorted(o.duplicate for o in outcomes) == [False, True, True, True]
    assert SurveyResponse.objects.filter(source="webhook:race").count() == 1


BAD_ROWS = [
    {"score": 11},
    {"score": "nine"},
    {"metric": "nps2"},
    {"touchpoint": "nowhere"},
    {"responded_at": "2999-01-01T00:00:00+00:00"},
    {"responded_at": "yesterday"},
    {"external_id": ""},
    {"comment": "x" * 5001},
    {"customer_id": ["C-1"]},
]


@pytest.mark.parametrize("change", BAD_ROWS, ids=lambda change: next(iter(change)))
def test_one_row_is_judged_as_the_batch_path_judges_it(touchpoint, change):
    from metrics.services.ingest import response_import, response_import_row

    row = answer(**change)
    one = response_import_row(data=row, source="webhook:x")
    batch = response_import(rows=[(1, row)], source="webhook:x")

    assert one.rejected and batch.rejected
    assert one.as_dict()["errors"] == batch.as_dict()["errors"] != []
    assert not SurveyResponse.objects.exists()


def test_one_row_already_stored_is_counted_not_added(touchpoint):
    from metrics.services.ingest import response_import_row

    assert response_import_row(data=answer(), source="webhook:x").inserted == 1
    again = response_import_row(data=answer(), source="webhook:x")
    assert (again.inserted, again.already_present, again.rejected) == (0, 1, False)
    assert SurveyResponse.objects.count() == 1
