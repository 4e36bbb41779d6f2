"""KPI values entered from the page by the owning department's head (or the CCO): checked
against the unit's range and the week, kept with their history, refused to everyone else."""

import math
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accountability import services
from accountability.models import KPIValueChange
from accountability.services.kpis import kpi_value_problem, week_of
from metrics.models import KPIObservation
from tests.conftest import stored
from tests.metrics.factories import KPIFactory

pytestmark = pytest.mark.django_db

MONDAY = date(2026, 6, 8)
TODAY = date(2026, 6, 10)  # a Wednesday


@pytest.mark.parametrize(
    ("unit", "value", "refused"),
    [
        ("%", 0.0, False),
        ("%", 100.0, False),
        ("%", -0.01, True),
        ("%", 100.01, True),
        ("days", 0.0, False),
        ("days", -0.5, True),
        ("Days", 9999.0, False),
        ("€", -1.0, True),
        ("", -40.0, False),  # no unit: any finite number
        ("score", -3.0, False),
        ("%", math.nan, True),
        ("", math.inf, True),
    ],
)
def test_a_value_is_checked_against_its_unit(unit, value, refused):
    assert bool(kpi_value_problem(unit, value)) is refused


def test_the_week_is_the_monday_that_starts_it():
    assert week_of(TODAY) == MONDAY
    assert week_of(MONDAY) == MONDAY
    assert week_of(MONDAY - timedelta(days=1)) == MONDAY - timedelta(days=7)


def test_a_value_is_stored_and_its_replacement_kept_in_history(department_a, head_a):
    kpi = KPIFactory(department=department_a, unit="%")

    services.kpi_value_record(
        kpi_id=kpi.pk, actor=head_a, week_start=MONDAY, value=71.5, today=TODAY
    )
    services.kpi_value_record(
        kpi_id=kpi.pk, actor=head_a, week_start=MONDAY, value=74.0, today=TODAY
    )
    services.kpi_value_record(
        kpi_id=kpi.pk, actor=head_a, week_start=MONDAY, value=74.0, today=TODAY
    )

    assert KPIObservation.objects.get(kpi=kpi, week_start=MONDAY).value == 74.0
    history = list(
        KPIValueChange.objects.filter(kpi=kpi)
        .order_by("pk")
        .values_list("old_value", "new_value", "actor")
    )
    assert history == [(None, 71.5, head_a.pk), (71.5, 74.0, head_a.pk)]


@pytest.mark.parametrize(
    ("week_start", "value", "field"),
    [
        (MONDAY + timedelta(days=7), 50.0, "week_start"),  # next week: not started
        (MONDAY + timedelta(days=1), 50.0, "week_start"),  # a Tuesday
        (MONDAY, 100.5, "value"),
        (MONDAY, -1.0, "value"),
    ],
)
def test_a_bad_entry_is_refused_whole_with_the_field_named(
    department_a, head_a, week_start, value, field
):
    kpi = KPIFactory(department=department_a, unit="%")
    before = stored(KPIObservation, KPIValueChange)

    with pytest.raises(ValidationError) as refused:
        services.kpi_value_record(
            kpi_id=kpi.pk, actor=head_a, week_start=week_start, value=value, today=TODAY
        )

    assert list(refused.value.message_dict) == [field]
    assert stored(KPIObservation, KPIValueChange) == before


def test_this_weeks_monday_is_accepted_on_the_monday_itself(department_a, head_a):
    kpi = KPIFactory(department=department_a, unit="%")

    services.kpi_value_record(
        kpi_id=kpi.pk, actor=head_a, week_start=MONDAY, value=50.0, today=MONDAY
    )

    assert KPIObservation.objects.filter(kpi=kpi, week_start=MONDAY).exists()


def _this_monday() -> str:
    return week_of(timezone.localdate()).isoformat()


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("head_a", True),
        ("cco", True),
        ("head_b", False),
        ("contributor", False),
        ("executive", False),
        ("outsider", False),
    ],
)
def test_only_the_owning_head_and_the_cco_enter_a_value(
    request, client_for, department_a, persona, allowed
):
    kpi = KPIFactory(department=department_a, unit="%", name="First-contact resolution")
    client = client_for(request.getfixturevalue(persona))
    before = stored()

    response = client.post(
        reverse("accountability:kpi-detail", args=[kpi.pk]),
        {"week_start": _this_monday(), "value": "64"},
    )

    if allowed:
        assert response.status_code == 302
        assert KPIObservation.objects.get(kpi=kpi).value == 64.0
        assert KPIValueChange.objects.get(kpi=kpi).new_value == 64.0
    else:
        assert response.status_code == 403
        assert stored() == before


def test_the_page_names_the_refused_field_and_keeps_the_input(client_for, head_a, department_a):
    kpi = KPIFactory(department=department_a, unit="%")
    client = client_for(head_a)
    before = stored()

    response = client.post(
        reverse("accountability:kpi-detail", args=[kpi.pk]),
        {"week_start": _this_monday(), "value": "140"},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Value: 140 % is above 100 %" in html
    assert 'value="140"' in html
    assert stored() == before


def test_the_page_shows_values_history_and_the_form_only_to_who_may_change(
    client_for, head_a, executive, department_a
):
    kpi = KPIFactory(department=department_a, unit="%", name="Resolved on first call")
    services.kpi_value_record(kpi_id=kpi.pk, actor=head_a, week_start=MONDAY, value=61.0)
    url = reverse("accountability:kpi-detail", args=[kpi.pk])

    for_head = client_for(head_a).get(url).content.decode()
    for_executive = client_for(executive).get(url).content.decode()

    assert 'name="value"' in for_head and 'min="0" max="100"' in for_head
    assert f'value="{_this_monday()}"' in for_head
    assert 'name="value"' not in for_executive
    assert "entered 61" in for_executive and "8 Jun 2026" in for_executive


def test_my_department_lists_its_kpis_to_update(client_for, head_a, department_a):
    kpi = KPIFactory(department=department_a, unit="%", name="Resolved on first call")

    html = client_for(head_a).get(reverse("accountability:my-department")).content.decode()

    assert reverse("accountability:kpi-detail", args=[kpi.pk]) in html
    assert "to update" in html
