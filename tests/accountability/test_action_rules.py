"""Every rule of creating and updating an action item (accountability/services/actions.py), each
refusal checked in the database: a refused save leaves the row and its history as they were."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accountability import services
from accountability.models import (
    ActionItem,
    ActionItemEvent,
    ActionOrigin,
    ActionStatus,
    EventKind,
)
from cco.models import Department, Role, User
from tests.accountability.factories import CXIssueFactory, MeetingFactory
from tests.factories import DepartmentFactory, UserFactory
from tests.roadmap.factories import InitiativeFactory

pytestmark = pytest.mark.django_db

DUE = date(2026, 6, 30)
TODAY = date(2026, 6, 10)


@pytest.fixture
def returns() -> Department:
    # Ids past 256: Python shares the objects of small numbers, so an `is` slipped in where
    # `==` belongs would pass unnoticed with them.
    department = DepartmentFactory(id=910_001, name="Returns", slug="returns")
    department.head = UserFactory(
        id=900_001, username="returns-head", role=Role.DEPARTMENT_HEAD, department=department
    )
    department.save()
    return department


@pytest.fixture
def sales() -> Department:
    return DepartmentFactory(name="Sales", slug="sales")


@pytest.fixture
def chief() -> User:
    """The CCO by role alone: no superuser or staff flag."""
    return UserFactory(
        id=900_003, username="chief", role=Role.CCO, is_superuser=False, is_staff=False
    )


@pytest.fixture
def worker(returns: Department) -> User:
    return UserFactory(
        id=900_002, username="returns-worker", role=Role.CONTRIBUTOR, department=returns
    )


@pytest.fixture
def item(returns: Department, worker: User, chief: User) -> ActionItem:
    return services.action_item_create(
        actor=chief, title="Refund within a week", department=returns, due=DUE, owner_person=worker
    )


def as_sent(text: str) -> str:
    """A value as a form or the API delivers it: an equal string, not the enum member itself."""
    return "".join(list(text))


def stored(item: ActionItem) -> tuple:
    """Everything a save may change, and the history, as the database holds them now."""
    row = ActionItem.objects.get(pk=item.pk)
    history = list(
        ActionItemEvent.objects.filter(action_item=item)
        .order_by("pk")
        .values_list("kind", "from_status", "to_status", "note")
    )
    return (
        row.title,
        row.status,
        row.due,
        row.owner_person_id,
        row.completed_on,
        row.version,
        row.updated_at,
        history,
    )


def refused(item: ActionItem, **update) -> dict[str, list[str]]:
    """Run an update that must be refused; check nothing was written; return the messages."""
    before = stored(item)
    with pytest.raises(ValidationError) as error:
        services.action_item_update(item_id=item.pk, **update)
    assert stored(item) == before
    return error.value.message_dict


# --- Creating ----------------------------------------------------------------------------------


def test_a_new_item_starts_open_at_version_1_with_its_created_history(returns, worker, chief):
    made = services.action_item_create(
        actor=chief,
        title="  Call back every complaint  ",
        department=returns,
        due=DUE,
        owner_person=worker,
        description="Within a day",
    )

    row = ActionItem.objects.get(pk=made.pk)
    assert (row.title, row.status, row.version, row.due) == (
        "Call back every complaint",
        ActionStatus.OPEN,
        1,
        DUE,
    )
    assert (row.department, row.owner_person, row.created_by) == (returns, worker, chief)
    assert row.description == "Within a day"
    assert row.origin == ActionOrigin.MANUAL
    assert row.completed_on is None
    assert row.created_at == row.updated_at
    [event] = ActionItemEvent.objects.filter(action_item=row)
    assert (event.kind, event.to_status, event.actor, event.at) == (
        EventKind.CREATED,
        ActionStatus.OPEN,
        chief,
        row.created_at,
    )


@pytest.mark.parametrize("title", ["", "   "])
def test_an_item_without_a_title_is_not_created(returns, chief, title):
    with pytest.raises(ValidationError) as error:
        services.action_item_create(actor=chief, title=title, department=returns, due=DUE)

    assert set(error.value.message_dict) == {"title"}
    assert ActionItem.objects.count() == 0
    assert ActionItemEvent.objects.count() == 0


def test_the_owner_must_be_an_active_member_or_the_head_of_the_owning_department(
    returns, sales, chief, worker
):
    # Ids below and above the head's: the check is "not the head", not an order.
    seller = UserFactory(id=800_001, username="seller", role=Role.CONTRIBUTOR, department=sales)
    buyer = UserFactory(id=950_001, username="buyer", role=Role.CONTRIBUTOR, department=sales)
    former = UserFactory(
        username="former", role=Role.CONTRIBUTOR, department=returns, is_active=False
    )
    executive = UserFactory(username="exec", role=Role.EXECUTIVE, department=returns)
    cco_in_returns = UserFactory(username="cco-returns", role=Role.CCO, department=returns)
    # The head counts as a member even when their own department field names no department.
    returns.head.department = None
    returns.head.save()

    for owner, reason in [
        (seller, "is not in Returns"),
        (buyer, "is not in Returns"),
        (former, "no longer active"),
        (executive, "is Executive"),
        (cco_in_returns, "is Chief Customer Officer"),
    ]:
        with pytest.raises(ValidationError) as error:
            services.action_item_create(
                actor=chief, title="Fix it", department=returns, due=DUE, owner_person=owner
            )
        assert list(error.value.message_dict) == ["owner_person"]
        assert reason in error.value.message_dict["owner_person"][0]
    assert ActionItem.objects.count() == 0

    # The department as a page loads it: its own copy of the row, not the fixture's.
    loaded = Department.objects.get(pk=returns.pk)
    for owner in (worker, returns.head, None):
        made = services.action_item_create(
            actor=chief, title="Fix it", department=loaded, due=DUE, owner_person=owner
        )
        assert ActionItem.objects.get(pk=made.pk).owner_person == owner


def test_a_missing_title_and_a_wrong_owner_are_both_named_at_once(returns, sales, chief):
    seller = UserFactory(username="seller", role=Role.CONTRIBUTOR, department=sales)
    with pytest.raises(ValidationError) as error:
        services.action_item_create(
            actor=chief, title=" ", department=returns, due=DUE, owner_person=seller
        )
    assert set(error.value.message_dict) == {"title", "owner_person"}


def test_an_items_origin_follows_what_it_came_from_unless_given(returns, chief):
    meeting = MeetingFactory(series__chair=chief)
    issue = CXIssueFactory(department=returns)
    initiative = InitiativeFactory(department=returns)

    def origin(**links) -> str:
        made = services.action_item_create(
            actor=chief, title="Do it", department=returns, due=DUE, **links
        )
        return ActionItem.objects.get(pk=made.pk).origin

    assert origin(meeting=meeting, cx_issue=issue, initiative_id=initiative.pk) == (
        ActionOrigin.MEETING
    )
    assert origin(cx_issue=issue, initiative_id=initiative.pk) == ActionOrigin.CX_ISSUE
    assert origin(initiative_id=initiative.pk) == ActionOrigin.INITIATIVE
    assert origin() == ActionOrigin.MANUAL
    assert origin(meeting=meeting, origin=ActionOrigin.MANUAL) == ActionOrigin.MANUAL


# --- Refused updates ---------------------------------------------------------------------------


def test_a_status_that_does_not_exist_is_refused(item, chief):
    messages = refused(item, actor=chief, expected_version=1, status="finished")
    assert set(messages) == {"status"}
    assert "'finished' is not a status" in messages["status"][0]


@pytest.mark.parametrize("note", ["", "   "])
def test_blocking_an_item_without_saying_what_blocks_it_is_refused(item, worker, note):
    messages = refused(item, actor=worker, expected_version=1, status=as_sent("blocked"), note=note)
    assert set(messages) == {"note"}


@pytest.mark.parametrize("title", ["", "   "])
def test_emptying_the_title_is_refused(item, worker, title):
    messages = refused(item, actor=worker, expected_version=1, title=title)
    assert set(messages) == {"title"}


def test_naming_an_owner_from_another_department_is_refused(item, sales, chief):
    seller = UserFactory(username="seller", role=Role.CONTRIBUTOR, department=sales)
    messages = refused(item, actor=chief, expected_version=1, owner_person=seller)
    assert set(messages) == {"owner_person"}
    assert "not in Returns" in messages["owner_person"][0]


def test_every_problem_of_one_save_is_named_and_nothing_of_it_is_written(item, sales, chief):
    seller = UserFactory(username="seller", role=Role.CONTRIBUTOR, department=sales)
    messages = refused(
        item,
        actor=chief,
        expected_version=1,
        status="nope",
        title=" ",
        owner_person=seller,
        due=DUE + timedelta(days=1),
        note="Trying",
    )
    assert set(messages) == {"status", "title", "owner_person"}


def test_a_stale_save_that_changes_nothing_still_conflicts(item, worker, chief):
    services.action_item_update(item_id=item.pk, actor=worker, expected_version=1, note="Started")
    before = stored(item)

    with pytest.raises(services.Conflict) as conflict:
        services.action_item_update(
            item_id=item.pk, actor=chief, expected_version=1, status=item.status, title=item.title
        )

    assert conflict.value.current_version == 2
    assert str(worker) in str(conflict.value)
    assert stored(item) == before


def test_a_stale_save_with_a_change_conflicts_and_writes_nothing(item, worker, chief):
    services.action_item_update(item_id=item.pk, actor=worker, expected_version=1, note="Started")
    before = stored(item)

    with pytest.raises(services.Conflict):
        services.action_item_update(
            item_id=item.pk, actor=chief, expected_version=1, status=ActionStatus.DONE
        )
    with pytest.raises(services.Conflict):
        services.action_item_update(item_id=item.pk, actor=chief, expected_version=3, note="Ahead")

    assert stored(item) == before


def test_a_failure_while_writing_the_history_leaves_the_item_as_it_was(item, worker, monkeypatch):
    before = stored(item)

    def broken(*args, **kwargs):
        raise RuntimeError("history table unavailable")

    monkeypatch.setattr(ActionItemEvent, "save", broken)
    with pytest.raises(RuntimeError):
        services.action_item_update(
            item_id=item.pk, actor=worker, expected_version=1, status=ActionStatus.IN_PROGRESS
        )
    monkeypatch.undo()

    assert stored(item) == before


# --- Allowed updates ---------------------------------------------------------------------------


def test_an_item_saved_hundreds_of_times_still_tells_fresh_from_stale(item, worker, chief):
    ActionItem.objects.filter(pk=item.pk).update(version=1000)
    before = stored(item)

    same = services.action_item_update(
        item_id=item.pk, actor=worker, expected_version=1000, status=ActionStatus.OPEN
    )
    assert same.version == 1000
    with pytest.raises(services.Conflict):
        services.action_item_update(item_id=item.pk, actor=chief, expected_version=999)
    with pytest.raises(services.Conflict):
        services.action_item_update(item_id=item.pk, actor=chief, expected_version=1001)
    assert stored(item) == before

    moved = services.action_item_update(
        item_id=item.pk, actor=worker, expected_version=1000, note="Still going"
    )
    assert moved.version == 1001


def test_a_conflict_on_an_item_without_history_names_someone_else_and_its_last_change(returns):
    bare = ActionItem.objects.create(title="Imported", department=returns, due=DUE, version=2)

    with pytest.raises(services.Conflict) as conflict:
        services.action_item_update(item_id=bare.pk, actor=returns.head, expected_version=1)

    assert conflict.value.changed_by == "someone else"
    assert conflict.value.changed_at == bare.updated_at
    assert str(conflict.value).startswith("This action item was changed by someone else at ")


def test_a_failure_while_writing_the_created_history_creates_no_item(returns, chief, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("history table unavailable")

    monkeypatch.setattr(ActionItemEvent, "save", broken)
    with pytest.raises(RuntimeError):
        services.action_item_create(actor=chief, title="Fix it", department=returns, due=DUE)
    monkeypatch.undo()

    assert ActionItem.objects.count() == 0


def test_a_fresh_save_that_changes_nothing_writes_nothing(item, worker):
    before = stored(item)

    same = services.action_item_update(
        item_id=item.pk,
        actor=worker,
        expected_version=1,
        status=ActionStatus.OPEN,
        title=" Refund within a week ",
        due=DUE,
        owner_person=worker,
        note="  ",
    )

    assert same.pk == item.pk and same.version == 1
    assert stored(item) == before


def test_a_save_that_changes_nothing_reads_the_item_once(item, worker):
    with CaptureQueriesContext(connection) as queries:
        services.action_item_update(item_id=item.pk, actor=worker, expected_version=1, note=" ")
    reads = [q["sql"] for q in queries if "accountability_actionitem" in q["sql"]]
    assert len(reads) == 1
    assert reads[0].lstrip().upper().startswith("SELECT")


def test_an_already_blocked_item_saved_blocked_again_needs_no_new_note(item, worker):
    services.action_item_update(
        item_id=item.pk,
        actor=worker,
        expected_version=1,
        status=ActionStatus.BLOCKED,
        note="Waiting on IT",
    )
    before = stored(item)

    services.action_item_update(
        item_id=item.pk, actor=worker, expected_version=2, status=ActionStatus.BLOCKED
    )

    assert stored(item) == before


def test_blocking_with_a_note_records_the_status_change_with_that_note(item, worker):
    updated = services.action_item_update(
        item_id=item.pk,
        actor=worker,
        expected_version=1,
        status=ActionStatus.BLOCKED,
        note="  Waiting on IT  ",
    )

    assert (updated.status, updated.version) == (ActionStatus.BLOCKED, 2)
    last = ActionItemEvent.objects.filter(action_item=item).latest("pk")
    assert (last.kind, last.from_status, last.to_status, last.note, last.actor) == (
        EventKind.STATUS,
        ActionStatus.OPEN,
        ActionStatus.BLOCKED,
        "Waiting on IT",
        worker,
    )
    assert ActionItemEvent.objects.filter(action_item=item).count() == 2


def test_done_sent_as_text_stamps_today_too(item, worker):
    done = services.action_item_update(
        item_id=item.pk, actor=worker, expected_version=1, status=as_sent("done"), today=TODAY
    )
    assert (done.status, done.completed_on) == (ActionStatus.DONE, TODAY)


def test_done_stamps_today_and_reopening_clears_it(item, worker):
    done = services.action_item_update(
        item_id=item.pk, actor=worker, expected_version=1, status=ActionStatus.DONE, today=TODAY
    )
    assert (done.status, done.completed_on) == (ActionStatus.DONE, TODAY)

    reopened = services.action_item_update(
        item_id=item.pk,
        actor=worker,
        expected_version=2,
        status=ActionStatus.IN_PROGRESS,
        today=TODAY,
    )
    assert (reopened.status, reopened.completed_on, reopened.version) == (
        ActionStatus.IN_PROGRESS,
        None,
        3,
    )


def test_done_without_a_date_is_stamped_with_todays_local_date(item, worker):
    late_evening = datetime(2026, 6, 10, 23, 30, tzinfo=ZoneInfo(settings.TIME_ZONE))
    with time_machine.travel(late_evening, tick=False):
        done = services.action_item_update(
            item_id=item.pk, actor=worker, expected_version=1, status=ActionStatus.DONE
        )
    assert done.completed_on == date(2026, 6, 10)


def test_a_note_alone_is_a_progress_note_and_a_new_version(item, worker):
    updated = services.action_item_update(
        item_id=item.pk, actor=worker, expected_version=1, note=" Called 12 customers "
    )

    assert (updated.status, updated.version) == (ActionStatus.OPEN, 2)
    last = ActionItemEvent.objects.filter(action_item=item).latest("pk")
    assert (last.kind, last.note, last.actor) == (EventKind.NOTE, "Called 12 customers", worker)


def test_editing_title_due_and_owner_is_one_edited_event_naming_each_change(item, returns, chief):
    new_due = DUE + timedelta(days=14)
    updated = services.action_item_update(
        item_id=item.pk,
        actor=chief,
        expected_version=1,
        title=" Refund within 3 days ",
        due=new_due,
        owner_person=returns.head,
    )

    assert (updated.title, updated.due, updated.owner_person, updated.version) == (
        "Refund within 3 days",
        new_due,
        returns.head,
        2,
    )
    [edited] = ActionItemEvent.objects.filter(action_item=item, kind=EventKind.EDITED)
    assert edited.note == (
        f"title → Refund within 3 days, due → {new_due}, owner person → {returns.head}"
    )
    assert edited.actor == chief
    assert not ActionItemEvent.objects.filter(action_item=item, kind=EventKind.NOTE).exists()


def test_a_due_date_moved_earlier_or_later_is_saved(item, worker):
    earlier = services.action_item_update(
        item_id=item.pk, actor=worker, expected_version=1, due=DUE - timedelta(days=3)
    )
    later = services.action_item_update(
        item_id=item.pk, actor=worker, expected_version=2, due=DUE + timedelta(days=3)
    )
    assert (earlier.due, later.due, later.version) == (
        DUE - timedelta(days=3),
        DUE + timedelta(days=3),
        3,
    )


def test_a_new_title_is_saved_whichever_way_it_sorts(item, worker):
    later = services.action_item_update(
        item_id=item.pk, actor=worker, expected_version=1, title="Refund within a year"
    )
    earlier = services.action_item_update(
        item_id=item.pk, actor=worker, expected_version=2, title="Refund at once"
    )
    assert (later.title, earlier.title, earlier.version) == (
        "Refund within a year",
        "Refund at once",
        3,
    )


def test_a_status_change_with_an_edit_records_both(item, worker):
    services.action_item_update(
        item_id=item.pk,
        actor=worker,
        expected_version=1,
        status=ActionStatus.IN_PROGRESS,
        title="Refund in 5 days",
        note="On it",
    )

    kinds = list(
        ActionItemEvent.objects.filter(action_item=item).order_by("pk").values_list("kind", "note")
    )
    assert kinds == [
        (EventKind.CREATED, ""),
        (EventKind.STATUS, "On it"),
        (EventKind.EDITED, "title → Refund in 5 days"),
    ]


def test_the_owner_can_be_cleared_and_is_left_alone_when_not_given(item, worker):
    services.action_item_update(item_id=item.pk, actor=worker, expected_version=1, note="x")
    assert ActionItem.objects.get(pk=item.pk).owner_person == worker

    cleared = services.action_item_update(
        item_id=item.pk, actor=worker, expected_version=2, owner_person=None
    )

    assert (cleared.owner_person, cleared.version) == (None, 3)
    edited = ActionItemEvent.objects.filter(action_item=item, kind=EventKind.EDITED).get()
    assert edited.note == "owner person → None"


def test_an_update_returns_the_item_as_stored_with_its_new_version(item, worker):
    updated = services.action_item_update(
        item_id=item.pk, actor=worker, expected_version=1, status=ActionStatus.IN_PROGRESS
    )
    row = ActionItem.objects.get(pk=item.pk)
    assert (updated.version, updated.status, updated.updated_at) == (
        row.version,
        row.status,
        row.updated_at,
    )
    assert updated.updated_at > item.updated_at
