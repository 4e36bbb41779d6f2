from datetime import date
from types import SimpleNamespace

import pytest
from django.core.management import CommandError, call_command

from cco.demo import DEPARTMENTS, seed_organisation
from cco.models import Department, Role, User
from metrics import demo as metrics_demo


@pytest.mark.django_db
def test_the_demo_organisation_has_every_department_with_a_head():
    logins = seed_organisation()
    assert Department.objects.count() == len(DEPARTMENTS) == 11
    for department in Department.objects.select_related("head"):
        assert department.head.role == Role.DEPARTMENT_HEAD
        assert department.head.username == f"head-{department.slug}"
        assert department.head.check_password("demo")
    assert User.objects.get(username="cco").role == Role.CCO
    assert User.objects.filter(role=Role.EXECUTIVE).count() == 2
    assert User.objects.filter(role=Role.CONTRIBUTOR).count() >= 11
    assert {login.username for login in logins} >= {"cco", "executive", "head-sales"}


@pytest.mark.django_db
def test_seeding_twice_changes_nothing():
    seed_organisation()
    before = (Department.objects.count(), User.objects.count())
    seed_organisation()
    assert (Department.objects.count(), User.objects.count()) == before


@pytest.mark.django_db
def test_seed_demo_refuses_to_run_in_production_mode(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="refuses to run with DEBUG=0"):
        call_command("seed_demo", "--responses", "0")
    assert not Department.objects.exists()


def test_the_demo_answers_are_the_same_on_every_run():
    touchpoints = [
        SimpleNamespace(pk=pk, slug=f"point-{pk}", typical_nps=10 * (pk % 5)) for pk in range(40)
    ]
    today = date(2026, 12, 2)

    def answers() -> list[tuple]:
        # Everything but the last column, the time the rows were written.
        return [row[:-1] for row in metrics_demo.response_rows(touchpoints, 8000, today)]

    first = answers()
    assert first == answers()
    assert 7900 <= len(first) <= 8100
    assert {row[1] for row in first} == {"nps", "csat", "ces"}
