"""The employee pulse: one anonymous answer per person, results only for large enough groups."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accountability import pulse_stats
from accountability.models import (
    PulseAnswer,
    PulseItemScore,
    PulseParticipation,
    PulseRound,
)
from accountability.services import pulse as services
from cco.models import Role
from metrics.stats import mean, nps
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _round(cco, department=None, *, min_group=5, items=("I have the tools",)):
    return services.round_create(
        title="Pulse",
        department=department,
        opens_on=TODAY(),
        closes_on=TODAY(),
        items=list(items),
        min_group=min_group,
        created_by=cco,
    )


def _people(department, count, prefix):
    return [
        UserFactory(username=f"{prefix}-{i}", role=Role.CONTRIBUTOR, department=department)
        for i in range(count)
    ]


def _answer_all(round_, people, enps=(9,), item_score=4):
    item = round_.items.first()
    for i, person in enumerate(people):
        scores = {item.pk: item_score} if item else {}
        services.answer(person=person, round_=round_, enps=enps[i % len(enps)], scores=scores)


def _close(round_, days_ago=1):
    PulseRound.objects.filter(pk=round_.pk).update(
        opens_on=TODAY() - timedelta(days=days_ago + 7),
        closes_on=TODAY() - timedelta(days=days_ago),
    )
    round_.refresh_from_db()


# -- storage: answers carry no person, participations carry no score ------------------------------


def test_an_answer_is_stored_without_its_respondent_and_the_participation_without_scores(
    cco, contributor
):
    answer_fields = {f.name for f in PulseAnswer._meta.get_fields()}
    score_fields = {f.name for f in PulseItemScore._meta.get_fields()}
    participation_fields = {f.name for f in PulseParticipation._meta.get_fields()}
    assert not {"person", "user", "respondent", "created_at", "answered_at"} & answer_fields
    assert not {"person", "user", "created_at"} & score_fields
    assert participation_fields == {"id", "round", "person"}
    # The answer's key is random: its order says nothing of who answered when.
    assert PulseAnswer._meta.pk.get_internal_type() == "UUIDField"


def test_a_person_answers_once_and_the_second_answer_is_409_saving_nothing(
    cco, contributor, client_for
):
    round_ = _round(cco)
    item = round_.items.get()
    client = client_for(contributor)
    url = reverse("accountability:pulse-answer", args=[round_.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"enps": "7", f"item_{item.pk}": "3"})
    assert response.status_code == 302
    answer = PulseAnswer.objects.get()
    assert (answer.enps, answer.department_id) == (7, contributor.department_id)
    assert PulseItemScore.objects.get().score == 3
    assert PulseParticipation.objects.get().person == contributor
    again = client.post(url, {"enps": "10", f"item_{item.pk}": "5"})
    assert again.status_code == 409
    assert PulseAnswer.objects.count() == 1 and PulseParticipation.objects.count() == 1
    # The database itself refuses a second participation.
    with pytest.raises(services.AlreadyAnswered):
        services.answer(person=contributor, round_=round_, enps=1, scores={item.pk: 1})
    assert PulseAnswer.objects.count() == 1


@pytest.mark.parametrize(
    ("enps", "score", "field"),
    [("11", "3", "enps"), ("-1", "3", "enps"), ("", "3", "enps"), ("x", "3", "enps"),
     ("5", "0", "item"), ("5", "6", "item"), ("5", "", "item")],
)  # fmt: skip
def test_an_answer_outside_the_scale_is_400_naming_the_field_and_saves_nothing(
    cco, contributor, client_for, enps, score, field
):
    round_ = _round(cco)
    item = round_.items.get()
    response = client_for(contributor).post(
        reverse("accountability:pulse-answer", args=[round_.pk]),
        {"enps": enps, f"item_{item.pk}": score},
    )
    assert response.status_code == 400
    assert response.context["enps_errors" if field == "enps" else "items"]
    if field == "item":
        assert response.context["items"][0]["errors"]
    assert not PulseAnswer.objects.exists() and not PulseParticipation.objects.exists()


@pytest.mark.parametrize(("enps", "score"), [("0", "1"), ("10", "5")])
def test_the_ends_of_each_scale_are_accepted(cco, contributor, client_for, enps, score):
    round_ = _round(cco)
    item = round_.items.get()
    response = client_for(contributor).post(
        reverse("accountability:pulse-answer", args=[round_.pk]),
        {"enps": enps, f"item_{item.pk}": score},
    )
    assert response.status_code == 302
    assert PulseAnswer.objects.get().enps == int(enps)


def test_an_unknown_round_is_404(contributor, client_for):
    url = reverse("accountability:pulse-answer", args=[999])
    assert client_for(contributor).post(url, {"enps": "5"}).status_code == 404


def test_another_departments_round_is_403_and_saves_nothing(
    cco, contributor, department_b, client_for
):
    round_ = _round(cco, department_b, items=())
    url = reverse("accountability:pulse-answer", args=[round_.pk])
    assert client_for(contributor).post(url, {"enps": "5"}).status_code == 403
    assert not PulseAnswer.objects.exists() and not PulseParticipation.objects.exists()


@pytest.mark.parametrize(
    ("opens", "closes", "open_"),
    [(0, 0, True), (1, 2, False), (-2, -1, False), (-1, 1, True)],
)
def test_a_round_takes_answers_from_its_first_to_its_last_day(
    cco, contributor, opens, closes, open_
):
    round_ = _round(cco, items=())
    PulseRound.objects.filter(pk=round_.pk).update(
        opens_on=TODAY() + timedelta(days=opens), closes_on=TODAY() + timedelta(days=closes)
    )
    round_.refresh_from_db()
    assert services.may_answer(contributor, round_, TODAY()) is open_


def test_the_answer_page_fits_a_phone(cco, contributor, client_for):
    round_ = _round(cco)
    body = client_for(contributor).get(reverse("accountability:pulse-answer", args=[round_.pk]))
    html = body.content.decode()
    assert 'name="viewport"' in html and "pulse-form" in html
    assert html.count('type="radio"') == 11 + 5


# -- results: the anonymity threshold -------------------------------------------------------------


@pytest.mark.parametrize(("respondents", "shown"), [(4, False), (5, True), (6, True)])
def test_a_department_is_shown_only_from_the_minimum_of_respondents_on(
    cco, executive, head_a, head_b, department_a, client_for, respondents, shown
):
    round_ = _round(cco, department_a)
    _answer_all(round_, _people(department_a, respondents, "a"), enps=(10, 9, 3, 8))
    _close(round_)
    for reader in (cco, executive, head_a):
        response = client_for(reader).get(reverse("accountability:pulse-results", args=[round_.pk]))
        assert response.status_code == 200
        lines = response.context["lines"]
        assert [line.shown for line in lines] == [shown]
        html = response.content.decode()
        if shown:
            promoters = sum(1 for i in range(respondents) if (10, 9, 3, 8)[i % 4] >= 9)
            detractors = sum(1 for i in range(respondents) if (10, 9, 3, 8)[i % 4] <= 6)
            expected = nps(promoters, respondents - promoters - detractors, detractors)
            assert lines[0].enps == expected and lines[0].n == respondents
            assert lines[0].items[0].mean == mean(
                respondents, 4.0 * respondents, 16.0 * respondents
            )
        else:
            assert lines[0].enps is None and lines[0].items == ()
            assert "Fewer than 5 respondents" in html
    # A head of another department sees no line of this one.
    other = client_for(head_b).get(reverse("accountability:pulse-results", args=[round_.pk]))
    assert other.context["lines"] == []


@pytest.mark.parametrize(("minimum", "shown"), [(3, True), (4, True), (5, False)])
def test_the_minimum_is_the_rounds_own(cco, department_a, minimum, shown):
    round_ = _round(cco, department_a, min_group=minimum)
    _answer_all(round_, _people(department_a, 4, "a"))
    _close(round_)
    assert [line.shown for line in pulse_stats.round_results(round_, today=TODAY())] == [shown]


def test_a_minimum_below_three_is_refused(cco):
    with pytest.raises(Exception, match="at least 3"):
        _round(cco, min_group=2)


@pytest.mark.parametrize(("days_ago", "final"), [(0, False), (1, True)])
def test_results_are_shown_only_once_the_round_has_closed(
    cco, department_a, client_for, days_ago, final
):
    round_ = _round(cco, department_a)
    _answer_all(round_, _people(department_a, 6, "a"))
    PulseRound.objects.filter(pk=round_.pk).update(
        opens_on=TODAY() - timedelta(days=7), closes_on=TODAY() - timedelta(days=days_ago)
    )
    round_.refresh_from_db()
    response = client_for(cco).get(reverse("accountability:pulse-results", args=[round_.pk]))
    assert response.context["final"] is final
    assert bool(response.context["lines"]) is final


@pytest.mark.parametrize(
    ("small_b", "total_shown"),
    # B hidden alone with 4: the total would give B away as total − A; B with 1 and C with 4
    # together hold 5: their sum is a group large enough.
    [((4,), False), ((1, 4), True), ((), True)],
)
def test_the_total_is_hidden_when_it_would_give_the_small_departments_away(
    cco, department_a, department_b, small_b, total_shown
):
    from tests.factories import DepartmentFactory

    round_ = _round(cco)
    _answer_all(round_, _people(department_a, 6, "a"))
    departments = [department_b, DepartmentFactory(name="Claims", slug="claims")]
    for i, count in enumerate(small_b):
        _answer_all(round_, _people(departments[i], count, f"s{i}"))
    _close(round_)
    lines = pulse_stats.round_results(round_, today=TODAY())
    total = lines[-1]
    assert total.label == "Every department"
    assert total.shown is total_shown
    shown = {line.label: line.shown for line in lines[:-1]}
    assert shown == {
        "Customer service": True,
        **{d.name: False for d in departments[: len(small_b)]},
    }


@pytest.mark.parametrize(
    ("total", "hidden", "shown"),
    [(5, 0, True), (4, 0, False), (10, 4, False), (10, 5, True), (10, 6, True)],
)
def test_the_total_rule_at_its_boundaries(total, hidden, shown):
    assert pulse_stats.total_shown(total, hidden, 5) is shown


def test_no_filter_narrows_a_group_below_the_minimum(cco, department_a, executive, client_for):
    """Department × round × item: every item mean comes from the same shown group; a head's
    filter to their own department never reveals a group the full table withholds."""
    round_ = _round(cco, department_a, items=("Tools", "Time"))
    _answer_all(round_, _people(department_a, 4, "a"))
    _close(round_)
    for scope in (None, {department_a.pk}, {None}, set()):
        lines = pulse_stats.round_results(round_, today=TODAY(), department_ids=scope)
        assert all(not line.shown and line.items == () for line in lines)
    html = (
        client_for(executive)
        .get(reverse("accountability:pulse-results", args=[round_.pk]))
        .content.decode()
    )
    assert "Fewer than 5 respondents" in html and ">4<" not in html


@pytest.mark.parametrize("reader", ["contributor", "outsider"])
def test_contributors_and_outsiders_read_no_results(request, cco, department_a, client_for, reader):
    round_ = _round(cco, department_a)
    _answer_all(round_, _people(department_a, 6, "a"))
    _close(round_)
    person = request.getfixturevalue(reader)
    url = reverse("accountability:pulse-results", args=[round_.pk])
    assert client_for(person).get(url).status_code == 403


def test_anonymous_visitors_are_sent_to_sign_in(client, cco):
    round_ = _round(cco)
    for name in ("pulse-answer", "pulse-results", "pulse-import"):
        response = client.get(reverse(f"accountability:{name}", args=[round_.pk]))
        assert response.status_code == 302 and "login" in response["Location"]


def test_nobody_opens_an_individual_answer_in_the_admin(cco, contributor, admin, client_for):
    round_ = _round(cco)
    _answer_all(round_, [contributor])
    answer = PulseAnswer.objects.get()
    client = client_for(admin)
    assert client.get("/admin/accountability/pulseanswer/").status_code == 403
    assert client.get(f"/admin/accountability/pulseanswer/{answer.pk}/change/").status_code in (
        302,
        403,
    )
    assert client.get("/admin/accountability/pulseitemscore/").status_code == 403
    assert "pulseanswer" not in client.get("/admin/").content.decode()


# -- defining a round ------------------------------------------------------------------------------


def test_the_cco_defines_a_round_and_no_one_else_does(
    cco, head_a, executive, contributor, department_a, client_for
):
    body = {
        "title": "Winter",
        "department": department_a.slug,
        "opens_on": TODAY().isoformat(),
        "closes_on": (TODAY() + timedelta(days=7)).isoformat(),
        "min_group": "5",
        "items": "Tools\nTime\n",
    }
    for person in (head_a, executive, contributor):
        assert client_for(person).post(reverse("accountability:pulse-new"), body).status_code == 403
    assert not PulseRound.objects.exists()
    assert client_for(cco).post(reverse("accountability:pulse-new"), body).status_code == 302
    round_ = PulseRound.objects.get()
    assert [i.text for i in round_.items.all()] == ["Tools", "Time"]
    bad = {**body, "closes_on": (TODAY() - timedelta(days=1)).isoformat(), "min_group": "2"}
    response = client_for(cco).post(reverse("accountability:pulse-new"), bad)
    assert response.status_code == 400
    assert set(response.context["form"].errors) >= {"min_group"}
    assert PulseRound.objects.count() == 1


# -- import ----------------------------------------------------------------------------------------


def _upload(client, round_, text):
    return client.post(
        reverse("accountability:pulse-import", args=[round_.pk]),
        {"file": SimpleUploadedFile("pulse.csv", text.encode(), "text/csv")},
    )


def test_an_imported_file_is_saved_whole_and_counts_towards_the_minimum(
    cco, department_a, client_for
):
    round_ = _round(cco, department_a)
    rows = "".join(f"customer-service,{s},4\n" for s in (9, 10, 6, 8))
    response = _upload(client_for(cco), round_, "department,enps,item_1\n" + rows)
    assert response.status_code == 200 and response.context["report"].inserted == 4
    assert PulseAnswer.objects.filter(imported=True).count() == 4
    assert not PulseParticipation.objects.exists()
    _close(round_)
    assert [line.shown for line in pulse_stats.round_results(round_, today=TODAY())] == [False]
    PulseRound.objects.filter(pk=round_.pk).update(closes_on=TODAY())
    round_.refresh_from_db()
    assert (
        _upload(
            client_for(cco), round_, "department,enps,item_1\ncustomer-service,9,5\n"
        ).status_code
        == 200
    )
    _close(round_)
    assert [line.shown for line in pulse_stats.round_results(round_, today=TODAY())] == [True]


@pytest.mark.parametrize(
    ("text", "row", "column"),
    [
        ("department,enps,item_1\ncustomer-service,9,4\nnowhere,9,4\n", 3, "department"),
        ("department,enps,item_1\ncustomer-service,11,4\n", 2, "enps"),
        ("department,enps,item_1\ncustomer-service,9,6\n", 2, "item_1"),
        ("department,enps,item_1\ncustomer-service,9\n", 2, "row"),
        ("department,enps\ncustomer-service,9\n", 1, "header"),
        ("department,enps,item_1\nbilling,9,4\n", 2, "department"),
        ("", 1, "header"),
    ],
)
def test_a_bad_row_rejects_the_whole_file_naming_row_and_column(
    cco, department_a, department_b, client_for, text, row, column
):
    round_ = _round(cco, department_a)
    response = _upload(client_for(cco), round_, text)
    assert response.status_code == 400
    report = response.context["report"]
    assert report.rejected and (report.errors[0].row, report.errors[0].column) == (row, column)
    assert "nothing was saved" in report.summary
    assert not PulseAnswer.objects.exists()


def test_an_unreadable_file_is_rejected_whole(cco, department_a):
    round_ = _round(cco, department_a)
    report = services.import_answers(
        round_, io.BytesIO(b'department,enps,item_1\ncustomer-service,9,"4\n'), today=TODAY()
    )
    assert report.rejected and not PulseAnswer.objects.exists()


def test_a_closed_round_takes_no_import(cco, department_a):
    round_ = _round(cco, department_a)
    _close(round_)
    report = services.import_answers(
        round_, io.BytesIO(b"department,enps,item_1\ncustomer-service,9,4\n"), today=TODAY()
    )
    assert report.rejected and not PulseAnswer.objects.exists()


@pytest.mark.parametrize("who", ["head_a", "executive", "contributor"])
def test_only_the_cco_imports(request, cco, department_a, client_for, who):
    round_ = _round(cco, department_a)
    response = _upload(
        client_for(request.getfixturevalue(who)),
        round_,
        "department,enps,item_1\ncustomer-service,9,4\n",
    )
    assert response.status_code == 403 and not PulseAnswer.objects.exists()


def test_people_of_no_department_form_a_group_of_their_own(cco, department_a):
    round_ = _round(cco)
    _answer_all(round_, _people(department_a, 5, "a"), item_score=2)
    _answer_all(round_, _people(None, 5, "n"), item_score=5)
    _close(round_)
    lines = {line.label: line for line in pulse_stats.round_results(round_, today=TODAY())}
    assert lines["No department"].items[0].mean.value == 5.0
    assert lines["Customer service"].items[0].mean.value == 2.0
    assert lines["Every department"].items[0].mean.value == 3.5


def test_results_take_the_same_queries_for_two_departments_or_four(cco, django_assert_num_queries):
    from tests.factories import DepartmentFactory

    def results_with(departments):  # type: ignore[no-untyped-def]
        round_ = _round(cco, items=("I have the tools", "I know what happens"))
        for n, department in enumerate(departments):
            people = _people(department, 5, f"q{len(departments)}-{n}")
            _answer_all(round_, people, item_score=n + 1)
        _close(round_)
        round_ = PulseRound.objects.get(pk=round_.pk)
        with django_assert_num_queries(4):  # counts, names, items, item sums (summed in SQL)
            return pulse_stats.round_results(round_, today=TODAY())

    two = results_with([DepartmentFactory() for _ in range(2)])
    four = results_with([DepartmentFactory() for _ in range(4)])
    assert len(two) == 3 and len(four) == 5  # each department, then every department
    # Each department's item mean is its own; the total's is over all of them.
    assert [line.items[0].mean.value for line in four[:4]] == [1.0, 2.0, 3.0, 4.0]
    assert four[4].items[0].mean.value == 2.5


def test_results_without_items_hold_the_same_enps_and_read_no_item_sums(
    cco, department_a, department_b, django_assert_num_queries
):
    round_ = _round(cco, items=("I have the tools",))
    _answer_all(round_, _people(department_a, 5, "wi-a"), enps=(10, 9, 3))
    _answer_all(round_, _people(department_b, 4, "wi-b"))
    _close(round_)
    round_ = PulseRound.objects.get(pk=round_.pk)
    full = pulse_stats.rounds_results([round_], today=TODAY())[round_.pk]
    with django_assert_num_queries(2):  # counts and names: neither the items nor their sums
        bare = pulse_stats.rounds_results([round_], today=TODAY(), with_items=False)[round_.pk]
    assert [(line.label, line.shown, line.enps) for line in bare] == [
        (line.label, line.shown, line.enps) for line in full
    ]
    shown = [line for line in full if line.department_id == department_a.pk]
    assert shown[0].items and all(line.items == () for line in bare)
