"""An initiative's budget and the driver it cites: API validation naming the field with nothing
saved, who may set them, and the initiative page showing the cited driver's figures."""

from decimal import Decimal

import pytest

from metrics.services.drivers import drivers_rebuild
from roadmap.models import Initiative
from tests.metrics.factories import TouchpointFactory
from tests.metrics.test_drivers import population
from tests.roadmap.factories import InitiativeFactory, PillarFactory, this_year

pytestmark = pytest.mark.django_db


def payload(department, **extra):
    from roadmap.models import Pillar

    pillar = Pillar.objects.first() or PillarFactory()
    return {
        "pillar": pillar.pk,
        "title": f"Fix billing {Initiative.objects.count()}",
        "department": department.pk,
        "start_date": f"{this_year()}-03-01",
        "end_date": f"{this_year() + 1}-02-01",
        **extra,
    }


def test_a_negative_budget_is_a_400_naming_budget_and_nothing_is_saved(api_for, cco, department_a):
    response = api_for(cco).post("/api/initiatives/", payload(department_a, budget="-0.01"))
    assert response.status_code == 400 and "budget" in response.json()
    assert not Initiative.objects.exists()
    response = api_for(cco).post("/api/initiatives/", payload(department_a, budget="0"))
    assert response.status_code == 201
    assert Initiative.objects.get().budget == Decimal("0")


def test_an_unknown_driver_is_a_400_naming_driver(api_for, cco, department_a):
    response = api_for(cco).post("/api/initiatives/", payload(department_a, driver=999999))
    assert response.status_code == 400 and "driver" in response.json()
    assert not Initiative.objects.exists()
    touchpoint = TouchpointFactory()
    response = api_for(cco).post("/api/initiatives/", payload(department_a, driver=touchpoint.pk))
    assert response.status_code == 201 and response.json()["driver"] == touchpoint.pk


def test_the_owning_head_cannot_set_the_budget_or_the_driver(api_for, head_a, department_a):
    initiative = InitiativeFactory(department=department_a)
    api = api_for(head_a)
    assert api.patch(f"/api/initiatives/{initiative.pk}/", {"budget": "5000"}).status_code == 403
    touchpoint = TouchpointFactory()
    refused = api.patch(f"/api/initiatives/{initiative.pk}/", {"driver": touchpoint.pk})
    assert refused.status_code == 403
    initiative.refresh_from_db()
    assert initiative.budget is None and initiative.driver_id is None


def test_the_initiative_page_shows_the_budget_and_the_cited_drivers_figures(
    client_for, executive, department_a
):
    touchpoints = [TouchpointFactory(name=f"Point {n}") for n in range(3)]
    population(touchpoints, 600, driver=0, prefix="I")
    drivers_rebuild()
    initiative = InitiativeFactory(
        department=department_a, budget=Decimal("125000"), driver=touchpoints[0]
    )
    page = client_for(executive).get(initiative.get_absolute_url()).content.decode()
    assert "125,000" in page
    cited = page.split('id="cited-driver"', 1)[1].split("</ul>", 1)[0]
    assert "Retention: ranked 1; a poor answer there" in cited
    assert "Overall NPS: ranked 1" in cited


def test_a_cited_driver_without_an_analysis_says_not_estimated(client_for, executive, department_a):
    initiative = InitiativeFactory(department=department_a, driver=TouchpointFactory())
    page = client_for(executive).get(initiative.get_absolute_url()).content.decode()
    assert page.count("not estimated") == 2
