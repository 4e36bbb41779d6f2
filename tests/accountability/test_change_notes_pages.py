""" "You said, we did" pages and API: notes grouped by journey (under each journey their touch
points are on), filtered by journey and quarter; the publish form only where it may be used;
bad input named, nothing saved."""

from datetime import date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accountability.models import ChangeNote, CXIssueStatus
from accountability.services.notes import change_note_publish
from metrics.models import Theme
from roadmap.models import Status
from tests.accountability.factories import CXIssueFactory
from tests.metrics.factories import JourneyFactory, JourneyStageFactory, TouchpointFactory
from tests.roadmap.factories import InitiativeFactory

pytestmark = pytest.mark.django_db

LIST = reverse("accountability:change-notes")
TEXT = {"title": "Refunds in a day", "you_said": "A month is too long", "we_did": "One approval"}


def _touchpoint(journey, department, name):
    return TouchpointFactory(
        stage=JourneyStageFactory(journey=journey), department=department, name=name
    )


@pytest.fixture
def journeys():
    return JourneyFactory(name="Billing", order=1), JourneyFactory(name="Onboarding", order=2)


@pytest.fixture
def touchpoint(journeys, department_b):
    return _touchpoint(journeys[0], department_b, "Invoice query")


@pytest.fixture
def resolved_issue(department_b, touchpoint):
    return CXIssueFactory(
        department=department_b, touchpoint=touchpoint, status=CXIssueStatus.RESOLVED,
        root_cause="Three approvals", remediation_plan="One approval",
    )  # fmt: skip


def _publish(actor, issue, **extra):
    return change_note_publish(actor=actor, cx_issue_id=issue.pk, **{**TEXT, **extra})


def _sections(html: str) -> list[str]:
    """The journey headings of the page, in order."""
    return [part.split(">", 1)[1].split("<", 1)[0] for part in html.split('<h2 id="journey-')[1:]]


def test_a_note_appears_under_each_journey_its_touch_points_are_on(
    client_for, contributor, cco, resolved_issue, journeys, department_b, touchpoint
):
    welcome = _touchpoint(journeys[1], department_b, "Welcome call")
    _publish(cco, resolved_issue, touchpoint_ids=[touchpoint.pk, welcome.pk], title="Both")
    _publish(cco, resolved_issue, title="Billing only")
    html = client_for(contributor).get(LIST).content.decode()
    assert _sections(html) == ["Billing", "Onboarding"]
    billing, onboarding = html.split('<h2 id="journey-')[1:]
    assert "Both" in billing and "Billing only" in billing
    assert "Both" in onboarding and "Billing only" not in onboarding


def test_the_page_filters_by_journey_and_by_quarter(
    client_for, executive, cco, resolved_issue, journeys, department_b, touchpoint
):
    welcome = _touchpoint(journeys[1], department_b, "Welcome call")
    _publish(cco, resolved_issue, touchpoint_ids=[touchpoint.pk, welcome.pk], title="Both")
    old = _publish(cco, resolved_issue, title="Last year")
    ChangeNote.objects.filter(pk=old.pk).update(
        published_at=datetime(2025, 3, 31, 23, 30, tzinfo=timezone.get_current_timezone())
    )
    page = client_for(executive)
    by_journey = page.get(LIST, {"journey": journeys[1].slug}).content.decode()
    assert _sections(by_journey) == ["Onboarding"]
    q1 = page.get(LIST, {"period": "2025-Q1"}).content.decode()
    assert "Last year" in q1 and "Both" not in q1
    # The quarter's last evening is in it; the next quarter starts the day after.
    assert "Last year" not in page.get(LIST, {"period": "2025-Q2"}).content.decode()
    everything = page.get(LIST, {"period": "nonsense"}).content.decode()
    assert "Last year" in everything and "Both" in everything
    assert '<option value="2025-Q1"' in everything


def test_the_page_reads_a_fixed_number_of_queries(
    client_for, contributor, cco, resolved_issue, django_assert_num_queries
):
    page = client_for(contributor)
    _publish(cco, resolved_issue)
    page.get(LIST)
    with CaptureQueriesContext(connection) as one_note:
        page.get(LIST)
    for n in range(5):
        _publish(cco, resolved_issue, title=f"Note {n}")
    with django_assert_num_queries(len(one_note.captured_queries)):
        page.get(LIST)


