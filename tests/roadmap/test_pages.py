"""The roadmap pages: what each persona sees and may do, and what the timeline draws."""

import json
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from roadmap.models import Initiative, Milestone
from tests.conftest import stored
from tests.roadmap.factories import (
    DependencyFactory,
    ExpectedResultFactory,
    InitiativeFactory,
    MilestoneFactory,
    PillarFactory,
    nps_rollup,
    this_year,
)

pytestmark = pytest.mark.django_db

READERS = ["cco", "executive", "head_a", "head_b", "contributor"]


def figure_in(response, figure_id):  # type: ignore[no-untyped-def]
    html = response.content.decode()
    start = html.index(f'<script id="{figure_id}" type="application/json">') + len(
        f'<script id="{figure_id}" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


@pytest.fixture
def owned(department_a):  # type: ignore[no-untyped-def]
    initiative = InitiativeFactory(department=department_a, title="Fix the first call")
    MilestoneFactory(initiative=initiative, title="Pilot", is_key=True)
    return initiative


@pytest.mark.parametrize("persona", READERS)
def test_every_role_reads_the_timeline_initiative_and_year_view(
    persona, request, client_for, owned
):
    client = client_for(request.getfixturevalue(persona))
    for url in (
        reverse("roadmap:timeline"),
        owned.get_absolute_url(),
        reverse("roadmap:years"),
        reverse("roadmap:export-initiatives"),
        reverse("roadmap:export-milestones"),
    ):
        assert client.get(url).status_code == 200, url


def test_an_outsider_without_a_role_is_refused(client_for, outsider, owned):
    client = client_for(outsider)
    assert client.get(reverse("roadmap:timeline")).status_code == 403
    assert client.get(owned.get_absolute_url()).status_code == 403


def test_an_anonymous_visitor_is_sent_to_sign_in(client, owned):
    response = client.get(owned.get_absolute_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_timeline_draws_every_initiative_with_a_link_today_line_and_arrows(
    client_for, cco, department_a
):
    pillar = PillarFactory(name="Know the customer")
    first = InitiativeFactory(pillar=pillar, department=department_a, title="Voice of customer")
    second = InitiativeFactory(
        pillar=pillar,
        department=department_a,
        title="Act on feedback",
        status="done",
        start_date=date(this_year() + 1, 1, 1),
        end_date=date(this_year() + 2, 6, 30),
    )
    DependencyFactory(initiative=second, depends_on=first)
    MilestoneFactory(initiative=first, title="Survey live", is_key=True)
    response = client_for(cco).get(reverse("roadmap:timeline"))
    figure = figure_in(response, "timeline-figure")
    bars = [trace for trace in figure["data"] if trace["type"] == "bar"]
    drawn = {url[0] for trace in bars for url in trace["customdata"]}
    assert drawn == {first.get_absolute_url(), second.get_absolute_url()}
    assert {trace["name"] for trace in bars} == {"Planned", "Done"}
    stars = next(t for t in figure["data"] if t["name"] == "Key accomplishment")
    assert stars["marker"]["symbol"] == "star"
    today = timezone.localdate().isoformat()
    assert any(shape.get("x0") == today for shape in figure["layout"]["shapes"])
    arrows = [a for a in figure["layout"]["annotations"] if a.get("showarrow")]
    assert len(arrows) == 1
    assert arrows[0]["ax"] == first.end_date.isoformat()
    assert "Q1" in " ".join(figure["layout"]["xaxis"]["ticktext"])
    # The year ticks sit above the plot; "Today" sits inside it, beside its line, not on them.
    label = next(a for a in figure["layout"]["annotations"] if a.get("text") == "Today")
    assert figure["layout"]["xaxis"]["side"] == "top"
    assert (label["y"], label["yanchor"], label["xanchor"]) == (1, "top", "left")


def test_the_timeline_filters_by_department_and_htmx_gets_the_partial(
    client_for, cco, department_a, department_b
):
    pillar = PillarFactory()
    InitiativeFactory(pillar=pillar, department=department_a, title="Ours")
    InitiativeFactory(pillar=pillar, department=department_b, title="Theirs")
    response = client_for(cco).get(
        reverse("roadmap:timeline"),
        {"roadmap": pillar.roadmap_id, "department": department_b.pk},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert "Theirs" in html and "Ours" not in html
    assert "<html" not in html


def test_the_timeline_with_no_roadmap_tells_the_cco_what_to_do(client_for, cco, executive):
    assert (
        "Create the five-year roadmap"
        in client_for(cco).get(reverse("roadmap:timeline")).content.decode()
    )
    html = client_for(executive).get(reverse("roadmap:timeline")).content.decode()
    assert "Create the five-year roadmap" not in html
    assert "The Chief Customer Officer creates it" in html


@pytest.mark.parametrize("size", [3, 12])
def test_the_timeline_costs_the_same_queries_whatever_the_size(
    size, client_for, cco, department_a, django_assert_num_queries
):
    pillar = PillarFactory()
    previous = None
    for index in range(size):
        initiative = InitiativeFactory(pillar=pillar, department=department_a)
        MilestoneFactory(initiative=initiative, title=f"Step {index}")
        ExpectedResultFactory(initiative=initiative)
        if previous:
            DependencyFactory(initiative=initiative, depends_on=previous)
        previous = initiative
    client = client_for(cco)
    # Session, user, roadmap; initiatives, their milestones, dependencies and expected results,
    # and those results' monthly roll-ups (for health); pillars for the tiles; the filter
    # form's roadmap, pillar and department choices.
    with django_assert_num_queries(13):
        assert client.get(reverse("roadmap:timeline")).status_code == 200


def test_the_initiative_page_reads_the_actual_score_against_the_promise(
    client_for, executive, department_a
):
    start = date(this_year() - 1, 1, 1)
    initiative = InitiativeFactory(
        department=department_a, start_date=start, end_date=date(this_year() + 1, 12, 31)
    )
    ExpectedResultFactory(initiative=initiative, baseline=10, target=30)
    last_month = (timezone.localdate().replace(day=1) - timedelta(days=1)).replace(day=1)
    nps_rollup(month=last_month, n=200, nps=40)
    response = client_for(executive).get(initiative.get_absolute_url())
    html = response.content.decode()
    assert "Achieved" in html
    figure = figure_in(response, f"result-figure-{initiative.expected_results.get().pk}")
    actual = next(t for t in figure["data"] if t["name"] == "Actual (monthly)")
    assert actual["y"] == [40.0]
    assert "error_y" in actual


def test_an_executive_sees_no_edit_controls_and_cannot_post(client_for, executive, owned):
    client = client_for(executive)
    html = client.get(owned.get_absolute_url()).content.decode()
    assert "Edit initiative" not in html
    assert "Tick done" not in html
    assert "Update progress" not in html
    milestone = owned.milestones.get()
    before = stored()
    assert (
        client.post(
            reverse("roadmap:milestone-done", args=[milestone.pk]), {"done": "1"}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("roadmap:initiative-progress", args=[owned.pk]), {"progress": 50}
        ).status_code
        == 403
    )
    milestone.refresh_from_db()
    assert milestone.done_date is None
    assert stored() == before


def test_the_owning_head_ticks_a_milestone_with_htmx(client_for, head_a, owned):
    milestone = owned.milestones.get()
    response = client_for(head_a).post(
        reverse("roadmap:milestone-done", args=[milestone.pk]),
        {"done": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Reopen" in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.done_date == timezone.localdate()


def test_the_owning_head_updates_progress_and_notes(client_for, head_a, owned):
    response = client_for(head_a).post(
        reverse("roadmap:initiative-progress", args=[owned.pk]),
        {"progress": 55, "notes": "Half the regions live", "note": ""},
    )
    assert response.status_code == 302
    owned.refresh_from_db()
    assert (owned.progress, owned.notes) == (55, "Half the regions live")


@pytest.mark.parametrize("persona", ["head_b", "contributor", "executive"])
def test_others_cannot_update_progress_or_milestones(persona, request, client_for, owned):
    client = client_for(request.getfixturevalue(persona))
    milestone = owned.milestones.get()
    before = stored()
    assert (
        client.post(
            reverse("roadmap:initiative-progress", args=[owned.pk]), {"progress": 9}
        ).status_code
        == 403
    )
    assert (
        client.post(
            reverse("roadmap:milestone-done", args=[milestone.pk]), {"done": "1"}
        ).status_code
        == 403
    )
    assert client.get(reverse("roadmap:milestone-create", args=[owned.pk])).status_code == 403
    owned.refresh_from_db()
    assert owned.progress is None
    assert stored() == before


@pytest.mark.parametrize("persona", ["head_a", "executive", "contributor"])
def test_only_the_cco_edits_the_initiative_itself(persona, request, client_for, owned):
    client = client_for(request.getfixturevalue(persona))
    before = stored()
    assert client.get(reverse("roadmap:initiative-edit", args=[owned.pk])).status_code == 403
    assert client.get(reverse("roadmap:initiative-create")).status_code == 403
    assert client.get(reverse("roadmap:expected-result-create", args=[owned.pk])).status_code == 403
    assert client.post(reverse("roadmap:initiative-delete", args=[owned.pk])).status_code == 403
    assert Initiative.objects.filter(pk=owned.pk).exists()
    assert stored() == before


def test_the_cco_moving_to_in_progress_without_results_sees_why_on_the_form(client_for, cco, owned):
    data = {
        "pillar": owned.pillar_id,
        "title": owned.title,
        "department": owned.department_id,
        "start_date": owned.start_date.isoformat(),
        "end_date": owned.end_date.isoformat(),
        "status": "in_progress",
    }
    client = client_for(cco)
    before = stored()
    response = client.post(reverse("roadmap:initiative-edit", args=[owned.pk]), data)
    assert response.status_code == 400
    assert "expected results are stated" in response.content.decode()
    owned.refresh_from_db()
    assert owned.status == "planned"
    assert stored() == before


def test_the_cco_adds_a_milestone_through_the_form(client_for, cco, owned):
    response = client_for(cco).post(
        reverse("roadmap:milestone-create", args=[owned.pk]),
        {"title": "Roll-out", "due_date": owned.end_date.isoformat(), "is_key": "on"},
    )
    assert response.status_code == 302
    assert Milestone.objects.get(title="Roll-out").is_key


def test_the_cco_states_an_expected_result_through_the_form(client_for, cco, owned):
    response = client_for(cco).post(
        reverse("roadmap:expected-result-create", args=[owned.pk]),
        {
            "metric": "nps",
            "where": "organisation:0",
            "baseline": "5",
            "target": "20",
            "by_date": owned.end_date.isoformat(),
        },
    )
    assert response.status_code == 302
    stated = owned.expected_results.get()
    assert (stated.target, stated.baseline) == (20, 5)
    # Left empty, the windows take their defaults.
    assert (stated.baseline_months, stated.time_to_impact) == (3, 3)


def test_the_cco_leaves_the_baseline_to_be_measured_and_sets_the_time_to_impact(
    client_for, cco, owned
):
    response = client_for(cco).post(
        reverse("roadmap:expected-result-create", args=[owned.pk]),
        {
            "metric": "nps",
            "where": "organisation:0",
            "baseline": "",
            "baseline_months": "6",
            "target": "20",
            "by_date": owned.end_date.isoformat(),
            "time_to_impact": "9",
        },
    )
    assert response.status_code == 302
    stated = owned.expected_results.get()
    assert (stated.baseline, stated.baseline_months, stated.time_to_impact) == (None, 6, 9)
    html = client_for(cco).get(owned.get_absolute_url()).content.decode()
    assert "Baseline (not measured)" in html
    assert "Too few responses before the start to measure it" in html
    assert "9 months" in html


def test_a_time_to_impact_past_five_years_is_refused_naming_the_field(client_for, cco, owned):
    response = client_for(cco).post(
        reverse("roadmap:expected-result-create", args=[owned.pk]),
        {
            "metric": "nps",
            "where": "organisation:0",
            "target": "20",
            "by_date": owned.end_date.isoformat(),
            "time_to_impact": "61",
        },
    )
    assert response.status_code == 400
    assert "time_to_impact" in response.context["form"].errors
    assert not owned.expected_results.exists()


def test_the_department_page_lists_the_initiatives_it_owns(client_for, head_b, owned):
    response = client_for(head_b).get(owned.department.get_absolute_url())
    html = response.content.decode()
    assert "Fix the first call" in html
    assert "Pilot" in html


def test_the_year_view_shows_key_accomplishments_by_year(client_for, executive, owned):
    html = client_for(executive).get(reverse("roadmap:years")).content.decode()
    assert "Pilot" in html
    assert f"{this_year() + 1}" in html


@pytest.mark.parametrize("size", [2, 10])
def test_the_initiative_page_and_year_view_cost_the_same_queries_whatever_the_size(
    size, client_for, cco, department_a, django_assert_num_queries
):
    pillar = PillarFactory()
    initiative = InitiativeFactory(pillar=pillar, department=department_a)
    ExpectedResultFactory(initiative=initiative)
    for index in range(size):
        MilestoneFactory(initiative=initiative, title=f"Step {index}", is_key=index % 2 == 0)
        other = InitiativeFactory(pillar=pillar, department=department_a)
        DependencyFactory(initiative=initiative, depends_on=other)
        DependencyFactory(initiative=InitiativeFactory(pillar=pillar), depends_on=initiative)
    client = client_for(cco)
    # Session, user, the permission fetch; the initiative, its milestones, dependencies and
    # dependents; its expected results and their roll-ups; its history; the dependency choices;
    # +2: the action items and the meeting decisions recorded against it (issue 16, links that
    # hold), one query each whatever their number; +1: its "You said, we did" change notes,
    # one query whatever their number.
    with django_assert_num_queries(14):
        assert client.get(initiative.get_absolute_url()).status_code == 200
    # Session, user, roadmap; key milestones and initiatives.
    with django_assert_num_queries(5):
        assert client.get(reverse("roadmap:years")).status_code == 200


def test_the_cco_creates_a_roadmap_and_a_pillar_through_the_pages(client_for, cco):
    previous = PillarFactory().roadmap
    client = client_for(cco)
    response = client.post(
        reverse("roadmap:roadmap-create"),
        {"name": "Plan 2027–2031", "start_year": 2027, "end_year": 2031, "make_current": "on"},
    )
    assert response.status_code == 302
    from roadmap.models import Roadmap

    roadmap = Roadmap.objects.get(name="Plan 2027–2031")
    assert roadmap.is_current
    previous.refresh_from_db()
    assert not previous.is_current
    response = client.post(
        reverse("roadmap:pillar-create", args=[roadmap.pk]),
        {"name": "Know the customer", "colour": "#1d4f91", "order": 1},
    )
    assert response.status_code == 302
    assert roadmap.pillars.get().name == "Know the customer"
    before = stored()
    backwards = client.post(
        reverse("roadmap:roadmap-create"),
        {"name": "Backwards", "start_year": 2030, "end_year": 2026},
    )
    assert backwards.status_code == 400
    assert "must not be before the start year" in backwards.content.decode()
    assert stored() == before


@pytest.mark.parametrize("persona", ["head_a", "executive", "contributor"])
def test_only_the_cco_creates_roadmaps_and_pillars(persona, request, client_for):
    pillar = PillarFactory()
    client = client_for(request.getfixturevalue(persona))
    before = stored()
    roadmap = {"name": "Plan 2027–2031", "start_year": 2027, "end_year": 2031}
    assert client.post(reverse("roadmap:roadmap-create"), roadmap).status_code == 403
    assert (
        client.post(
            reverse("roadmap:pillar-create", args=[pillar.roadmap_id]),
            {"name": "Know the customer", "colour": "#1d4f91", "order": 1},
        ).status_code
        == 403
    )
    assert client.get(reverse("roadmap:import")).status_code == 403
    assert stored() == before


def test_the_timeline_outlines_an_initiative_the_facts_put_at_risk(client_for, executive):
    initiative = InitiativeFactory(title="Late one", start_date=date(this_year() - 1, 1, 1))
    MilestoneFactory(initiative=initiative, due_date=date(this_year() - 1, 6, 1))
    figure = figure_in(client_for(executive).get(reverse("roadmap:timeline")), "timeline-figure")
    (bar,) = [trace for trace in figure["data"] if trace["type"] == "bar"]
    assert bar["marker"]["line"]["width"] == [3]
    assert any(trace["name"] == "At risk (derived health)" for trace in figure["data"])
