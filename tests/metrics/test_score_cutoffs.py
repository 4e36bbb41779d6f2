"""The score and KPI cut-offs: defaults, the CCO's changes with their history, refusals that
name the field and save nothing, everyone's access to the API, and the cache."""

import pytest

from metrics.cutoff_models import ScoreCutoffChange, ScoreCutoffSetting
from metrics.selectors import kpi_statuses
from metrics.selectors.cutoffs import score_cutoffs
from metrics.services.cutoffs import score_cutoffs_update
from tests.conftest import stored
from tests.metrics.factories import KPIFactory, KPIObservationFactory

pytestmark = pytest.mark.django_db

URL = "/api/score-cut-offs/"
DEFAULTS = {"nps": 5.0, "csat": 5.0, "ces": 0.5, "kpi": 5.0}


def test_with_nothing_stored_the_defaults_are_in_force():
    assert score_cutoffs().as_dict() == DEFAULTS


def test_a_change_is_stored_with_who_made_it_and_the_value_before_and_after(cco):
    score_cutoffs_update(actor=cco, values={**DEFAULTS, "nps": 8, "ces": 0.25})
    assert score_cutoffs().as_dict() == {**DEFAULTS, "nps": 8.0, "ces": 0.25}
    changes = {c.measure: c for c in ScoreCutoffChange.objects.all()}
    assert set(changes) == {"nps", "ces"}  # an unchanged band writes no history
    assert (changes["nps"].old_amber_band, changes["nps"].new_amber_band) == (5.0, 8.0)
    assert changes["nps"].changed_by == cco and changes["nps"].changed_at is not None
    score_cutoffs_update(actor=cco, values={**DEFAULTS, "nps": 3, "ces": 0.25})
    latest = ScoreCutoffChange.objects.filter(measure="nps").first()
    assert (latest.old_amber_band, latest.new_amber_band) == (8.0, 3.0)


def test_the_cutoffs_are_read_from_the_cache_until_a_save_clears_it(cco, django_assert_num_queries):
    score_cutoffs()
    with django_assert_num_queries(0):
        assert score_cutoffs().nps == 5.0
    score_cutoffs_update(actor=cco, values={**DEFAULTS, "nps": 7})
    with django_assert_num_queries(1):
        assert score_cutoffs().nps == 7.0


def test_a_stored_row_changed_behind_the_cache_is_read_after_a_save(cco):
    score_cutoffs()
    ScoreCutoffSetting.objects.create(measure="csat", amber_band=9)
    assert score_cutoffs().csat == 5.0  # cached
    score_cutoffs_update(actor=cco, values={**DEFAULTS, "csat": 9, "nps": 6})
    assert score_cutoffs().csat == 9.0
    # The history compares with what the database held, not with the stale cached copy.
    assert not ScoreCutoffChange.objects.filter(measure="csat").exists()


@pytest.mark.parametrize(
    ("amber_pct", "value", "colour"),
    [
        (5.0, 76.0, "amber"),  # 4 short of 80 is exactly 5 % of it
        (4.9, 76.0, "red"),
        (5.0, 75.9, "red"),
        (5.0, 80.0, "green"),
    ],
)
def test_a_kpi_is_amber_exactly_at_the_cutoff_and_red_past_it(
    cco, department_b, amber_pct, value, colour
):
    KPIObservationFactory(kpi=KPIFactory(department=department_b, goal=80.0), value=value)
    score_cutoffs_update(actor=cco, values={**DEFAULTS, "kpi": amber_pct})
    assert [status.rag for status in kpi_statuses(department_id=department_b.pk)] == [colour]


def test_the_department_page_names_each_kpis_colour_and_states_the_cutoff(
    client_for, executive, cco, department_b
):
    KPIObservationFactory(kpi=KPIFactory(department=department_b, goal=80.0), value=76.0)
    page = client_for(executive).get(f"/metrics/departments/{department_b.slug}/").content
    html = page.decode()
    assert '<span class="badge rag-amber">Amber</span>' in html
    assert "up to 5 % of the goal short of it" in html
    score_cutoffs_update(actor=cco, values={**DEFAULTS, "kpi": 2})
    html = client_for(executive).get(f"/metrics/departments/{department_b.slug}/").content.decode()
    assert '<span class="badge rag-red">Red</span>' in html
    assert "more than 2 % of the goal short of it" in html


# --- The API ----------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["cco", "executive", "head_a", "head_b", "contributor"])
def test_everyone_with_a_role_reads_the_cutoffs(api_for, request, persona):
    response = api_for(request.getfixturevalue(persona)).get(URL)
    assert response.status_code == 200
    assert response.json() == DEFAULTS


def test_anonymous_callers_and_people_without_a_role_cannot_read_them(api_for, outsider):
    assert api_for(None).get(URL).status_code == 401
    assert api_for(outsider).get(URL).status_code == 403


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 401),
        ("outsider", 403),
        ("contributor", 403),
        ("head_a", 403),
        ("head_b", 403),
        ("executive", 403),
    ],
)
def test_only_the_cco_changes_them(api_for, request, persona, status, department_b):
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    api = api_for(user)
    before = stored()
    response = api.put(URL, {**DEFAULTS, "nps": 9}, format="json")
    assert response.status_code == status
    assert stored() == before
    assert score_cutoffs().nps == 5.0


def test_the_cco_replaces_them_and_reads_the_new_ones_back(api_for, cco):
    api = api_for(cco)
    response = api.put(URL, {"nps": 10, "csat": 4, "ces": 1, "kpi": 0}, format="json")
    assert response.status_code == 200
    assert response.json() == {"nps": 10.0, "csat": 4.0, "ces": 1.0, "kpi": 0.0}
    assert api.get(URL).json() == response.json()
    assert ScoreCutoffChange.objects.count() == 4


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("nps", -0.1, "cannot be negative"),
        ("csat", "five", "must be a number"),
        ("ces", True, "must be a number"),
        ("ces", "NaN", "must be a number"),
        ("kpi", None, "must be a number"),
        ("ces", 6.1, "at most 6"),
        ("nps", 200.1, "at most 200"),
        ("kpi", 100.5, "at most 100"),
    ],
)
def test_a_bad_value_is_refused_naming_its_field_and_nothing_is_saved(
    api_for, cco, field, value, reason
):
    api = api_for(cco)
    before = stored()
    # Another field changes too: it must not be saved on its own.
    body = {**DEFAULTS, "nps": 7, field: value} if field != "nps" else {**DEFAULTS, field: value}
    response = api.put(URL, body, format="json")
    assert response.status_code == 400
    assert reason in " ".join(response.json()[field])
    assert stored() == before


@pytest.mark.parametrize(("field", "value"), [("nps", 0), ("nps", 200), ("ces", 6), ("kpi", 100)])
def test_the_widest_and_narrowest_bands_are_accepted(api_for, cco, field, value):
    assert api_for(cco).put(URL, {**DEFAULTS, field: value}, format="json").status_code == 200


def test_a_missing_or_unknown_measure_is_refused(api_for, cco):
    response = api_for(cco).put(URL, {"nps": 5, "csat": 5, "ces": 0.5}, format="json")
    assert response.status_code == 400 and "kpi" in response.json()
    response = api_for(cco).put(URL, {**DEFAULTS, "kpis": 3}, format="json")
    assert response.status_code == 400 and "kpis" in str(response.json())
    response = api_for(cco).put(URL, [1, 2], format="json")
    assert response.status_code == 400
    assert ScoreCutoffSetting.objects.count() == 0
