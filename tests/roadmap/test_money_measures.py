"""Expected results in money, against the database: how retention, revenue and a cost KPI are
read for a result's scope and window, the CCO stating one through the API and the form (bad
input named by field, nothing saved), and the initiative page, CSV, API and board pack showing
the return or why there is none yet."""

import csv
import io
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from metrics.models import CustomerOutcome, SurveyResponse
from metrics.selectors.outcomes import respondent_outcomes
from metrics.services import rollup_incremental
from metrics.services.customers import say_do_rebuild
from overview.board_pack import Quarter, board_pack_data
from roadmap.models import ExpectedResult, InitiativeUpdate
from roadmap.selectors import initiative_queryset, initiative_row, read_results
from tests.metrics.factories import KPIFactory, TouchpointFactory
from tests.roadmap.factories import ExpectedResultFactory, InitiativeFactory

pytestmark = pytest.mark.django_db

START = date(2026, 1, 1)
ON = date(2026, 6, 1)
_ids = iter(range(10**6))


def answered(touchpoint, customers: list[str], day: date) -> None:
    """Answers stored and rolled up, as an import leaves them: what pages read moves on."""
    when = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    SurveyResponse.objects.bulk_create(
        SurveyResponse(touchpoint=touchpoint, metric="nps", score=8, responded_at=when,
                       source="test", external_id=f"m{next(_ids)}", customer_id=customer)
        for customer in customers
    )  # fmt: skip
    rollup_incremental(detect=False)


def outcomes(prefix: str, count: int, retained: int, *, as_of: date = ON, revenue=1000) -> list:
    ids = [f"{prefix}{i}" for i in range(count)]
    CustomerOutcome.objects.bulk_create(
        CustomerOutcome(customer_id=c, retained=i < retained, as_of=as_of,
                        revenue=None if revenue is None else Decimal(revenue))
        for i, c in enumerate(ids)
    )  # fmt: skip
    say_do_rebuild()  # as the customer import does after its commit
    return ids


@pytest.fixture
def touchpoint():
    return TouchpointFactory()


@pytest.fixture
def customers(touchpoint):
    """40 customers answered before the start (30 stayed), 40 after it (36 stayed)."""
    today = timezone.localdate()
    answered(touchpoint, outcomes("before", 40, 30, revenue=900, as_of=today), date(2025, 11, 10))
    answered(touchpoint, outcomes("after", 40, 36, revenue=1000, as_of=today), date(2026, 3, 10))
    return touchpoint


def test_an_outcome_dated_before_the_windows_end_does_not_count(touchpoint):
    answered(touchpoint, outcomes("on", 3, 3, as_of=date(2026, 4, 1)), date(2026, 3, 5))
    answered(touchpoint, outcomes("early", 2, 2, as_of=date(2026, 3, 31)), date(2026, 3, 5))
    counts = respondent_outcomes(scope="touchpoint", scope_id=touchpoint.pk,
                                 start=date(2026, 3, 1), end=date(2026, 4, 1))  # fmt: skip
    assert counts.customers == 3


def test_only_answers_at_the_scope_and_inside_the_window_count(touchpoint):
    other = TouchpointFactory()
    answered(touchpoint, outcomes("in", 4, 1), date(2026, 3, 31))
    answered(other, outcomes("elsewhere", 5, 5), date(2026, 3, 15))
    answered(touchpoint, outcomes("late", 6, 6), date(2026, 4, 1))
    counts = respondent_outcomes(scope="touchpoint", scope_id=touchpoint.pk,
                                 start=date(2026, 3, 1), end=date(2026, 4, 1))  # fmt: skip
    assert (counts.customers, counts.retained, counts.revenue_total) == (4, 1, 4000.0)
    everyone = respondent_outcomes(scope="organisation", scope_id=0, start=date(2026, 3, 1),
                                   end=date(2026, 4, 1))  # fmt: skip
    assert everyone.customers == 9


def test_retention_is_read_before_and_after_the_start_and_valued_on_the_revenue_at_stake(
    customers,
):
    initiative = InitiativeFactory(start_date=START, budget=Decimal(5_000))
    result = ExpectedResultFactory(initiative=initiative, metric="retention", scope="touchpoint",
                                   scope_id=customers.pk, baseline=None, target=95)  # fmt: skip
    (reading,) = read_results([result], on=ON)
    assert reading.baseline.value == pytest.approx(75.0)
    assert reading.verdict.actual == pytest.approx(90.0)
    assert reading.verdict.window.text == "Mar–May 2026, 40 customers"
    assert reading.unit == "%"
    # 15 points of the 40,000 the after-start customers spend: 6,000 a year.
    assert reading.value.actual.value == pytest.approx(6_000)
    row = initiative_row(initiative_queryset().get(pk=initiative.pk), on=ON)
    assert row.money.ratio.value == pytest.approx(0.2)


