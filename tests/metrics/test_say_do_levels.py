"""Say versus do at every level and per segment: the formula on hand-computed data, the
minimum of customers at its boundary, the roll-up's rebuild, the page, the API and the card."""

import itertools
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cco.models import Role
from metrics import stats
from metrics.models import CustomerOutcome, Metric, SayDoRollup, SurveyResponse
from metrics.selectors import MIN_CUSTOMERS, say_do_by_scope, say_do_for
from metrics.services.customers import say_do_rebuild
from tests.factories import UserFactory
from tests.metrics.factories import JourneyStageFactory, TouchpointFactory

AS_OF = date(2026, 11, 1)
_ids = itertools.count(1)


def customer(touchpoint, score, *, retained, revenue=100, segment="", days_ago=1, cid=None):
    cid = cid or f"K{next(_ids)}"
    SurveyResponse.objects.create(
        touchpoint=touchpoint,
        metric=Metric.NPS,
        score=score,
        customer_id=cid,
        segment=segment,
        responded_at=timezone.now() - timedelta(days=days_ago),
        source="t",
        external_id=f"{cid}-{touchpoint.pk}-{days_ago}",
    )
    CustomerOutcome.objects.update_or_create(
        customer_id=cid, defaults={"retained": retained, "revenue": revenue, "as_of": AS_OF}
    )
    return cid


def group(touchpoint, score, n, retained, *, revenue=100, segment=""):
    for index in range(n):
        customer(touchpoint, score, retained=index < retained, revenue=revenue, segment=segment)


# --- the statistics, by hand ------------------------------------------------------------------


def test_wilson_interval_of_8_of_10_by_hand():
    # centre (8 + 1.9207)/13.8415 = 0.71673; half 1.96·√(1.6 + 0.96037)/13.8415 = 0.22658
    estimate = stats.wilson(8, 10)
    assert estimate.value == 80.0
    assert estimate.low == pytest.approx(49.016, abs=0.01)
    assert estimate.high == pytest.approx(94.331, abs=0.01)
    assert stats.wilson(0, 0).value is None


def test_agresti_caffo_difference_of_45_of_50_and_30_of_50_by_hand():
    # p̃ 46/52 and 31/52, se √(0.102071/52 + 0.240754/52) = 0.081196, half 0.159142
    gap = stats.difference_agresti_caffo(45, 50, 30, 50)
    assert gap.value == pytest.approx(30.0)
    assert gap.low == pytest.approx(12.932, abs=0.01)
    assert gap.high == pytest.approx(44.760, abs=0.01)
    assert gap.n == 50
    assert stats.difference_agresti_caffo(1, 0, 3, 5).value is None


# --- the roll-up and the formula -------------------------------------------------------------


@pytest.mark.django_db
def test_revenue_at_risk_is_detractors_revenue_times_the_retention_gap():
    touchpoint = TouchpointFactory()
    group(touchpoint, 10, 50, 45, revenue=300)
    group(touchpoint, 8, 10, 7, revenue=200)
    group(touchpoint, 3, 50, 30, revenue=100)
    say_do_rebuild()

    item = say_do_for(scope="touchpoint", scope_id=touchpoint.pk)
    promoters, passives, detractors = item.groups
    assert (promoters.customers, promoters.retained, promoters.revenue_total) == (50, 45, 15000)
    assert promoters.retention.value == 90.0
    assert not passives.enough  # 10 < 30: counted, not shown
    assert detractors.retention.value == 60.0
    assert item.gap.value == pytest.approx(30.0)
    # 50 detractors × 100 = 5,000 of revenue × 30 points = 1,500; interval 5,000 × 12.93 % …
    assert item.revenue_at_risk.poor_revenue == 5000
    assert item.revenue_at_risk.value == pytest.approx(1500.0)
    assert item.revenue_at_risk.low == pytest.approx(646.6, abs=0.5)
    assert item.revenue_at_risk.high == pytest.approx(2238.0, abs=0.5)
    assert item.refusal == ""


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("detractors", "shown"), [(MIN_CUSTOMERS, True), (MIN_CUSTOMERS - 1, False)]
)
def test_no_gap_or_revenue_at_risk_under_the_minimum_of_customers(detractors, shown):
    touchpoint = TouchpointFactory()
    group(touchpoint, 9, MIN_CUSTOMERS, 25)
    group(touchpoint, 0, detractors, 10)
    say_do_rebuild()
    item = say_do_for(scope="touchpoint", scope_id=touchpoint.pk)
    assert item.groups[2].enough is shown
    assert (item.gap is not None) is shown
    assert (item.revenue_at_risk is not None) is shown
    if not shown:
        assert item.refusal == (
            f"Too few customers to compare: detractors {MIN_CUSTOMERS - 1}; at least "
            f"{MIN_CUSTOMERS} promoters and detractors are needed."
        )


@pytest.mark.django_db
def test_promoters_under_the_minimum_also_refuse():
    touchpoint = TouchpointFactory()
    group(touchpoint, 9, MIN_CUSTOMERS - 1, 25)
    group(touchpoint, 0, MIN_CUSTOMERS, 10)
    say_do_rebuild()
    item = say_do_for(scope="touchpoint", scope_id=touchpoint.pk)
    assert item.gap is None
    assert "promoters 29" in item.refusal


