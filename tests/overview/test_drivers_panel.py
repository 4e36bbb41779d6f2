"""The drivers panel on the overview: not computed, not enough data, ranked; the cache moves on
after a rebuild; who sees it."""

import pytest
from django.core.cache import cache

from metrics.services.drivers import drivers_rebuild
from tests.metrics.factories import TouchpointFactory
from tests.metrics.test_drivers import population


def get_overview(client):
    response = client.get("/?period=30d")
    assert response.status_code == 200
    return response.content.decode()


def test_before_any_run_the_panel_says_not_computed(client_for, executive):
    page = get_overview(client_for(executive))
    assert "Drivers: which touch points move NPS and retention most" in page
    assert page.count("Not computed yet") == 2


def test_a_rebuild_reaches_a_cached_overview_ranked_and_with_the_refusal(client_for, executive):
    client = client_for(executive)
    touchpoints = [TouchpointFactory(name=f"Point {n}") for n in range(3)]
    population(touchpoints, 40)
    drivers_rebuild()
    page = get_overview(client)
    assert page.count("Not enough data: 40 customers; at least 200 are needed.") == 2
    population(touchpoints, 600, seed=3, driver=2, prefix="E")
    drivers_rebuild()
    page = get_overview(client)  # the same cache entry would still say "not enough data"
    assert "Not enough data" not in page
    assert 'id="figure-drivers-retention"' in page and 'id="figure-drivers-nps"' in page
    first_row = page.split("<tbody><tr><td>1</td><td>", 1)[1]
    assert first_row.split("</a>", 1)[0].endswith("Point 2")


def test_an_outsider_is_refused_the_overview_and_its_drivers(client_for, outsider):
    response = client_for(outsider).get("/?period=30d")
    assert response.status_code == 403
    assert b"drivers-title" not in response.content


@pytest.mark.parametrize("persona", ["cco", "executive", "head_a", "contributor"])
def test_every_role_reads_the_panel_anonymous_is_sent_to_sign_in(request, client_for, persona):
    from django.test import Client

    cache.clear()
    page = get_overview(client_for(request.getfixturevalue(persona)))
    assert "drivers-title" in page
    anonymous = Client().get("/?period=30d")
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]
