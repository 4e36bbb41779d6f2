import pytest
from django.core.management import CommandError, call_command

from cco.demo import DEPARTMENTS, seed_organisation
from cco.models import Department, Role, User


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
