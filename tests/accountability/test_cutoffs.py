"""The accountability cut-offs and the cut-offs page: who may change them, refusals that name
the field and save nothing, the history, and that a changed cut-off colours the overview and
the accountability scorecard alike, exactly at the cut-off."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from accountability import charts, selectors
from accountability.cutoffs import delivery_cutoffs
from accountability.models import ActionStatus, DeliveryCutoffChange
from accountability.services import delivery_cutoffs_update
from metrics.cutoff_models import ScoreCutoffChange
from metrics.selectors.cutoffs import score_cutoffs
from metrics.services.cutoffs import score_cutoffs_update
from tests.accountability.factories import ActionItemFactory, CXIssueFactory
from tests.conftest import stored
from tests.overview.world import journey_world  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

API = "/api/accountability-cut-offs/"
PAGE = "/accountability/cut-offs/"
DEFAULTS = {
    "on_time_green": 80.0,
    "on_time_amber": 60.0,
    "open_issues_green": 0.0,
    "open_issues_amber": 2.0,
}
SCORES = {"nps": 5.0, "csat": 5.0, "ces": 0.5, "kpi": 5.0}
EVERY_FIELD = {**SCORES, **DEFAULTS}
PERSONAS = ["outsider", "contributor", "head_a", "head_b", "executive"]


def test_with_nothing_stored_the_defaults_are_in_force():
    assert delivery_cutoffs().as_dict() == DEFAULTS


def test_a_change_is_stored_with_who_made_it_and_both_values_before_and_after(cco):
    delivery_cutoffs_update(actor=cco, values={**DEFAULTS, "on_time_green": 90})
    (change,) = DeliveryCutoffChange.objects.all()
    assert change.figure == "on_time" and change.changed_by == cco
    assert (change.old_green, change.old_amber, change.new_green, change.new_amber) == (
        80.0,
        60.0,
        90.0,
        60.0,
    )
    assert delivery_cutoffs().on_time.green == 90.0


# --- The API ----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["cco", *PERSONAS[1:]])
def test_everyone_with_a_role_reads_them(api_for, request, persona):
    response = api_for(request.getfixturevalue(persona)).get(API)
    assert response.status_code == 200 and response.json() == DEFAULTS
    assert isinstance(response.json()["open_issues_amber"], int)  # issues are whole


@pytest.mark.parametrize("persona", ["anonymous", *PERSONAS])
def test_nobody_but_the_cco_changes_them_over_the_api(api_for, request, persona, department_b):
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    api = api_for(user)
    before = stored()
    response = api.put(API, {**DEFAULTS, "on_time_green": 95}, format="json")
    assert response.status_code == (401 if persona == "anonymous" else 403)
    assert stored() == before


def test_the_cco_replaces_them_over_the_api(api_for, cco):
    body = {
        "on_time_green": 70,
        "on_time_amber": 70,
        "open_issues_green": 1,
        "open_issues_amber": 3,
    }
    response = api_for(cco).put(API, body, format="json")
    assert response.status_code == 200
    assert response.json() == {key: float(value) for key, value in body.items()}
    assert DeliveryCutoffChange.objects.count() == 2


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"on_time_amber": 80.1}, "on_time_amber", "at or below where green begins"),
        ({"open_issues_amber": 1, "open_issues_green": 2}, "open_issues_amber", "at least as far"),
        ({"on_time_green": -1, "on_time_amber": -2}, "on_time_green", "cannot be negative"),
        ({"open_issues_green": -1}, "open_issues_green", "cannot be negative"),
        ({"on_time_green": 100.1}, "on_time_green", "at most 100"),
        ({"open_issues_amber": 2.5}, "open_issues_amber", "a whole number"),
        ({"on_time_amber": "sixty"}, "on_time_amber", "must be a number"),
        ({"on_time_amber": False}, "on_time_amber", "must be a number"),
        ({"on_time_green": "Infinity"}, "on_time_green", "must be a number"),
    ],
)
def test_a_bad_value_is_refused_naming_its_field_and_nothing_is_saved(
    api_for, cco, changes, field, reason
):
    api = api_for(cco)
    before = stored()
    # The open-issue cut-offs change too when they are not the bad ones: nothing is saved.
    body = {**DEFAULTS, "open_issues_amber": 4, **changes}
    response = api.put(API, body, format="json")
    assert response.status_code == 400
    assert reason in " ".join(response.json()[field])
    assert stored() == before


def test_amber_may_begin_exactly_where_green_does(api_for, cco):
    body = {**DEFAULTS, "on_time_amber": 80, "open_issues_amber": 0}
    assert api_for(cco).put(API, body, format="json").status_code == 200
    assert delivery_cutoffs().open_issues_rag(1) == "red"


# --- The page ---------------------------------------------------------------------------------


def test_the_cco_sees_the_page_with_the_cutoffs_in_force(client_for, cco):
    response = client_for(cco).get(PAGE)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="on_time_green" value="80.0"' in html
    assert "up to 5 points under target" in html and "No cut-off has been changed yet" in html


@pytest.mark.parametrize("persona", PERSONAS)
def test_everyone_else_is_refused_the_page_and_cannot_post_to_it(
    client_for, request, persona, department_b
):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(PAGE).status_code == 403
    before = stored()
    assert client.post(PAGE, {**EVERY_FIELD, "nps": 9}).status_code == 403
    assert stored() == before


def test_anonymous_visitors_are_sent_to_sign_in(client):
    assert client.get(PAGE)["Location"].startswith("/login/")
    before = stored()
    assert client.post(PAGE, EVERY_FIELD).status_code == 302
    assert stored() == before


def test_the_cco_saves_both_kinds_at_once_and_sees_the_history(client_for, cco):
    client = client_for(cco)
    response = client.post(PAGE, {**EVERY_FIELD, "nps": 8, "on_time_green": 85})
    assert response.status_code == 302
    assert score_cutoffs().nps == 8.0 and delivery_cutoffs().on_time.green == 85.0
    html = client.get(PAGE).content.decode()
    assert "green 80, amber 60" in html and "green 85, amber 60" in html
    assert str(cco) in html


def test_a_bad_field_on_the_page_is_named_and_nothing_at_all_is_saved(client_for, cco):
    client = client_for(cco)
    before = stored()
    # The score bands are good and changed; the open-issue cut-offs are out of order.
    response = client.post(
        PAGE, {**EVERY_FIELD, "nps": 8, "open_issues_green": 3, "open_issues_amber": 2, "ces": -1}
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert "at least as far" in " ".join(form.errors["open_issues_amber"])
    assert "cannot be negative" in " ".join(form.errors["ces"])
    assert stored() == before
    assert ScoreCutoffChange.objects.count() == 0


def test_a_non_number_on_the_page_is_named(client_for, cco):
    response = client_for(cco).post(PAGE, {**EVERY_FIELD, "on_time_amber": "lots"})
    assert response.status_code == 400
    assert "on_time_amber" in response.context["form"].errors


def test_the_scorecard_links_the_cco_to_the_cutoffs_and_states_them_to_everyone(
    client_for, cco, executive
):
    html = client_for(cco).get("/accountability/scorecard/").content.decode()
    assert f'href="{PAGE}"' in html
    html = client_for(executive).get("/accountability/scorecard/").content.decode()
    assert f'href="{PAGE}"' not in html and "The CCO sets them." in html
    assert "80 % or more" in html and "60 % to under 80 %" in html and "under 60 %" in html


# --- One colour, on the overview and on the scorecard -----------------------------------------


def read_csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def colours(client, department_name: str) -> tuple[dict[str, str], dict[str, str], str]:
    """The department's colours on the overview's scorecard CSV, on the accountability
    scorecard's CSV, and the on-time badge of the accountability scorecard page."""
    today = timezone.localdate()
    start = today - timedelta(days=selectors.SCORECARD_WINDOW_DAYS)
    period = {"period": "custom", "start": start.isoformat(), "end": today.isoformat()}
    overview = read_csv(client.get("/overview/scorecard.csv", period))
    scorecard = read_csv(client.get("/accountability/scorecard.csv"))
    pick = lambda rows: next(r for r in rows if r["department"] == department_name)  # noqa: E731
    row = next(r for r in selectors.scorecard() if r.department.name == department_name)
    return pick(overview), pick(scorecard), row.on_time_rag


