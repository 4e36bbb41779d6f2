"""Every hostile JSON body in the corpus, through POST /api/responses/import/: a wrong type, a
list or an object where text belongs, deep nesting, huge strings. A refused body answers 400
naming the row (the item, from 1), the field and the reason, and stores nothing; an accepted one
stores what it said; every answer comes within TIME_LIMIT seconds."""

import json
import time

import pytest

from metrics.models import SurveyResponse
from tests.conftest import stored
from tests.metrics.factories import TouchpointFactory
from tests.metrics.hostile.corpus import RESPONSE_BODIES, TOUCHPOINT, Body, item
from tests.metrics.hostile.test_response_files import TIME_LIMIT

pytestmark = pytest.mark.django_db
URL = "/api/responses/import/"


@pytest.fixture(autouse=True)
def touchpoint(department_a):  # type: ignore[no-untyped-def]
    return TouchpointFactory(slug=TOUCHPOINT, department=department_a)


@pytest.mark.parametrize("case", RESPONSE_BODIES, ids=str)
def test_the_import_api_answers_every_hostile_body(case: Body, api_for, cco) -> None:  # type: ignore[no-untyped-def]
    api = api_for(cco)
    before = stored()
    started = time.perf_counter()
    answer = api.post(URL, case.body(), format="json")
    assert time.perf_counter() - started < TIME_LIMIT
    if case.problem is None:
        assert answer.status_code == 200, answer.content
        assert SurveyResponse.objects.count() == case.saved
        return
    row, field, words = case.problem
    assert answer.status_code == 400
    first = answer.json()["errors"][0]
    assert (first["row"], first["column"]) == (row, field) and words in first["reason"], first
    assert len(answer.content) < 10_000  # a huge value is not echoed back
    assert stored() == before


def test_a_list_where_the_id_belongs_is_refused_not_stored_as_its_python_form(api_for, cco):  # type: ignore[no-untyped-def]
    answer = api_for(cco).post(URL, [item(external_id=["a", "b"])], format="json")
    assert answer.status_code == 400
    assert answer.json()["errors"] == [
        {"row": 1, "column": "external_id", "reason": "must be text, not a list"}
    ]
    assert not SurveyResponse.objects.filter(external_id="['a', 'b']").exists()


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"external_id": "j1"}, "Send a JSON list of responses."),
        ([item(external_id=f"j{number}") for number in range(10_001)], "At most 10000"),
    ],
    ids=["an object, not a list", "ten thousand and one items"],
)
def test_a_body_that_is_no_batch_is_refused_whole(api_for, cco, body, words) -> None:  # type: ignore[no-untyped-def]
    api = api_for(cco)
    before = stored()
    answer = api.post(URL, body, format="json")
    assert answer.status_code == 400 and words in json.dumps(answer.json())
    assert stored() == before


@pytest.mark.parametrize(
    "body",
    [b"[" * 100_000, b"[" * 100_000 + b"]" * 100_000, b'[{"comment": ' + b"[" * 1000 + b"]" * 1000],
    ids=["unclosed", "closed", "in a value"],
)
def test_json_nested_a_hundred_thousand_deep_is_refused_quickly(api_for, cco, body) -> None:  # type: ignore[no-untyped-def]
    api = api_for(cco)
    before = stored()
    started = time.perf_counter()
    answer = api.post(URL, body, content_type="application/json")
    assert time.perf_counter() - started < TIME_LIMIT
    assert answer.status_code == 400
    assert stored() == before