@pytest.mark.django_db
def test_each_level_places_a_customer_by_their_latest_answer_at_that_level():
    stage = JourneyStageFactory()
    first = TouchpointFactory(stage=stage)
    second = TouchpointFactory(stage=stage)  # same journey, another department
    customer(first, 10, retained=True, cid="C1", days_ago=5)
    customer(second, 2, retained=True, cid="C1", days_ago=1)
    say_do_rebuild()

    def category(scope, scope_id):
        rows = SayDoRollup.objects.filter(scope=scope, scope_id=scope_id, segment="")
        return {row.category for row in rows if row.customers}

    assert category("touchpoint", first.pk) == {"promoter"}
    assert category("touchpoint", second.pk) == {"detractor"}
    assert category("journey", stage.journey_id) == {"detractor"}  # the later answer
    assert category("department", first.department_id) == {"promoter"}
    assert category("department", second.department_id) == {"detractor"}
    assert category("organisation", 0) == {"detractor"}


@pytest.mark.django_db
def test_segments_are_kept_apart_and_together_in_all():
    touchpoint = TouchpointFactory()
    customer(touchpoint, 10, retained=True, segment="Enterprise")
    customer(touchpoint, 10, retained=False, segment="Consumer")
    customer(touchpoint, 10, retained=False, segment="")
    say_do_rebuild()
    rows = SayDoRollup.objects.filter(scope="touchpoint", category="promoter")
    counts = {row.segment: (row.customers, row.retained) for row in rows}
    assert counts == {"": (3, 1), "Enterprise": (1, 1), "Consumer": (1, 0)}
    enterprise = say_do_by_scope(scope="touchpoint", segment="Enterprise")
    assert [item.customers for item in enterprise] == [1]


@pytest.mark.django_db
def test_a_rebuild_replaces_the_rows_and_without_outcomes_leaves_none():
    touchpoint = TouchpointFactory()
    customer(touchpoint, 10, retained=True)
    say_do_rebuild()
    assert SayDoRollup.objects.filter(scope="touchpoint").count() == 3
    CustomerOutcome.objects.all().delete()
    say_do_rebuild()
    assert not SayDoRollup.objects.exists()


@pytest.mark.django_db
def test_the_roll_up_job_rebuilds_say_do_after_new_responses():
    from django.core.cache import cache

    from metrics.tasks import rollup_incremental_task

    cache.clear()  # no rebuild left waiting by another test

    touchpoint = TouchpointFactory()
    customer(touchpoint, 10, retained=True)
    assert not SayDoRollup.objects.exists()
    rollup_incremental_task()
    assert SayDoRollup.objects.filter(scope="touchpoint", scope_id=touchpoint.pk).exists()


# --- the page, the API and the card, for every role -------------------------------------------

ROLES = ["cco", "executive", "head_a", "head_b", "contributor"]


@pytest.fixture
def data(db):
    touchpoint = TouchpointFactory()
    group(touchpoint, 10, 40, 36, revenue=300, segment="Enterprise")
    group(touchpoint, 1, 40, 20, revenue=100, segment="Enterprise")
    say_do_rebuild()
    return touchpoint


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_page_and_the_api(request, client_for, api_for, data, role):
    person = request.getfixturevalue(role)
    page = client_for(person).get(reverse("metrics:say-do"), {"level": "department"})
    assert page.status_code == 200
    assert b"Revenue at risk" in page.content
    answer = api_for(person).get("/api/say-do/", {"level": "touchpoint", "segment": "Enterprise"})
    assert answer.status_code == 200
    [scope] = answer.json()["scopes"]
    assert scope["retention_gap"]["value"] == pytest.approx(40.0)
    assert scope["revenue_at_risk"]["value"] == pytest.approx(4000 * 0.40)


@pytest.mark.django_db
def test_outsiders_and_anonymous_are_refused(client, client_for, api_for, outsider, data):
    before = SayDoRollup.objects.count()
    assert client_for(outsider).get(reverse("metrics:say-do")).status_code == 403
    assert api_for(outsider).get("/api/say-do/").status_code == 403
    assert api_for(None).get("/api/say-do/").status_code == 401
    client.logout()
    anonymous = client.get(reverse("metrics:say-do"))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith(reverse("login"))
    assert SayDoRollup.objects.count() == before


@pytest.mark.django_db
def test_a_bad_level_or_unknown_segment_is_a_400_naming_the_field(client_for, api_for, cco, data):
    page = client_for(cco).get(reverse("metrics:say-do"), {"level": "planet"})
    assert page.status_code == 400
    assert b"level" in page.content and b"planet" in page.content
    answer = api_for(cco).get("/api/say-do/", {"segment": "Nobody"})
    assert answer.status_code == 400
    assert "segment" in answer.json()


@pytest.mark.django_db
def test_groups_under_the_minimum_carry_counts_but_no_figures_in_the_api(api_for, cco):
    touchpoint = TouchpointFactory()
    group(touchpoint, 10, MIN_CUSTOMERS - 1, 20)
    say_do_rebuild()
    [scope] = api_for(cco).get("/api/say-do/", {"level": "touchpoint"}).json()["scopes"]
    promoters = scope["groups"][0]
    assert (promoters["customers"], promoters["retention"]) == (MIN_CUSTOMERS - 1, None)
    assert scope["retention_gap"] is None and scope["revenue_at_risk"] is None
    assert scope["refusal"].startswith("Too few customers")


@pytest.mark.django_db
def test_the_touch_point_page_shows_its_say_do_card(client_for, data):
    person = UserFactory(username="reader", role=Role.EXECUTIVE)
    page = client_for(person).get(data.get_absolute_url())
    assert page.status_code == 200
    assert b"Say versus do here" in page.content
    assert b"Revenue at risk" in page.content
