"""The blockers list at size: pages of BLOCKERS_PER_PAGE, newest first, links that keep the
filters, a ?page= out of range or not a number read as Django's get_page reads it, and a page's
queries that do not grow with its rows."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accountability.models import Blocker, BlockerStatus, BlockerVoice
from accountability.views.blockers import BLOCKERS_PER_PAGE
from tests.factories import UserFactory
from tests.metrics.factories import TouchpointFactory

pytestmark = pytest.mark.django_db

URL = reverse("accountability:blocker-list")


def _many(department, count, *, status=BlockerStatus.OPEN, touchpoint=None):
    """`count` blockers, raised a minute apart, the last one newest."""
    now = timezone.now()
    answered = status != BlockerStatus.OPEN
    return Blocker.objects.bulk_create(
        Blocker(
            title=f"Blocker {n}",
            department=department,
            touchpoint=touchpoint,
            raised_at=now - timedelta(minutes=count - n),
            answer_due=timezone.localdate() + timedelta(days=5),
            status=status,
            answer="Seen" if answered else "",
            answered_at=now if answered else None,
            resolved_at=now if status == BlockerStatus.RESOLVED else None,
        )
        for n in range(count)
    )


def test_the_list_shows_pages_of_fifty_newest_first(contributor, department_b, client_for):
    assert BLOCKERS_PER_PAGE == 50
    raised = _many(department_b, 2 * BLOCKERS_PER_PAGE + 1)
    newest_first = [b.pk for b in reversed(raised)]
    client = client_for(contributor)
    seen = []
    for number, rows in ((1, 50), (2, 50), (3, 1)):
        response = client.get(URL, {"page": number})
        assert response.status_code == 200
        assert len(response.context["blockers"]) == rows
        seen += [b.pk for b in response.context["blockers"]]
        assert f"Page {number} of 3, 101 blockers." in response.content.decode()
    assert seen == newest_first


def test_exactly_one_page_of_blockers_has_no_page_links(contributor, department_b, client_for):
    _many(department_b, BLOCKERS_PER_PAGE)
    html = client_for(contributor).get(URL).content.decode()
    assert "Page 1 of 1, 50 blockers." in html
    assert 'aria-label="Pages of blockers"' not in html


@pytest.mark.parametrize(
    ("asked", "shown"),
    [("3", 3), ("4", 3), ("999", 3), ("0", 3), ("-1", 3), ("two", 1), ("", 1)],
)
def test_a_page_out_of_range_reads_the_last_and_one_not_a_number_the_first(
    contributor, department_b, client_for, asked, shown
):
    _many(department_b, 2 * BLOCKERS_PER_PAGE + 1)
    response = client_for(contributor).get(URL, {"page": asked})
    assert response.status_code == 200
    assert response.context["page"].number == shown
    assert f"Page {shown} of 3, 101 blockers." in response.content.decode()


def test_page_links_keep_the_status_and_department_filters(
    contributor, department_a, department_b, client_for
):
    _many(department_b, BLOCKERS_PER_PAGE + 1, status=BlockerStatus.RESOLVED)
    _many(department_b, 3)
    _many(department_a, 2, status=BlockerStatus.RESOLVED)
    response = client_for(contributor).get(
        URL, {"show": "resolved", "department": department_b.slug, "page": "2"}
    )
    html = response.content.decode()
    assert "Page 2 of 2, 51 blockers." in html
    assert [b.department_id for b in response.context["blockers"]] == [department_b.pk]
    keep = f"?show=resolved&amp;department={department_b.slug}"
    assert f'href="{keep}&amp;page=1" rel="prev"' in html
    assert f'href="{keep}&amp;page=1">First' in html
    assert 'rel="next"' not in html


def test_a_page_costs_the_same_queries_for_one_row_or_fifty(
    contributor, department_a, department_b, client_for, django_assert_num_queries
):
    client = client_for(contributor)
    touchpoint = TouchpointFactory(department=department_b)
    first = _many(department_b, 1, touchpoint=touchpoint)
    voices = [UserFactory(username=f"voice-{n}") for n in range(3)]
    BlockerVoice.objects.bulk_create(BlockerVoice(blocker=first[0], person=p) for p in voices)
    client.get(URL)  # the session and the sign-in's own reads
    # 7: the session, its user, the departments and the touch points of the filter and raise
    # form, the count of blockers, the page's rows (department and touch point joined, voices
    # counted in a subquery) and the reader's own department in the header; none per row.
    with django_assert_num_queries(7):
        one = client.get(URL)
    assert [b.voice_count for b in one.context["blockers"]] == [3]
    blockers = _many(department_b, 60, touchpoint=touchpoint) + _many(department_a, 40)
    BlockerVoice.objects.bulk_create(BlockerVoice(blocker=b, person=voices[0]) for b in blockers)
    with django_assert_num_queries(7):
        fifty = client.get(URL)
    assert len(fifty.context["blockers"]) == BLOCKERS_PER_PAGE
    assert "Page 1 of 3, 101 blockers." in fifty.content.decode()
