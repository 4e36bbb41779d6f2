"""The pulse beside the customers on the department page: the same anonymity rule, every role."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accountability import pulse_side
from metrics.models import Scope
from metrics.selectors.ranges import range_scores
from metrics.services import rollup_rebuild
from tests.accountability.test_pulse import _answer_all, _close, _people, _round
from tests.metrics.factories import SurveyResponseFactory, TouchpointFactory

pytestmark = pytest.mark.django_db


def _page(client, department):
    return client.get(reverse("department-detail", args=[department.slug]))


@pytest.mark.parametrize(("respondents", "shown"), [(4, False), (5, True), (6, True)])
def test_the_department_page_shows_the_enps_beside_customers_from_the_minimum_on(
    cco, executive, head_a, department_a, client_for, respondents, shown
):
    touchpoint = TouchpointFactory(department=department_a, name="Phone support")
    for score in (10, 9, 2):
        SurveyResponseFactory(
            touchpoint=touchpoint, score=score, responded_at=timezone.now() - timedelta(days=3)
        )
    rollup_rebuild(detect=False)
    round_ = _round(cco, department_a)
    _answer_all(round_, _people(department_a, respondents, "a"), enps=(10, 3))
    _close(round_)
    expected = range_scores(
        start=round_.closes_on - timedelta(days=pulse_side.CUSTOMER_DAYS - 1),
        end=round_.closes_on,
        scopes=(Scope.DEPARTMENT,),
    ).department(department_a.pk)
    assert expected.n == 3
    for reader in (cco, executive, head_a):
        response = _page(client_for(reader), department_a)
        assert response.status_code == 200
        html = response.content.decode()
        assert "Employees beside customers" in html
        assert f"{expected.value:.0f} ({expected.low:.0f} to {expected.high:.0f})" in html
        assert ("Not shown: fewer than 5 respondents" in html) is not shown
        assert (f"{respondents} answers" in html) is shown
        assert ('data-figure="pulse-figure"' in html) is True


@pytest.mark.parametrize("reader", ["contributor", "head_b"])
def test_contributors_and_other_heads_see_no_pulse_on_the_department_page(
    request, cco, department_a, client_for, reader
):
    round_ = _round(cco, department_a)
    _answer_all(round_, _people(department_a, 6, "a"))
    _close(round_)
    html = _page(client_for(request.getfixturevalue(reader)), department_a).content.decode()
    assert "6 answers" not in html and "pulse-figure" not in html
    assert "shown to the CCO, the executives and the department's head" in html


def test_a_round_for_every_department_shows_only_this_departments_group(
    cco, department_a, department_b, client_for
):
    round_ = _round(cco)
    _answer_all(round_, _people(department_a, 5, "a"))
    _answer_all(round_, _people(department_b, 7, "b"))
    _close(round_)
    rows = pulse_side.department_side_by_side(department_a, today=timezone.localdate())
    assert [row.employees.n for row in rows] == [5]
    figure = pulse_side.side_by_side_figure(rows)
    assert figure["data"][0]["type"] == "scatter" and figure["data"][0]["y"][0] is not None


def test_an_open_round_is_not_beside_the_customers(cco, department_a):
    round_ = _round(cco, department_a)
    _answer_all(round_, _people(department_a, 6, "a"))
    assert pulse_side.department_side_by_side(department_a, today=timezone.localdate()) == []


def _closed_round(cco, department, respondents, prefix, days_ago):
    round_ = _round(cco, department)
    _answer_all(round_, _people(department, respondents, prefix), enps=(10, 3))
    _close(round_, days_ago=days_ago)
    return round_


def test_the_department_page_takes_the_same_queries_for_one_more_round(
    cco, department_a, client_for, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    touchpoint = TouchpointFactory(department=department_a, name="Phone support")
    for days_ago, score in ((3, 10), (40, 2), (100, 9)):
        SurveyResponseFactory(
            touchpoint=touchpoint,
            score=score,
            responded_at=timezone.now() - timedelta(days=days_ago),
        )
    rollup_rebuild(detect=False)
    _closed_round(cco, department_a, 5, "first", days_ago=60)
    _closed_round(cco, None, 4, "second", days_ago=30)
    client = client_for(cco)
    _page(client, department_a)  # warm the session and the caches the page reads once
    with CaptureQueriesContext(connection) as two_rounds:
        html = _page(client, department_a).content.decode()
    assert "5 answers" in html and "Not shown: fewer than 5 respondents" in html
    # 24 whatever the rounds shown: the pulse section reads its rounds, the touch points, the
    # rounds' counts and department names (one query each over every round; no item sums, the
    # page shows none) and the customers' scores of every round's window in one query; the rest
    # is the page's other sections. It grew by four queries a round before.
    assert len(two_rounds) == 24
    _closed_round(cco, department_a, 6, "third", days_ago=1)
    with django_assert_num_queries(24):
        html = _page(client, department_a).content.decode()
    assert "5 answers" in html and "6 answers" in html
    assert "Not shown: fewer than 5 respondents" in html


def test_each_rounds_customers_are_its_own_window(cco, department_a):
    touchpoint = TouchpointFactory(department=department_a)
    for days_ago, score in ((3, 10), (40, 2), (100, 9), (200, 0)):
        SurveyResponseFactory(
            touchpoint=touchpoint,
            score=score,
            responded_at=timezone.now() - timedelta(days=days_ago),
        )
    rollup_rebuild(detect=False)
    for respondents, prefix, days_ago in ((5, "a", 60), (5, "b", 30), (5, "c", 1)):
        _closed_round(cco, department_a, respondents, prefix, days_ago)
    rows = pulse_side.department_side_by_side(department_a, today=timezone.localdate())
    assert len(rows) == 3
    for row in rows:
        alone = range_scores(start=row.start, end=row.end, scopes=(Scope.DEPARTMENT,))
        assert row.customers == alone.department(department_a.pk)
        assert row.touchpoints[0][1] == range_scores(
            start=row.start, end=row.end, scopes=(Scope.TOUCHPOINT,)
        ).touchpoint(touchpoint.pk)
    # The windows overlap, and each counts its own 90 days, latest round first.
    assert [row.customers.n for row in rows] == [2, 2, 1]


def test_windows_narrowed_to_some_ids_read_those_ids_alone(department_a, department_b):
    from metrics.selectors.ranges import windows_scores

    mine = TouchpointFactory(department=department_a)
    other = TouchpointFactory(department=department_b)
    for touchpoint in (mine, other):
        SurveyResponseFactory(touchpoint=touchpoint, score=10, responded_at=timezone.now())
    rollup_rebuild(detect=False)
    today = timezone.localdate()
    window = (today - timedelta(days=9), today)
    (narrow,) = windows_scores(
        [window],
        scopes=(Scope.TOUCHPOINT, Scope.DEPARTMENT),
        scope_ids={Scope.TOUCHPOINT: [mine.pk], Scope.DEPARTMENT: [department_a.pk]},
    )
    whole = range_scores(start=window[0], end=window[1])
    assert narrow.touchpoint(mine.pk) == whole.touchpoint(mine.pk) and narrow.touchpoint(mine.pk).n
    assert narrow.department(department_a.pk) == whole.department(department_a.pk)
    assert narrow.touchpoint(other.pk).n == 0 and whole.touchpoint(other.pk).n == 1
    assert narrow.department(department_b.pk).n == 0