def test_the_navigation_links_the_page_and_marks_one_item_current(client_for, contributor):
    page = client_for(contributor)
    own = page.get(LIST).content.decode()
    assert f'href="{LIST}" aria-current="page">You said, we did</a>' in own
    assert own.count('aria-current="page"') == 1
    other = page.get(reverse("accountability:blocker-list")).content.decode()
    assert f'href="{LIST}">You said, we did</a>' in other
    assert '<a href="/accountability/" aria-current="page">Accountability</a>' in other
    assert other.count('aria-current="page"') == 1


def test_the_resolved_issue_page_offers_the_form_to_the_owning_head_only(
    client_for, head_b, head_a, executive, resolved_issue, department_b, touchpoint
):
    url = resolved_issue.get_absolute_url()
    publish = reverse("accountability:change-note-issue", args=[resolved_issue.pk])
    assert f'action="{publish}"' in client_for(head_b).get(url).content.decode()
    for person in (head_a, executive):
        assert f'action="{publish}"' not in client_for(person).get(url).content.decode()
    agreed = CXIssueFactory(
        department=department_b, touchpoint=touchpoint, status=CXIssueStatus.PLAN_AGREED,
        root_cause="a", remediation_plan="b",
    )  # fmt: skip
    html = client_for(head_b).get(agreed.get_absolute_url()).content.decode()
    assert "Publish change note" not in html


def test_publishing_from_the_issue_page_shows_the_note_everywhere(
    client_for, head_b, contributor, resolved_issue, touchpoint
):
    url = reverse("accountability:change-note-issue", args=[resolved_issue.pk])
    response = client_for(head_b).post(url, {**TEXT, "touchpoints": [touchpoint.pk]})
    note = ChangeNote.objects.get()
    assert response.status_code == 302 and response["Location"] == note.get_absolute_url()
    reader = client_for(contributor)
    for page in (resolved_issue.get_absolute_url(), touchpoint.get_absolute_url(), LIST):
        assert "One approval" in reader.get(page).content.decode(), page


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"we_did": "a" * 501}, "What we did", "at most 500"),
        ({"touchpoints": []}, "Touch points it answers", "at least one touch point"),
        ({"themes": ["9999"]}, "Themes it answers", "9999"),
    ],
)
def test_bad_input_on_the_page_is_named_and_nothing_is_saved(
    client_for, head_b, resolved_issue, touchpoint, change, field, words
):
    url = reverse("accountability:change-note-issue", args=[resolved_issue.pk])
    body = {**TEXT, "touchpoints": [touchpoint.pk], **change}
    response = client_for(head_b).post(url, body)
    html = response.content.decode()
    assert response.status_code == 400
    assert f"<li>{field}:" in html and words in html.lower()
    assert not ChangeNote.objects.exists()


def test_an_unresolved_issue_is_refused_on_the_page(client_for, head_b, department_b, touchpoint):
    issue = CXIssueFactory(department=department_b, touchpoint=touchpoint)
    url = reverse("accountability:change-note-issue", args=[issue.pk])
    response = client_for(head_b).post(url, {**TEXT, "touchpoints": [touchpoint.pk]})
    assert response.status_code == 400
    assert "publish a change note once it is resolved" in response.content.decode()
    assert not ChangeNote.objects.exists()


def test_the_delivered_initiative_page_links_the_form_and_shows_its_notes(
    client_for, head_b, head_a, cco, department_b, touchpoint
):
    initiative = InitiativeFactory(department=department_b, status=Status.DONE, driver=touchpoint)
    publish = reverse("accountability:change-note-initiative", args=[initiative.pk])
    url = initiative.get_absolute_url()
    assert publish in client_for(head_b).get(url).content.decode()
    assert publish not in client_for(head_a).get(url).content.decode()
    form = client_for(head_b).get(publish).content.decode()
    assert f'value="{touchpoint.pk}"' in form and "checked" in form
    change_note_publish(actor=cco, initiative_id=initiative.pk, **TEXT)
    assert "One approval" in client_for(head_a).get(url).content.decode()
    initiative.status = Status.AT_RISK
    initiative.save()
    assert publish not in client_for(head_b).get(url).content.decode()