def test_revenue_per_customer_needs_30_customers_with_revenue(touchpoint):
    answered(touchpoint, outcomes("before", 40, 40, revenue=900), date(2025, 11, 10))
    answered(touchpoint, outcomes("thin", 29, 29, revenue=1000), date(2026, 3, 10))
    answered(touchpoint, outcomes("unknown", 5, 5, revenue=None), date(2026, 3, 10))
    initiative = InitiativeFactory(start_date=START, budget=Decimal(1_000))
    result = ExpectedResultFactory(initiative=initiative, metric="revenue", scope="touchpoint",
                                   scope_id=touchpoint.pk, baseline=None, target=1200)  # fmt: skip
    (reading,) = read_results([result], on=ON)
    assert reading.value.kind == "too_early"
    assert reading.value.reason == "29 customers since the start (Jan–May 2026); 30 needed"
    answered(touchpoint, outcomes("thirtieth", 1, 1, revenue=1000), date(2026, 3, 10))
    (reading,) = read_results([result], on=ON)
    assert reading.value.kind == "measured"
    assert reading.value.actual.value == pytest.approx(100 * 30)


def test_a_cost_to_serve_kpi_is_read_as_the_weekly_mean_and_valued_as_a_years_saving():
    kpi = KPIFactory(unit="€", name="Cost to serve", direction="lower")
    monday = date(2025, 9, 1)
    for week in range(40):
        day = monday + timedelta(weeks=week)
        kpi.observations.create(week_start=day, value=50_000 if day < START else 48_000)
    initiative = InitiativeFactory(start_date=START, department=kpi.department,
                                   budget=Decimal(52_000))  # fmt: skip
    result = ExpectedResultFactory(initiative=initiative, metric="cost_to_serve", kpi=kpi,
                                   scope="department", scope_id=kpi.department_id,
                                   baseline=None, target=45_000)  # fmt: skip
    (reading,) = read_results([result], on=ON)
    # 48,000 is below the line from 50,000 to 45,000 at the window's middle: on track.
    assert reading.unit == "€" and reading.verdict.kind == "on_track"
    assert reading.value.actual.value == pytest.approx(2_000 * 52)
    row = initiative_row(initiative_queryset().get(pk=initiative.pk), on=ON)
    assert row.money.ratio.value == pytest.approx(1.0)


def body(initiative, **extra):
    return {"initiative": initiative.pk, "target": 80, "by_date": "2026-12-01", **extra}


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"metric": "kpi"}, "kpi"),
        ({"metric": "cost_to_serve"}, "kpi"),
        ({"metric": "retention", "scope": "organisation", "target": 100.5}, "target"),
        ({"metric": "retention", "scope": "organisation", "baseline": -1}, "baseline"),
        ({"metric": "revenue", "scope": "organisation", "target": -0.01}, "target"),
        ({"metric": "retention"}, "scope"),
    ],
)
def test_bad_financial_results_are_a_400_naming_the_field_and_nothing_is_saved(
    api_for, cco, extra, field
):
    initiative = InitiativeFactory(start_date=START)
    response = api_for(cco).post("/api/expected-results/", body(initiative, **extra))
    assert response.status_code == 400 and field in response.json(), response.json()
    assert not ExpectedResult.objects.exists() and not InitiativeUpdate.objects.exists()


def test_cost_to_serve_needs_a_kpi_in_the_currency_and_a_score_takes_no_kpi(api_for, cco):
    initiative = InitiativeFactory(start_date=START)
    days = KPIFactory(unit="days")
    api = api_for(cco)
    refused = api.post("/api/expected-results/",
                       body(initiative, metric="cost_to_serve", kpi=days.pk))  # fmt: skip
    assert refused.status_code == 400
    assert "choose a KPI in EUR (€)" in refused.json()["kpi"][0]
    nps = body(initiative, metric="nps", scope="organisation", kpi=days.pk)
    scored = api.post("/api/expected-results/", nps)
    assert scored.status_code == 400 and "leave the KPI empty" in scored.json()["kpi"][0]
    assert not ExpectedResult.objects.exists()
    euros = KPIFactory(unit="EUR")
    saved = api.post("/api/expected-results/",
                     body(initiative, metric="cost_to_serve", kpi=euros.pk))  # fmt: skip
    assert saved.status_code == 201, saved.json()
    answer = saved.json()
    # A KPI-backed result is read for its KPI's department.
    assert (answer["scope"], answer["scope_id"]) == ("department", euros.department_id)
    assert answer["unit"] == "EUR" and answer["money"]["kind"] == "too_early"


def test_the_owning_head_cannot_state_a_financial_result(api_for, head_a, department_a):
    initiative = InitiativeFactory(start_date=START, department=department_a)
    response = api_for(head_a).post(
        "/api/expected-results/", body(initiative, metric="retention", scope="organisation")
    )
    assert response.status_code == 403 and not ExpectedResult.objects.exists()


