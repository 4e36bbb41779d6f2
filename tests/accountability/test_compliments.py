"""Compliments back to the people: collected from praise themes, flagged by hand, routed to a
team and a person, counted per month, and read only by those who may."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accountability import compliment_selectors as selectors
from accountability.models import Compliment
from accountability.models.compliments import ComplimentSource, PraiseTheme
from accountability.services import compliments as services
from cco.models import Role
from metrics.models import Theme
from metrics.services.themes import themes_reapply
from tests.conftest import stored
from tests.factories import UserFactory
from tests.metrics.factories import SurveyResponseFactory, TouchpointFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def touchpoint_b(department_b):
    return TouchpointFactory(department=department_b, name="Billing desk")


def _praise(name="Friendly staff", phrases=("friendly", "thank you")):
    theme = Theme.objects.create(name=name, phrases=list(phrases))
    PraiseTheme.objects.create(theme=theme)
    return theme


def _said(touchpoint, comment, **extra):
    return SurveyResponseFactory(touchpoint=touchpoint, score=10, comment=comment, **extra)


def test_the_response_link_has_no_database_key():
    assert Compliment._meta.get_field("response").db_constraint is False


def test_a_verbatim_mentioning_a_praise_theme_becomes_one_compliment_for_its_department(
    touchpoint_b, department_b
):
    _praise()
    Theme.objects.create(name="Waiting", phrases=["queue"])
    praised = _said(touchpoint_b, "So friendly, thank you Maria", customer_id="C-7")
    _said(touchpoint_b, "The queue was long")
    themes_reapply()
    assert services.compliments_collect() == 1
    assert services.compliments_collect() == 0
    compliment = Compliment.objects.get()
    assert compliment.response == praised
    assert compliment.department == department_b
    assert compliment.source == ComplimentSource.THEME
    assert compliment.theme.name == "Friendly staff"


def test_a_theme_not_marked_as_praise_makes_no_compliment(touchpoint_b):
    Theme.objects.create(name="Friendly staff", phrases=["friendly"])
    _said(touchpoint_b, "So friendly")
    themes_reapply()
    assert services.compliments_collect() == 0


def test_marking_a_theme_as_praise_collects_its_past_mentions(cco, touchpoint_b):
    theme = Theme.objects.create(name="Friendly staff", phrases=["friendly"])
    _said(touchpoint_b, "So friendly")
    themes_reapply()
    assert services.praise_themes_set(actor=cco, theme_ids=[str(theme.pk)]) == 1
    assert Compliment.objects.count() == 1


def test_an_imported_praising_response_becomes_a_compliment(
    touchpoint_b, django_capture_on_commit_callbacks
):
    """Through the ingest path: the signal queues themes, then the compliments (eager here)."""
    from metrics.services.ingest.python_path import response_import

    _praise()
    row = {
        "external_id": "praise-1",
        "touchpoint": touchpoint_b.slug,
        "metric": "nps",
        "score": "10",
        "responded_at": timezone.now().isoformat(),
        "comment": "Very friendly agent",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response_import(rows=[(1, row)])
    assert Compliment.objects.filter(response__external_id="praise-1").count() == 1


# -- by hand ------------------------------------------------------------------------------------


def test_a_head_flags_a_verbatim_for_a_person_of_the_department(
    client_for, head_b, department_b, touchpoint_b
):
    member = UserFactory(username="b-member", role=Role.CONTRIBUTOR, department=department_b)
    response = _said(touchpoint_b, "Ravi sorted it in minutes")
    answer = client_for(head_b).post(
        reverse("accountability:compliment-flag"),
        {"response": response.pk, "person": member.pk},
    )
    assert answer.status_code == 302
    compliment = Compliment.objects.get()
    assert (compliment.department, compliment.person, compliment.source) == (
        department_b,
        member,
        ComplimentSource.HAND,
    )
    assert compliment.flagged_by == head_b


@pytest.mark.parametrize("persona", ["contributor", "executive"])
def test_contributors_and_executives_do_not_flag_and_nothing_is_saved(
    request, client_for, touchpoint_b, persona
):
    response = _said(touchpoint_b, "Lovely")
    before = stored(Compliment)
    answer = client_for(request.getfixturevalue(persona)).post(
        reverse("accountability:compliment-flag"), {"response": response.pk}
    )
    assert answer.status_code == 403
    assert stored(Compliment) == before


def test_a_person_of_another_department_or_a_second_flag_is_400_naming_the_field(
    client_for, cco, contributor, touchpoint_b
):
    response = _said(touchpoint_b, "Lovely")
    wrong = client_for(cco).post(
        reverse("accountability:compliment-flag"),
        {"response": response.pk, "person": contributor.pk},
    )
    assert wrong.status_code == 400
    assert "person: " in wrong.content.decode()
    assert not Compliment.objects.exists()
    client_for(cco).post(reverse("accountability:compliment-flag"), {"response": response.pk})
    again = client_for(cco).post(
        reverse("accountability:compliment-flag"), {"response": response.pk}
    )
    assert again.status_code == 400
    assert "a compliment already" in again.content.decode()
    assert Compliment.objects.count() == 1


def test_a_response_without_a_comment_or_unknown_is_refused(cco, touchpoint_b):
    silent = _said(touchpoint_b, "")
    for value, message in ((silent.pk, "no comment"), ("nope", "No response")):
        with pytest.raises(Exception, match=message):
            services.compliment_flag(actor=cco, response_id=value)
    assert not Compliment.objects.exists()


def test_only_the_head_it_is_with_or_the_cco_routes_it(
    client_for, cco, head_a, head_b, department_a, department_b, touchpoint_b
):
    compliment = services.compliment_flag(actor=cco, response_id=_said(touchpoint_b, "Great").pk)
    url = reverse("accountability:compliment-route", args=[compliment.pk])
    refused = client_for(head_a).post(url, {"department": department_a.pk})
    assert refused.status_code == 403
    compliment.refresh_from_db()
    assert compliment.department == department_b
    moved = client_for(head_b).post(url, {"department": department_a.pk})
    assert moved.status_code == 302
    compliment.refresh_from_db()
    assert compliment.department == department_a


# -- who reads ----------------------------------------------------------------------------------


def test_the_person_sees_compliments_for_you_and_a_colleague_elsewhere_does_not(
    client_for, cco, contributor, department_b, touchpoint_b
):
    member = UserFactory(username="b-member", role=Role.CONTRIBUTOR, department=department_b)
    services.compliment_flag(
        actor=cco, response_id=_said(touchpoint_b, "Maria was wonderful").pk, person=member.pk
    )
    for page in ("accountability:home", "accountability:my-department"):
        html = client_for(member).get(reverse(page)).content.decode()
        assert "Compliments for you" in html and "Maria was wonderful" in html
    other = client_for(contributor)
    assert "Maria was wonderful" not in other.get(reverse("accountability:home")).content.decode()
    listing = other.get(reverse("accountability:compliment-list")).content.decode()
    assert "Maria was wonderful" not in listing
    peek = other.get(reverse("accountability:my-department") + f"?department={department_b.slug}")
    assert "Maria was wonderful" not in peek.content.decode()


def test_executives_read_every_compliment_with_the_customer_id_only(
    client_for, cco, executive, touchpoint_b
):
    services.compliment_flag(
        actor=cco, response_id=_said(touchpoint_b, "Kind people", customer_id="C-981").pk
    )
    html = client_for(executive).get(reverse("accountability:compliment-list")).content.decode()
    assert "Kind people" in html and "customer C-981" in html
    assert "Pass it on" not in html and "Praise themes" not in html


def test_the_department_page_counts_compliments_per_month_from_the_first_day(
    client_for, cco, contributor, department_b, touchpoint_b
):
    today = timezone.localdate()
    first = datetime(today.year, today.month, 1, 0, 5, tzinfo=timezone.get_current_timezone())
    before = first - timedelta(minutes=10)
    for when in (first, first, before):
        response = _said(touchpoint_b, "Thanks", responded_at=when)
        services.compliment_flag(actor=cco, response_id=response.pk)
    counts = selectors.monthly_counts(department_b.pk, today=today)
    assert len(counts) == selectors.MONTHS_COUNTED
    assert counts[-1].count == 2
    assert counts[-2].count == 1
    html = (
        client_for(contributor)
        .get(reverse("department-detail", args=[department_b.slug]))
        .content.decode()
    )
    assert "Compliments from customers" in html


def test_the_demo_routes_compliments_to_people():
    from accountability.compliment_demo import seed_compliments

    department = TouchpointFactory().department
    UserFactory(username="demo-member", role=Role.CONTRIBUTOR, department=department)
    theme = Theme.objects.create(name="Friendly staff", phrases=["friendly"])
    touchpoint = TouchpointFactory(department=department)
    _said(touchpoint, "friendly")
    themes_reapply()
    made = seed_compliments()
    assert made == {"compliments": 1, "routed": 1}
    assert PraiseTheme.objects.get().theme == theme
    assert Compliment.objects.get().person is not None


def test_the_api_lists_only_the_compliments_the_reader_may_see(
    api_for, cco, executive, contributor, department_b, touchpoint_b
):
    member = UserFactory(username="b-member", role=Role.CONTRIBUTOR, department=department_b)
    services.compliment_flag(
        actor=cco, response_id=_said(touchpoint_b, "Great team", customer_id="C-5").pk
    )
    rows = api_for(executive).get("/api/compliments/").json()["results"]
    assert [(r["comment"], r["customer_id"]) for r in rows] == [("Great team", "C-5")]
    assert len(api_for(member).get("/api/compliments/").json()["results"]) == 1
    assert api_for(contributor).get("/api/compliments/").json()["results"] == []
