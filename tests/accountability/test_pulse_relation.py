"""eNPS against customers' NPS across departments: r with its Fisher interval, only from
departments the anonymity rule shows, none under the minimum of departments, and who sees it."""

import math
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accountability import pulse_relation
from accountability.stats import pearson
from metrics.models import SurveyResponse
from metrics.services import rollup_rebuild
from tests.accountability.test_pulse import _answer_all, _close, _people, _round
from tests.factories import DepartmentFactory
from tests.metrics.factories import SurveyResponseFactory, TouchpointFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
PROMOTING_CUSTOMERS = [4, 12, 9, 18, 21]


def test_pearson_gives_no_r_under_the_minimum_and_the_fisher_interval_from_it():
    xs, ys = [1.0, 2.0, 3.0, 4.0, 5.0], [2.0, 1.0, 4.0, 3.0, 5.0]
    assert pearson(xs[:4], ys[:4], minimum=5).r is None
    found = pearson(xs, ys, minimum=5)
    assert found.r == pytest.approx(0.8)
    z, se = math.atanh(0.8), 1 / math.sqrt(5 - 3)
    assert found.low == pytest.approx(math.tanh(z - 1.959964 * se), abs=1e-4)
    assert found.high == pytest.approx(math.tanh(z + 1.959964 * se), abs=1e-4)
    assert pearson(xs, [3.0] * 5, minimum=5).r is None


def _world(cco, departments, *, respondents=5, customers=30):
    """Departments whose staff mood roughly follows their customers': department i has one more
    promoting employee than department i−1, and mostly more promoting customers."""
    round_ = _round(cco)
    made = []
    for i in range(departments):
        department = DepartmentFactory(slug=f"rel-{i}", name=f"Rel {i}")
        touchpoint = TouchpointFactory(department=department)
        at = timezone.now() - timedelta(days=3)
        SurveyResponse.objects.bulk_create(
            SurveyResponseFactory.build(
                touchpoint=touchpoint,
                score=10 if k < PROMOTING_CUSTOMERS[i] else 3,
                responded_at=at,
            )
            for k in range(customers)
        )
        people = _people(department, respondents, f"rel{i}")
        _answer_all(round_, people, enps=tuple([10] * (i + 1) + [2] * (respondents - i - 1)))
        made.append(department)
    rollup_rebuild(detect=False)
    _close(round_)
    return round_, made


@pytest.mark.parametrize(("departments", "shown"), [(4, False), (5, True)])
def test_the_relation_needs_five_departments(cco, departments, shown):
    _world(cco, departments)
    found = pulse_relation.relation(today=TODAY())
    assert len(found.points) == departments
    assert found.enough is shown
    if shown:
        assert found.correlation.r > 0.9
        assert found.correlation.low < found.correlation.r < found.correlation.high
    else:
        assert "at least 5 are needed" in found.reason


def test_a_department_under_the_rounds_minimum_is_left_out_of_the_relation(cco):
    _, departments = _world(cco, 5)
    small = DepartmentFactory(slug="rel-small", name="Rel small")
    round_ = pulse_relation.latest_round(TODAY() + timedelta(days=30))
    assert round_ is not None
    from accountability.models import PulseAnswer

    for _ in range(4):
        PulseAnswer.objects.create(round=round_, department=small, enps=10)
    found = pulse_relation.relation(today=TODAY())
    assert small.pk not in {p.department_id for p in found.points}
    assert len(found.points) == 5


def test_customers_under_the_too_few_rule_leave_the_department_out(cco):
    _world(cco, 5, customers=29)
    found = pulse_relation.relation(today=TODAY())
    assert found.points == ()
    assert not found.enough


def test_the_cco_sees_the_scatter_a_head_the_r_alone_and_a_contributor_nothing(
    cco, client_for, department_a
):
    _, departments = _world(cco, 5)
    from cco.models import Role
    from tests.factories import UserFactory

    head = UserFactory(username="rel-head", role=Role.DEPARTMENT_HEAD, department=departments[0])
    contributor = UserFactory(
        username="rel-member", role=Role.CONTRIBUTOR, department=departments[0]
    )
    url = reverse("department-detail", args=[departments[0].slug])
    cco_html = client_for(cco).get(url).content.decode()
    assert "r = " in cco_html and 'data-figure="pulse-relation-figure"' in cco_html
    assert "not proof that one drives the other" in cco_html
    head_html = client_for(head).get(url).content.decode()
    assert "r = " in head_html and "pulse-relation-figure" not in head_html
    member_html = client_for(contributor).get(url).content.decode()
    assert "r = " not in member_html and "pulse-relation" not in member_html


def test_the_scatter_holds_one_point_per_department_with_intervals(cco):
    _, departments = _world(cco, 5)
    found = pulse_relation.relation(today=TODAY())
    figure = pulse_relation.relation_figure(found, highlight=departments[2].pk)
    trace = figure["data"][0]
    assert len(trace["x"]) == 5
    assert trace["x"] == [p.enps.value for p in found.points]
    assert trace["marker"]["size"].count(14) == 1
    assert all(value >= 0 for value in trace["error_y"]["array"])
