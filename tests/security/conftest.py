import copy
from collections.abc import Iterator

import pytest
from django.db import transaction

from tests.conftest import (
    new_cco,
    new_contributor,
    new_department_a,
    new_department_b,
    new_executive,
    new_outsider,
)
from tests.security.world import World, build_world


@pytest.fixture(scope="module")
def built_world(django_db_setup, django_db_blocker) -> Iterator[World]:  # type: ignore[no-untyped-def]
    """The world, built once for every test of a module and rolled back after the last.

    Each test runs inside it in a transaction of its own, rolled back as any test's is, so every
    test still meets the world as built: the rows through the database, the objects through
    `world` (a copy for each test, so no test sees what another did to them in memory).
    """
    with django_db_blocker.unblock(), transaction.atomic():
        department_a = new_department_a()
        department_b = new_department_b()
        cco = new_cco()
        yield build_world(
            department_a=department_a,
            department_b=department_b,
            cco=cco,
            executive=new_executive(),
            head_a=department_a.head,
            head_b=department_b.head,
            contributor=new_contributor(department_a),
            outsider=new_outsider(),
        )
        transaction.set_rollback(True)


@pytest.fixture
def world(built_world: World, db: None) -> World:
    return copy.deepcopy(built_world)
