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