@pytest.fixture
def billing_three_of_four_on_time(department_b):
    today = timezone.localdate()
    for late in (False, False, False, True):
        ActionItemFactory(
            department=department_b,
            due=today - timedelta(days=3),
            status=ActionStatus.DONE,
            completed_on=today - timedelta(days=1 if late else 4),
        )
    CXIssueFactory.create_batch(2, department=department_b)
    return department_b


@pytest.mark.parametrize(
    ("green", "amber", "colour"),
    [(75.0, 60.0, "green"), (75.1, 60.0, "amber"), (90.0, 75.0, "amber"), (90.0, 75.1, "red")],
)
def test_a_changed_on_time_cutoff_colours_the_overview_and_the_scorecard_alike(
    client_for, cco, billing_three_of_four_on_time, green, amber, colour
):
    delivery_cutoffs_update(
        actor=cco, values={**DEFAULTS, "on_time_green": green, "on_time_amber": amber}
    )
    client = client_for(cco)
    overview, scorecard, page_rag = colours(client, "Billing")
    assert overview["Actions on time"] == "75% (3/4)"
    assert overview["Actions on time rag"] == scorecard["Actions on time rag"] == colour
    assert page_rag == colour
    html = client.get("/accountability/scorecard/").content.decode()
    assert f'<span class="badge rag-{colour}">{colour.title()} · 75.0%</span>' in html
    figure = charts.on_time_figure(selectors.scorecard(), delivery_cutoffs())
    assert figure["data"][0]["marker"]["color"] == [charts.RAG_COLOURS[colour]]
    assert figure["data"][0]["text"] == [f"{colour.title()} · 3 of 4"]


