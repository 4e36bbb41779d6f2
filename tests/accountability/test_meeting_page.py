"""The meeting page with a long agenda: a bar always on screen, one pair of record dialogs,
the agenda by section and department, the parking lot loaded only when opened, and a wrap-up
that reads back the new action items."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accountability import selectors, services
from accountability.models import AgendaItem
from tests.accountability.factories import MeetingFactory, MeetingSeriesFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(cco, department_a, department_b):
    meeting = MeetingFactory(series=MeetingSeriesFactory(chair=cco, duration_minutes=45))
    services.meeting_open(meeting_id=meeting.pk, actor=cco)
    AgendaItem.objects.filter(meeting=meeting).delete()

    def add(title, department, order, *, parked=False, minutes=5):
        return AgendaItem.objects.create(
            meeting=meeting,
            kind="manual",
            title=title,
            department=department,
            order=order,
            planned_minutes=0 if parked else minutes,
            parked=parked,
        )

    add("Billing first", department_b, 1)
    add("Service second", department_a, 2)
    add("Billing third", department_b, 3, minutes=10)
    add("Nobody's fourth", None, 4)
    add("Parked refund backlog", department_a, 5, parked=True)
    return meeting


def test_a_section_groups_its_items_by_department_in_ranked_order(running):
    *sections, parking = selectors.agenda_groups(meeting=running)
    (section,) = [s for s in sections if s.items]
    assert section.name == "CX issues to solve"  # items added by hand are issues to solve

    departments = section.by_department

    assert [(d.name, [i.title for i in d.items], d.minutes) for d in departments] == [
        ("Billing", ["Billing first", "Billing third"], 15),
        ("Customer service", ["Service second"], 5),
        ("General", ["Nobody's fourth"], 5),
    ]
    assert parking.parked and [i.title for i in parking.items] == ["Parked refund backlog"]


def test_the_bar_carries_the_clock_the_section_and_both_ways_to_record(client_for, cco, running):
    html = client_for(cco).get(reverse("accountability:meeting-run", args=[running.pk]))
    html = html.content.decode()

    bar = html.split('<div class="meeting-bar" id="meeting-bar">', 1)[1].split("</div>\n</div>")[0]
    assert 'id="meeting-timer"' in bar and 'data-duration-minutes="45"' in bar
    assert 'id="bar-section">Check-in<' in bar  # the first section, before the clock runs
    assert 'data-open-dialog="decision-dialog" aria-keyshortcuts="d"' in bar
    assert 'data-open-dialog="action-dialog" aria-keyshortcuts="a"' in bar
    # One decision form and one action-item form on the page, in their dialogs.
    assert html.count(f'hx-post="{reverse("accountability:decision-add", args=[running.pk])}"') == 1
    action_url = reverse("accountability:meeting-action-add", args=[running.pk])
    assert html.count(f'hx-post="{action_url}"') == 1
    assert '<dialog id="decision-dialog"' in html and '<dialog id="action-dialog"' in html
    # Every named section in the order the meeting runs them, summing to its 45 minutes: 3 each
    # for the fixed ones (a twelfth), the items' 25 and the 11 no item takes to the issues.
    sections = [
        ("Check-in", 3),
        ("Scorecard and KPIs", 0),
        ("Roadmap milestones", 0),
        ("CX issues to solve", 36),
        ("Action-item review", 0),
        ("Headlines", 3),
        ("Wrap-up", 3),
    ]
    marks = "".join(f'data-section="{name}" data-minutes="{minutes}"' for name, minutes in sections)
    found = "".join(
        line.split('<section class="agenda-section" ', 1)[1].rstrip(">")
        for line in html.splitlines()
        if '<section class="agenda-section" data-section=' in line
    )
    assert found == marks


def test_the_agenda_is_collapsible_by_department_and_the_parking_lot_waits_to_be_opened(
    client_for, cco, running
):
    html = client_for(cco).get(reverse("accountability:meeting-run", args=[running.pk]))
    html = html.content.decode()

    assert html.count('<details class="agenda-department" open>') == 3
    assert '<summary>Billing <span class="muted">· 2 items · 15 min</span></summary>' in html
    lot_url = reverse("accountability:meeting-parking-lot", args=[running.pk])
    assert f'<details class="agenda-section parking-lot" hx-get="{lot_url}"' in html
    assert "1 item, ranked below" in html
    assert "Parked refund backlog" not in html  # loaded only when opened
    assert "Parked refund backlog" not in html.split("<dialog", 1)[-1]


def test_the_parking_lot_partial_lists_the_parked_items(client_for, cco, executive, running):
    url = reverse("accountability:meeting-parking-lot", args=[running.pk])

    for_cco = client_for(cco).get(url, HTTP_HX_REQUEST="true").content.decode()
    for_executive = client_for(executive).get(url, HTTP_HX_REQUEST="true").content.decode()

    assert "Parked refund backlog" in for_cco and "Parked refund backlog" in for_executive
    assert "Billing first" not in for_cco
    assert "<form" in for_cco  # the CCO can still take notes on a parked item
    assert "<form" not in for_executive
    assert 'data-open-dialog="decision-dialog"' not in for_cco  # parked: not discussed now


def test_an_empty_parking_lot_says_so(client_for, cco, running):
    AgendaItem.objects.filter(parked=True).delete()
    url = reverse("accountability:meeting-parking-lot", args=[running.pk])

    page = client_for(cco).get(reverse("accountability:meeting-run", args=[running.pk]))
    partial = client_for(cco).get(url)

    assert "parking-lot" not in page.content.decode()
    assert "The parking lot is empty." in partial.content.decode()


def test_wrap_up_reads_back_the_new_action_items_with_owner_and_due_date(
    client_for, cco, head_b, department_b, running
):
    due = timezone.localdate() + timedelta(days=9)
    client = client_for(cco)
    client.post(
        reverse("accountability:meeting-action-add", args=[running.pk]),
        {
            "title": "Roster a night agent",
            "department": department_b.pk,
            "owner_person": head_b.pk,
            "due": due.isoformat(),
            "agenda_item": running.agenda.get(title="Billing first").pk,
        },
        HTTP_HX_REQUEST="true",
    )

    html = client.get(reverse("accountability:meeting-run", args=[running.pk])).content.decode()

    wrap_up = html.split('id="wrap-up"', 1)[1]
    assert "Roster a night agent" in wrap_up
    assert f"{department_b}, {head_b} · due {due.day} {due:%b}" in wrap_up


def test_a_decision_from_the_dialog_keeps_its_agenda_item_and_a_refusal_shows_the_text(
    client_for, cco, running
):
    item = running.agenda.get(title="Billing third")
    url = reverse("accountability:decision-add", args=[running.pk])

    saved = client_for(cco).post(
        url, {"text": "Add a night agent", "agenda_item": item.pk}, HTTP_HX_REQUEST="true"
    )
    refused = client_for(cco).post(
        url, {"text": "  ", "agenda_item": item.pk}, **{"HTTP_HX_REQUEST": "true"}
    )

    assert saved.status_code == 200
    assert running.decisions.get().agenda_item_id == item.pk
    assert refused.status_code == 400
    assert "The decision was not recorded" in refused.content.decode()
    assert running.decisions.count() == 1


def test_an_item_added_by_hand_joins_both_dialogs_choices(client_for, cco, department_b, running):
    response = client_for(cco).post(
        reverse("accountability:agenda-add", args=[running.pk]),
        {"title": "Peak season readiness", "department": department_b.pk},
        HTTP_HX_REQUEST="true",
    )

    html = response.content.decode()
    item = running.agenda.get(title="Peak season readiness")
    assert html.count('class="card agenda-item') == 1
    assert (
        '<select hx-swap-oob="beforeend:#id_decision_agenda_item">'
        f'<option value="{item.pk}">Peak season readiness</option></select>'
    ) in html
    assert (
        '<select hx-swap-oob="beforeend:#id_action_agenda_item">'
        f'<option value="{item.pk}" data-department="{department_b.pk}">'
    ) in html
