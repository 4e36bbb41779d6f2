"""The roadmap API: the same rules and permissions as the pages."""

from datetime import UTC, date, datetime

import pytest

from roadmap.models import Dependency, Initiative, Milestone, Roadmap
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


@pytest.fixture
def owned(department_a):  # type: ignore[no-untyped-def]
    return InitiativeFactory(department=department_a, title="Fix the first call")


@pytest.mark.parametrize("persona", ["cco", "executive", "head_a", "head_b", "contributor"])
def test_every_role_lists_initiatives_with_derived_health(persona, request, api_for, owned):
    MilestoneFactory(initiative=owned, due_date=date(this_year(), 1, 2))
    response = api_for(request.getfixturevalue(persona)).get("/api/initiatives/")
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["title"] == "Fix the first call"
    assert row["health"] == "at_risk"
    assert row["rolled_up_progress"] == 0


def test_an_outsider_and_an_anonymous_caller_are_refused(api_for, outsider, owned):
    assert api_for(outsider).get("/api/initiatives/").status_code == 403
    assert api_for(None).get("/api/initiatives/").status_code in (401, 403)


def test_the_cco_creates_an_initiative_and_bad_dates_name_the_field(api_for, cco, department_a):
    pillar = PillarFactory()
    payload = {
        "pillar": pillar.pk,
        "title": "Listen everywhere",
        "department": department_a.pk,
        "start_date": f"{this_year()}-03-01",
        "end_date": f"{this_year()}-02-01",
    }
    response = api_for(cco).post("/api/initiatives/", payload)
    assert response.status_code == 400
    assert "must be after the start date" in response.json()["end_date"][0]
    assert not Initiative.objects.exists()
    payload["end_date"] = f"{this_year() + 1}-02-01"
    assert api_for(cco).post("/api/initiatives/", payload).status_code == 201


@pytest.mark.parametrize("persona", ["head_a", "executive", "contributor"])
def test_only_the_cco_creates_initiatives(persona, request, api_for, department_a):
    pillar = PillarFactory()
    response = api_for(request.getfixturevalue(persona)).post(
        "/api/initiatives/",
        {
            "pillar": pillar.pk,
            "title": "Sneaky",
            "department": department_a.pk,
            "start_date": f"{this_year()}-03-01",
            "end_date": f"{this_year() + 1}-02-01",
        },
    )
    assert response.status_code == 403
    assert not Initiative.objects.filter(title="Sneaky").exists()


def test_the_owning_head_patches_progress_but_not_dates(api_for, head_a, owned):
    api = api_for(head_a)
    assert api.patch(f"/api/initiatives/{owned.pk}/", {"progress": 30}).status_code == 200
    refused = api.patch(f"/api/initiatives/{owned.pk}/", {"end_date": f"{this_year() + 1}-06-30"})
    assert refused.status_code == 403
    owned.refresh_from_db()
    assert owned.progress == 30
    assert owned.end_date == date(this_year() + 1, 12, 31)


@pytest.mark.parametrize("persona", ["head_b", "executive", "contributor"])
def test_others_cannot_patch_the_initiative(persona, request, api_for, owned):
    response = api_for(request.getfixturevalue(persona)).patch(
        f"/api/initiatives/{owned.pk}/", {"progress": 30}
    )
    assert response.status_code == 403
    owned.refresh_from_db()
    assert owned.progress is None


def test_the_owning_head_adds_and_ticks_a_milestone_but_the_other_head_cannot(
    api_for, head_a, head_b, owned
):
    payload = {"initiative": owned.pk, "title": "Pilot", "due_date": f"{this_year() + 1}-03-01"}
    assert api_for(head_b).post("/api/milestones/", payload).status_code == 403
    created = api_for(head_a).post("/api/milestones/", payload)
    assert created.status_code == 201
    milestone_id = created.json()["id"]
    today = date.today().isoformat()  # noqa: DTZ011 - compared with the server's local date
    assert (
        api_for(head_b).patch(f"/api/milestones/{milestone_id}/", {"done_date": today}).status_code
        == 403
    )
    assert (
        api_for(head_a).patch(f"/api/milestones/{milestone_id}/", {"done_date": today}).status_code
        == 200
    )
    assert api_for(head_a).delete(f"/api/milestones/{milestone_id}/").status_code == 403
    assert Milestone.objects.get(pk=milestone_id).done_date is not None