def test_the_form_states_a_kpi_result_without_a_scope_and_names_a_missing_kpi(client_for, cco):
    initiative = InitiativeFactory(start_date=START)
    client = client_for(cco)
    url = f"/roadmap/initiatives/{initiative.pk}/results/new/"
    page = client.post(url, {"metric": "kpi", "target": 80, "by_date": "2026-12-01"})
    assert page.status_code == 400 and "choose the KPI" in page.content.decode()
    assert not ExpectedResult.objects.exists()
    kpi = KPIFactory(unit="%")
    saved = client.post(url, {"metric": "kpi", "kpi": kpi.pk, "target": 80,
                              "by_date": "2026-12-01"})  # fmt: skip
    assert saved.status_code == 302
    assert ExpectedResult.objects.get().scope_id == kpi.department_id


def test_the_page_api_csv_and_board_pack_show_the_return(client_for, api_for, cco, customers):
    initiative = InitiativeFactory(start_date=START, budget=Decimal(5_000), title="Save desk")
    ExpectedResultFactory(initiative=initiative, metric="retention", scope="touchpoint",
                          scope_id=customers.pk, baseline=None, target=95)  # fmt: skip
    page = client_for(cco).get(initiative.get_absolute_url()).content.decode()
    assert "Return on the budget" in page and "worth" in page
    answer = api_for(cco).get(f"/api/initiatives/{initiative.pk}/").json()
    assert answer["money_return"]["kind"] == "measured"
    rows = list(csv.DictReader(io.StringIO(
        client_for(cco).get("/roadmap/export/initiatives.csv").content.decode())))  # fmt: skip
    assert (
        rows[0]["budget"] == "5000.00"
        and float(rows[0]["return"]) == answer["money_return"]["ratio"]["value"]
    )
    pack = board_pack_data(Quarter(2026, 3), today=date(2026, 12, 1))
    assert [r.initiative.title for r in pack.returns] == ["Save desk"]


def test_an_nps_result_shows_not_in_money_and_a_late_start_too_early(client_for, cco):
    scores = InitiativeFactory(start_date=START, budget=Decimal(5_000))
    ExpectedResultFactory(initiative=scores)
    page = client_for(cco).get(scores.get_absolute_url()).content.decode()
    assert "Not in money" in page
    later = InitiativeFactory(pillar=scores.pillar, start_date=date(2026, 11, 1),
                              budget=Decimal(5_000))  # fmt: skip
    ExpectedResultFactory(initiative=later, metric="retention", baseline=50, target=60)
    page = client_for(cco).get(later.get_absolute_url()).content.decode()
    assert "Too early" in page and "judged from" in page


def _outcome_reads(capture) -> int:
    return sum('"metrics_customeroutcome"' in query["sql"] for query in capture.captured_queries)


def test_an_outcome_window_is_read_once_until_the_answers_or_the_outcomes_move(customers):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    initiative = InitiativeFactory(start_date=START, budget=Decimal(5_000))
    result = ExpectedResultFactory(initiative=initiative, metric="retention", scope="touchpoint",
                                   scope_id=customers.pk, baseline=None, target=95)  # fmt: skip
    with CaptureQueriesContext(connection) as first:
        (reading,) = read_results([result], on=ON)
    assert _outcome_reads(first) == 2  # the baseline's window and the judged window
    with CaptureQueriesContext(connection) as again:
        (same,) = read_results([result], on=ON)
    assert _outcome_reads(again) == 0
    assert same.baseline.value == reading.baseline.value
    # New answers, rolled up: the windows are read again and count them.
    answered(customers, outcomes("late", 10, 0, as_of=timezone.localdate()), date(2025, 11, 12))
    with CaptureQueriesContext(connection) as after_answers:
        (moved,) = read_results([result], on=ON)
    assert _outcome_reads(after_answers) == 2
    assert moved.baseline.value == pytest.approx(100 * 30 / 50)
    # Outcomes imported for customers who had answered (the say-versus-do roll-up rebuilt).
    CustomerOutcome.objects.filter(customer_id__startswith="late").update(retained=True)
    say_do_rebuild()
    (imported,) = read_results([result], on=ON)
    assert imported.baseline.value == pytest.approx(100 * 40 / 50)


def test_without_a_version_an_outcome_window_is_read_every_time(touchpoint):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    answered(touchpoint, outcomes("plain", 3, 3), date(2026, 3, 5))
    window = {"scope": "touchpoint", "scope_id": touchpoint.pk,
              "start": date(2026, 3, 1), "end": date(2026, 4, 1)}  # fmt: skip
    with CaptureQueriesContext(connection) as reads:
        respondent_outcomes(**window)
        respondent_outcomes(**window)
    assert _outcome_reads(reads) == 2