@pytest.mark.parametrize(
    ("green", "amber", "colour"), [(2, 3, "green"), (1, 2, "amber"), (0, 1, "red")]
)
def test_a_changed_open_issue_cutoff_colours_the_overview_and_the_scorecard_alike(
    client_for, cco, billing_three_of_four_on_time, green, amber, colour
):
    delivery_cutoffs_update(
        actor=cco, values={**DEFAULTS, "open_issues_green": green, "open_issues_amber": amber}
    )
    client = client_for(cco)
    overview, scorecard, _ = colours(client, "Billing")
    assert overview["Open CX issues"] == "2"
    assert overview["Open CX issues rag"] == scorecard["Open CX issues rag"] == colour
    html = client.get("/accountability/scorecard/").content.decode()
    assert f'<span class="badge rag-{colour}">{colour.title()} · 2</span>' in html


@pytest.mark.usefixtures("journey_world")
@pytest.mark.parametrize(("band", "colour"), [(70.0, "amber"), (69.9, "red")])
def test_a_changed_nps_band_colours_the_journey_map_and_both_scorecards_alike(
    client_for, cco, band, colour
):
    # Billing's Invoice scores −40 against a target of 30: exactly 70 under it.
    score_cutoffs_update(actor=cco, values={**SCORES, "nps": band})
    client = client_for(cco)
    overview, scorecard, _ = colours(client, "Billing")
    assert overview["NPS vs target"] == "'-40 vs +30"  # a leading minus is quoted for Excel
    assert overview["NPS vs target rag"] == scorecard["NPS vs target rag"] == colour
    journeys = read_csv(client.get("/overview/journeys.csv", {"period": "30d"}))
    assert {row["touch point"]: row["rag"] for row in journeys}["Invoice"] == colour
    html = client.get("/", {"period": "30d"}).content.decode()
    assert f"{colour.title()} · Billing" in html  # the word beside the chip's colour
    assert f"up to {band:g} points under target" in html


@pytest.mark.usefixtures("journey_world")
def test_every_coloured_panel_of_the_overview_states_its_cutoffs(client_for, executive):
    html = client_for(executive).get("/", {"period": "30d"}).content.decode()
    assert "Green: at or above target" in html  # the journey map
    for wording in ("80 % or more", "more than 2", "of the goal short of it"):  # the scorecard
        assert wording in html
