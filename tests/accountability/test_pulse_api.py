"""The pulse over the API: one answer per person, scales named on refusal, results under the same
anonymity rule as the pages, the import, and who may read what."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accountability.models import PulseAnswer, PulseItemScore, PulseParticipation, PulseRound
from accountability.services import pulse as services
from cco.models import Role
from tests.conftest import stored
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate
PULSE_TABLES = (PulseAnswer, PulseItemScore, PulseParticipation)


def _round(cco, department=None, *, min_group=5):
    return services.round_create(
        title="Pulse",
        department=department,
        opens_on=TODAY(),
        closes_on=TODAY(),
        items=["I have the tools"],
        min_group=min_group,
        created_by=cco,
    )


def _close(round_):
    PulseRound.objects.filter(pk=round_.pk).update(
        opens_on=TODAY() - timedelta(days=8), closes_on=TODAY() - timedelta(days=1)
    )


def _answers(round_, department, count, enps=9):
    item = round_.items.get()
    for i in range(count):
        person = UserFactory(
            username=f"{department.slug}-{i}", role=Role.CONTRIBUTOR, department=department
        )
        services.answer(person=person, round_=round_, enps=enps, scores={item.pk: 4})


def _body(round_, enps=8, score=4):
    return {"enps": enps, "scores": [{"item": round_.items.get().pk, "score": score}]}


def _url(round_, action=""):
    return f"/api/pulse-rounds/{round_.pk}/{action + '/' if action else ''}"


def test_a_contributor_answers_once_and_the_second_answer_is_409_saving_nothing(
    api_for, cco, contributor
):
    round_ = _round(cco)
    api = api_for(contributor)
    assert api.post(_url(round_, "answer"), _body(round_), format="json").status_code == 201
    before = stored(*PULSE_TABLES)
    second = api.post(_url(round_, "answer"), _body(round_, enps=0), format="json")
    assert second.status_code == 409
    assert "answered this round already" in second.json()["detail"]
    assert stored(*PULSE_TABLES) == before
    assert PulseAnswer.objects.get().enps == 8


@pytest.mark.parametrize(
    ("enps", "score", "field"), [(11, 4, "enps"), (8, 6, "item"), (8, 0, "item")]
)
def test_an_answer_outside_its_scale_is_400_naming_the_item_and_saves_nothing(
    api_for, cco, contributor, enps, score, field
):
    round_ = _round(cco)
    item = round_.items.get()
    response = api_for(contributor).post(
        _url(round_, "answer"), _body(round_, enps=enps, score=score), format="json"
    )
    assert response.status_code == 400
    body = response.json()
    if field == "enps":
        assert "11 is outside the scale 0–10" in body["enps"][0]
    else:
        assert f"item_{item.pk}" in body
        assert "I have the tools" in body[f"item_{item.pk}"][0]
        assert f"{score} is outside the scale 1–5" in body[f"item_{item.pk}"][0]
    assert not PulseParticipation.objects.exists()
    assert not PulseAnswer.objects.exists()


def test_the_scales_ends_are_accepted(api_for, cco, contributor, head_a):
    round_ = _round(cco)
    assert (
        api_for(contributor).post(_url(round_, "answer"), _body(round_, 10, 5), format="json")
    ).status_code == 201
    assert (
        api_for(head_a).post(_url(round_, "answer"), _body(round_, 0, 1), format="json")
    ).status_code == 201
    assert sorted(PulseAnswer.objects.values_list("enps", flat=True)) == [0, 10]


def test_an_answer_missing_an_item_or_naming_another_rounds_item_is_400(api_for, cco, contributor):
    round_ = _round(cco)
    other = _round(cco)
    api = api_for(contributor)
    missing = api.post(_url(round_, "answer"), {"enps": 8, "scores": []}, format="json")
    assert missing.status_code == 400
    assert f"item_{round_.items.get().pk}" in missing.json()
    foreign = api.post(
        _url(round_, "answer"),
        {"enps": 8, "scores": [{"item": other.items.get().pk, "score": 3}]},
        format="json",
    )
    assert foreign.status_code == 400
    assert "No item" in foreign.json()["scores"][0]
    assert not PulseAnswer.objects.exists()


def test_a_round_of_another_department_or_closed_is_403_saving_nothing(
    api_for, cco, contributor, department_b
):
    theirs = _round(cco, department_b)
    closed = _round(cco)
    _close(closed)
    for round_ in (theirs, closed):
        response = api_for(contributor).post(_url(round_, "answer"), _body(round_), format="json")
        assert response.status_code == 403
    assert not PulseParticipation.objects.exists()
    assert not PulseAnswer.objects.exists()


def test_the_round_list_says_what_is_open_and_answered_for_the_reader(api_for, cco, contributor):
    round_ = _round(cco)
    api = api_for(contributor)
    row = api.get("/api/pulse-rounds/").json()["results"][0]
    assert (row["may_answer"], row["answered"], row["is_open"]) == (True, False, True)
    api.post(_url(round_, "answer"), _body(round_), format="json")
    row = api.get(_url(round_)).json()
    assert (row["may_answer"], row["answered"]) == (False, True)
    assert "enps" not in row


# -- anonymity through the API: the pages' rule, at its boundary ---------------------------------


@pytest.mark.parametrize(("respondents", "shown"), [(4, False), (5, True), (6, True)])
def test_a_department_is_shown_over_the_api_only_from_the_rounds_minimum(
    api_for, cco, department_a, respondents, shown
):
    round_ = _round(cco, department_a)
    _answers(round_, department_a, respondents)
    _close(round_)
    groups = api_for(cco).get(_url(round_, "results")).json()["groups"]
    assert len(groups) == 1
    group = groups[0]
    assert group["shown"] is shown
    if shown:
        assert group["n"] == respondents
        assert group["enps"]["value"] == 100
        assert group["items"][0]["mean"]["value"] == 4
    else:
        assert group["n"] is None
        assert group["enps"] is None
        assert group["items"] == []
        assert "Fewer than 5" in group["reason"]


def test_the_total_is_withheld_over_the_api_when_it_would_give_a_small_group_away(
    api_for, cco, department_a, department_b
):
    round_ = _round(cco)
    _answers(round_, department_a, 6, enps=9)
    _answers(round_, department_b, 2, enps=0)
    _close(round_)
    groups = {g["label"]: g for g in api_for(cco).get(_url(round_, "results")).json()["groups"]}
    assert groups[department_a.name]["shown"] is True
    assert groups[department_b.name]["shown"] is False
    total = groups["Every department"]
    assert total["shown"] is False
    assert total["enps"] is None
    assert "give away" in total["reason"]


def test_an_open_round_has_no_results_over_the_api(api_for, cco, department_a):
    round_ = _round(cco, department_a)
    _answers(round_, department_a, 6)
    body = api_for(cco).get(_url(round_, "results")).json()
    assert (body["final"], body["groups"]) == (False, [])


def test_a_head_reads_only_their_departments_line_and_a_contributor_none(
    api_for, cco, head_a, contributor, executive, department_a, department_b
):
    round_ = _round(cco)
    _answers(round_, department_a, 5)
    _answers(round_, department_b, 5)
    _close(round_)
    head = api_for(head_a).get(_url(round_, "results")).json()["groups"]
    assert [g["department"] for g in head] == [department_a.pk]
    everyone = api_for(executive).get(_url(round_, "results")).json()["groups"]
    assert len(everyone) == 3
    assert api_for(contributor).get(_url(round_, "results")).status_code == 403
    assert api_for(None).get(_url(round_, "results")).status_code == 401


# -- import -------------------------------------------------------------------------------------


def _file(text):
    return {"file": SimpleUploadedFile("pulse.csv", text.encode(), "text/csv")}


def test_the_cco_imports_answers_and_a_bad_row_rejects_the_file_naming_row_and_column(
    api_for, cco, department_a
):
    round_ = _round(cco)
    api = api_for(cco)
    bad = api.post(
        _url(round_, "import"),
        _file(f"department,enps,item_1\n{department_a.slug},9,5\n{department_a.slug},9,6\n"),
        format="multipart",
    )
    assert bad.status_code == 400
    assert bad.json()["rejected"] is True
    assert bad.json()["errors"][0]["row"] == 3
    assert bad.json()["errors"][0]["column"] == "item_1"
    assert not PulseAnswer.objects.exists()
    good = api.post(
        _url(round_, "import"),
        _file(f"department,enps,item_1\n{department_a.slug},9,5\n"),
        format="multipart",
    )
    assert good.status_code == 200
    assert good.json()["inserted"] == 1
    assert PulseAnswer.objects.get().imported is True


def test_only_the_cco_imports_pulse_answers(api_for, cco, head_a, executive, department_a):
    round_ = _round(cco)
    for person in (head_a, executive):
        response = api_for(person).post(
            _url(round_, "import"),
            _file(f"department,enps,item_1\n{department_a.slug},9,5\n"),
            format="multipart",
        )
        assert response.status_code == 403
    assert not PulseAnswer.objects.exists()
