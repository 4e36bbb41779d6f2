import pytest

from tests.security.world import World, build_world


@pytest.fixture
def world(
    department_a, department_b, cco, executive, head_a, head_b, contributor, outsider
) -> World:
    return build_world(
        department_a=department_a,
        department_b=department_b,
        cco=cco,
        executive=executive,
        head_a=head_a,
        head_b=head_b,
        contributor=contributor,
        outsider=outsider,
    )
