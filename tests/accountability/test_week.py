"""A department head's week: "Done" updates the counters and lists in place, the due date is
prefilled in the edit form, and "Move due date" needs a reason that stays in the history."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accountability import selectors, services
from accountability.models import ActionItem, ActionStatus
from cco.errors import VersionConflict
from tests.accountability.factories import ActionItemFactory
from tests.conftest import stored

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}
TODAY = date(2026, 6, 10)


@pytest.fixture
def week(department_a):
    today = timezone.localdate()
    late = ActionItemFactory(department=department_a, title="Late one", due=today - timedelta(1))
    soon = ActionItemFactory(department=department_a, title="Soon one", due=today + timedelta(2))
    return late, soon


@pytest.mark.parametrize(
    ("days", "this_week", "overdue"),
    [(-1, 0, 1), (0, 1, 0), (6, 1, 0), (7, 0, 0)],
)
def test_due_this_week_runs_from_today_through_the_sixth_day(
    department_a, days, this_week, overdue
):
    ActionItemFactory(department=department_a, due=TODAY + timedelta(days))

    work = selectors.department_work(department=department_a, today=TODAY)

    assert (work.due_this_week_count, work.overdue_count) == (this_week, overdue)


def test_the_edit_form_shows_the_due_date(client_for, head_a, week):
    late, _ = week

    page = client_for(head_a).get(reverse("accountability:my-department")).content.decode()
    detail = client_for(head_a).get(late.get_absolute_url()).content.decode()

    for html in (page, detail):
        assert f'name="due" value="{late.due.isoformat()}"' in html


def test_done_on_the_week_page_updates_counters_and_lists_in_place(client_for, head_a, week):
    late, soon = week

    response = client_for(head_a).post(
        late.get_absolute_url(),
        {"status": ActionStatus.DONE, "version": late.version, "from": "week"},
        **HTMX,
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="action-{late.pk}"' not in html  # the card leaves the open list
    counters = html.split('id="week-counters" hx-swap-oob="true"', 1)[1]
    assert 'Open action items</div><div class="value">1<' in counters
    assert 'Overdue</div><div class="value">0<' in counters
    assert 'Due in the next 7 days</div><div class="value">1<' in counters
    assert '<ul hx-swap-oob="afterbegin:#done-list"><li><a href="' in html
    assert "Late one" in html
    late.refresh_from_db()
    assert late.status == ActionStatus.DONE and late.version == 2
    assert late.events.filter(kind="status", to_status=ActionStatus.DONE).exists()


def test_a_refused_save_on_the_week_page_keeps_the_card_and_the_counters(client_for, head_a, week):
    late, _ = week
    client = client_for(head_a)
    before = stored()

    response = client.post(
        late.get_absolute_url(),
        {"status": ActionStatus.DONE, "version": late.version + 5, "from": "week"},
        **HTMX,
    )

    assert response.status_code == 409
    html = response.content.decode()
    assert f'id="action-{late.pk}"' in html
    assert 'Open action items</div><div class="value">2<' in html
    assert "done-list" not in html
    assert stored() == before


def test_done_elsewhere_answers_with_the_card_only(client_for, head_a, week):
    late, _ = week

    response = client_for(head_a).post(
        late.get_absolute_url(), {"status": ActionStatus.DONE, "version": 1}, **HTMX
    )

    assert response.status_code == 200
    assert "week-counters" not in response.content.decode()


def _move(item, *, due, reason="Supplier ships late", version=None, today=TODAY):
    return services.action_item_move_due(
        item_id=item.pk,
        actor=item.department.head,
        expected_version=item.version if version is None else version,
        due=due,
        reason=reason,
        today=today,
    )


def test_moving_the_due_date_keeps_both_dates_and_the_reason_in_history(department_a):
    item = ActionItemFactory(department=department_a, due=TODAY + timedelta(3))

    moved = _move(item, due=TODAY, reason="  Pulled forward by the board  ")

    assert (moved.due, moved.version) == (TODAY, 2)
    event = moved.events.get(kind="edited")
    assert event.note == (
        "due date moved from 13 Jun 2026 to 10 Jun 2026: Pulled forward by the board"
    )
    assert event.actor == department_a.head


@pytest.mark.parametrize(
    ("due", "reason", "field"),
    [
        (TODAY - timedelta(1), "Supplier late", "due"),  # yesterday: in the past
        (TODAY + timedelta(3), "Supplier late", "due"),  # the date it already has
        (None, "Supplier late", "due"),
        (TODAY + timedelta(9), "", "reason"),
        (TODAY + timedelta(9), "   ", "reason"),
    ],
)
def test_a_move_is_refused_whole_with_the_field_named(department_a, due, reason, field):
    item = ActionItemFactory(department=department_a, due=TODAY + timedelta(3))
    before = stored(ActionItem)

    with pytest.raises(ValidationError) as refused:
        _move(item, due=due, reason=reason)

    assert field in refused.value.message_dict
    assert stored(ActionItem) == before and not item.events.exists()


def test_a_done_item_keeps_its_due_date(department_a):
    item = ActionItemFactory(
        department=department_a, due=TODAY, status=ActionStatus.DONE, completed_on=TODAY
    )

    with pytest.raises(ValidationError, match="done"):
        _move(item, due=TODAY + timedelta(5))


def test_a_move_from_a_stale_version_is_a_conflict(department_a):
    item = ActionItemFactory(department=department_a, due=TODAY + timedelta(3), version=3)

    with pytest.raises(VersionConflict):
        _move(item, due=TODAY + timedelta(5), version=2)

    item.refresh_from_db()
    assert (item.due, item.version) == (TODAY + timedelta(3), 3)


def test_move_due_date_from_the_week_page(client_for, head_a, week):
    _, soon = week
    new_due = timezone.localdate() + timedelta(days=20)
    url = reverse("accountability:action-move-due", args=[soon.pk])

    response = client_for(head_a).post(
        url,
        {"due": new_due.isoformat(), "reason": "Waiting on IT", "version": 1, "from": "week"},
        **HTMX,
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="action-{soon.pk}"' in html
    assert 'Due in the next 7 days</div><div class="value">0<' in html
    soon.refresh_from_db()
    assert soon.due == new_due
    assert "Waiting on IT" in soon.events.get(kind="edited").note


def test_a_refused_move_on_the_page_names_the_reason_and_keeps_the_input(client_for, head_a, week):
    _, soon = week
    url = reverse("accountability:action-move-due", args=[soon.pk])
    client = client_for(head_a)
    before = stored()
    yesterday = timezone.localdate() - timedelta(days=1)

    response = client.post(url, {"due": yesterday.isoformat(), "reason": "", "version": 1}, **HTMX)

    assert response.status_code == 400
    html = response.content.decode()
    assert "cannot be before today" in html
    assert "Say why the due date moves" in html
    assert f'value="{yesterday.isoformat()}"' in html
    assert '<details class="move-due" open>' in html
    assert stored() == before


@pytest.mark.parametrize("persona", ["head_b", "executive", "contributor", "outsider"])
def test_who_may_not_move_a_due_date_is_refused_and_nothing_changes(
    request, client_for, week, persona
):
    _, soon = week
    client = client_for(request.getfixturevalue(persona))
    before = stored()

    response = client.post(
        reverse("accountability:action-move-due", args=[soon.pk]),
        {"due": (timezone.localdate() + timedelta(9)).isoformat(), "reason": "x", "version": 1},
    )

    assert response.status_code == 403
    assert stored() == before
