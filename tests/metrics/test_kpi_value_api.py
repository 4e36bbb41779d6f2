"""KPI values sent through the API meet the same unit rule as the department's form."""

from datetime import timedelta

import pytest
from django.utils import timezone

from metrics.models import KPIObservation
from tests.metrics.factories import KPIFactory, KPIObservationFactory

pytestmark = pytest.mark.django_db


def monday() -> str:
    today = timezone.localdate()
    return (today - timedelta(days=today.weekday())).isoformat()


@pytest.mark.parametrize(
    ("unit", "value", "refused"),
    [
        ("%", 100.0, False),
        ("%", 100.5, True),
        ("%", 0.0, False),
        ("%", -0.5, True),
        ("calls", 0.0, False),
        ("calls", -1.0, True),
        ("score", -40.0, False),
    ],
)
def test_a_value_outside_its_units_range_is_refused_naming_the_value(
    api_for, head_a, department_a, unit, value, refused
):
    kpi = KPIFactory(department=department_a, unit=unit)
    answer = api_for(head_a).post(
        "/api/kpi-observations/",
        {"kpi": kpi.pk, "week_start": monday(), "value": value},
        format="json",
    )
    if refused:
        assert answer.status_code == 400
        assert "value" in answer.json()
        assert not KPIObservation.objects.filter(kpi=kpi).exists()
    else:
        assert answer.status_code == 201, answer.content
        assert KPIObservation.objects.get(kpi=kpi).value == value


def test_changing_a_stored_value_is_checked_against_the_kpis_unit(api_for, head_a, department_a):
    observation = KPIObservationFactory(
        kpi=KPIFactory(department=department_a, unit="%"), value=50.0
    )
    api = api_for(head_a)
    answer = api.patch(f"/api/kpi-observations/{observation.pk}/", {"value": 101}, format="json")
    assert answer.status_code == 400 and "value" in answer.json()
    observation.refresh_from_db()
    assert observation.value == 50.0
