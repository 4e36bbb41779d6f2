"""The front line on the scorecard: eNPS beside the customers' NPS under the anonymity rule and
the reader's scope, open blockers and those unanswered past their service level."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accountability.front_line import front_line
from accountability.models import Blocker
from accountability.services import blockers as blocker_services
from tests.accountability.test_pulse import _answer_all, _close, _people, _round

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def _row(found, department):
    return next(row for row in found.rows if row.department == department)


@pytest.mark.parametrize(("respondents", "shown"), [(4, False), (5, True), (6, True)])
def test_the_scorecard_shows_a_departments_enps_from_the_rounds_minimum(
    client_for, cco, department_a, respondents, shown
):
    round_ = _round(cco)
    _answer_all(round_, _people(department_a, respondents, "fl"), enps=(10,))
    _close(round_)
    row = _row(front_line(user=cco, today=TODAY()), department_a)
    assert row.employees.shown is shown
    html = client_for(cco).get(reverse("accountability:scorecard")).content.decode()
    assert ("not shown: fewer than 5" in html) is not shown
    assert (f"n {respondents})" in html) is shown


def test_a_head_reads_their_own_enps_and_a_contributor_none(
    client_for, cco, head_a, contributor, department_a, department_b
):
    round_ = _round(cco)
    _answer_all(round_, _people(department_a, 5, "fa"), enps=(10,))
    _answer_all(round_, _people(department_b, 7, "fb"), enps=(0,))
    _close(round_)
    head = front_line(user=head_a, today=TODAY())
    assert _row(head, department_a).employees.n == 5
    assert _row(head, department_b).employees is None
    member = front_line(user=contributor, today=TODAY())
    assert all(row.employees is None for row in member.rows)
    html = client_for(contributor).get(reverse("accountability:scorecard")).content.decode()
    assert "n 5)" not in html and "n 7)" not in html


def test_blockers_count_open_and_late_from_the_day_after_the_last_day(
    cco, contributor, department_b
):
    on_time = blocker_services.blocker_raise(
        actor=contributor, title="Due today", department_id=department_b.pk
    )
    late = blocker_services.blocker_raise(
        actor=contributor, title="Due yesterday", department_id=department_b.pk
    )
    resolved = blocker_services.blocker_raise(
        actor=contributor, title="Done", department_id=department_b.pk
    )
    Blocker.objects.filter(pk=on_time.pk).update(answer_due=TODAY())
    Blocker.objects.filter(pk=late.pk).update(answer_due=TODAY() - timedelta(days=1))
    blocker_services.blocker_answer(actor=cco, blocker=resolved, answer="Fixed", resolve=True)
    found = front_line(user=contributor, today=TODAY())
    row = _row(found, department_b)
    assert (row.open_blockers, row.late_blockers) == (2, 1)
    assert (found.open_blockers, found.late_blockers) == (2, 1)