def test_a_cycle_through_the_api_is_refused_naming_it(api_for, cco):
    pillar = PillarFactory()
    a = InitiativeFactory(pillar=pillar, title="A")
    b = InitiativeFactory(pillar=pillar, title="B")
    DependencyFactory(initiative=b, depends_on=a)
    response = api_for(cco).post("/api/dependencies/", {"initiative": a.pk, "depends_on": b.pk})
    assert response.status_code == 400
    assert "“A” → “B” → “A”" in response.json()["depends_on"][0]
    assert Dependency.objects.count() == 1


def test_the_reading_endpoint_gives_the_verdict_its_window_and_the_measured_baseline(
    api_for, executive, time_machine
):
    time_machine.move_to(datetime(2027, 6, 15, 12, tzinfo=UTC))
    initiative = InitiativeFactory(start_date=date(2027, 1, 1), end_date=date(2028, 12, 31))
    result = ExpectedResultFactory(initiative=initiative, baseline=None, target=50)
    for month in (10, 11, 12):
        nps_rollup(month=date(2026, month, 1), n=100, nps=10)
    for month in (3, 4, 5):
        nps_rollup(month=date(2027, month, 1), n=100, nps=12)
    nps_rollup(month=date(2027, 6, 1), n=10, nps=90)  # this month: not over, never judged
    body = api_for(executive).get(f"/api/expected-results/{result.pk}/reading/").json()
    assert body["verdict"] == "behind"
    assert body["actual"] == 12.0
    assert (body["window"]["label"], body["window"]["n"]) == ("Mar–May 2027", 300)
    assert body["judged_on"] == "judged on Mar–May 2027, n=300"
    assert body["judged_from"] == "2027-04-01"
    assert body["expected"] == pytest.approx(10 + 40 * 105 / 730)
    baseline = body["baseline"]
    assert (baseline["source"], baseline["value"], baseline["typed"]) == ("measured", 10.0, None)
    assert (baseline["measured"]["label"], baseline["measured"]["n"]) == ("Oct–Dec 2026", 300)
    assert [p["enough"] for p in body["points"]][-4:] == [True, True, True, False]
    listed = api_for(executive).get(f"/api/expected-results/?initiative={initiative.pk}").json()
    (row,) = listed["results"]
    assert (row["verdict"], row["baseline_source"], row["baseline_used"]) == (
        "behind",
        "measured",
        10.0,
    )
    assert (row["baseline"], row["baseline_months"], row["time_to_impact"]) == (None, 3, 3)
    assert row["judged_on"] == "judged on Mar–May 2027, n=300"


def test_the_schema_documents_the_roadmap_endpoints(api_for, cco):
    response = api_for(cco).get("/api/schema/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "/api/initiatives/" in text
    assert "/api/expected-results/{id}/reading/" in text


@pytest.mark.parametrize("persona", ["head_a", "executive", "contributor"])
def test_only_the_cco_creates_roadmaps_and_pillars_through_the_api(persona, request, api_for):
    api = api_for(request.getfixturevalue(persona))
    payload = {"name": "Plan", "start_year": 2026, "end_year": 2030}
    assert api.post("/api/roadmaps/", payload).status_code == 403
    assert not Roadmap.objects.exists()


def test_the_cco_makes_a_new_roadmap_current_through_the_api(api_for, cco):
    old = PillarFactory().roadmap
    response = api_for(cco).post(
        "/api/roadmaps/",
        {"name": "Next plan", "start_year": 2027, "end_year": 2031, "is_current": True},
    )
    assert response.status_code == 201, response.json()
    old.refresh_from_db()
    assert not old.is_current
    pillar = api_for(cco).post(
        "/api/pillars/", {"roadmap": response.json()["id"], "name": "Listen", "colour": "#123456"}
    )
    assert pillar.status_code == 201