def test_the_note_page_edits_with_the_version_read(client_for, head_b, cco, resolved_issue):
    note = _publish(cco, resolved_issue)
    url = note.get_absolute_url()
    body = {**TEXT, "touchpoints": [resolved_issue.touchpoint_id], "version": 1}
    assert client_for(head_b).post(url, {**body, "we_did": "Same day"}).status_code == 302
    stale = client_for(cco).post(url, {**body, "we_did": "Stale"})
    assert stale.status_code == 409 and "changed by" in stale.content.decode()
    assert ChangeNote.objects.get().we_did == "Same day"


API = reverse("change-note-list")


def test_the_api_lists_notes_by_journey_touch_point_and_theme(
    api_for, executive, cco, resolved_issue, journeys, department_b, touchpoint
):
    welcome = _touchpoint(journeys[1], department_b, "Welcome call")
    theme = Theme.objects.create(name="Refunds")
    both = _publish(cco, resolved_issue, touchpoint_ids=[touchpoint.pk, welcome.pk])
    billing = _publish(cco, resolved_issue, theme_ids=[theme.pk])
    api = api_for(executive)

    def ids(**query):
        return sorted(row["id"] for row in api.get(API, query).json()["results"])

    assert ids() == sorted([both.pk, billing.pk])
    assert ids(journey=journeys[1].pk) == [both.pk]
    assert ids(journey=journeys[0].pk) == sorted([both.pk, billing.pk])
    assert ids(touchpoint=welcome.pk) == [both.pk]
    assert ids(theme=theme.pk) == [billing.pk]
    row = api.get(reverse("change-note-detail", args=[both.pk])).json()
    assert row["journeys"] == sorted(journey.pk for journey in journeys)
    assert row["touchpoints"] == sorted([touchpoint.pk, welcome.pk])


def test_the_api_publishes_with_the_sources_touch_points_by_default(
    api_for, head_b, resolved_issue, touchpoint
):
    response = api_for(head_b).post(API, {**TEXT, "cx_issue": resolved_issue.pk}, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["touchpoints"] == [touchpoint.pk]
    assert ChangeNote.objects.get().published_by == head_b


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"we_did": "a" * 501}, "we_did"),
        ({"touchpoints": []}, "touchpoints"),
        ({"themes": [9999]}, "themes"),
        ({"cx_issue": None}, "source"),
    ],
)
def test_bad_input_through_the_api_is_named_and_nothing_is_saved(
    api_for, cco, resolved_issue, change, field
):
    body = {**TEXT, "cx_issue": resolved_issue.pk, **change}
    response = api_for(cco).post(API, body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not ChangeNote.objects.exists()


def test_the_api_refuses_an_undelivered_initiative_naming_it(api_for, cco, department_b):
    initiative = InitiativeFactory(department=department_b, status=Status.IN_PROGRESS)
    response = api_for(cco).post(API, {**TEXT, "initiative": initiative.pk}, format="json")
    assert response.status_code == 400
    assert "delivered" in response.json()["initiative"][0]
    assert not ChangeNote.objects.exists()


def test_another_head_is_refused_through_the_api(api_for, head_a, resolved_issue):
    response = api_for(head_a).post(API, {**TEXT, "cx_issue": resolved_issue.pk}, format="json")
    assert response.status_code == 403
    assert not ChangeNote.objects.exists()


def test_the_board_pack_lists_the_quarters_notes_only(cco, resolved_issue):
    import io

    from pypdf import PdfReader

    from overview.board_pack import Quarter
    from overview.board_pack_pdf import board_pack_pdf

    inside = _publish(cco, resolved_issue, we_did="One approval for refunds")
    outside = _publish(cco, resolved_issue, we_did="Earlier fix")
    zone = timezone.get_current_timezone()
    ChangeNote.objects.filter(pk=inside.pk).update(
        published_at=datetime(2026, 7, 1, 0, 0, tzinfo=zone)
    )
    ChangeNote.objects.filter(pk=outside.pk).update(
        published_at=datetime(2026, 6, 30, 23, 59, tzinfo=zone)
    )
    pdf = board_pack_pdf(Quarter(2026, 3), today=date(2026, 10, 5))
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "You said, we did" in text
    assert "One approval for refunds" in text and "Earlier fix" not in text
