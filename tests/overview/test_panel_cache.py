"""The overview's panels are computed once per roll-up version and data change.

Warm requests read them from the cache (the same few queries whatever the data size); a moved
roll-up watermark or any saved product data computes them again.
"""

from unittest import mock

import pytest
from django.core.cache import cache

from metrics.services.rollups import rollup_incremental
from overview import panels
from tests.accountability.factories import CXIssueFactory
from tests.overview.world import add_responses


def get_overview(client):
    response = client.get("/?period=30d")
    assert response.status_code == 200
    return response.content.decode()


def test_a_warm_request_does_not_compute_the_panels_again(client_for, executive, journey_world):
    client = client_for(executive)
    with mock.patch.object(panels, "compute_panels", wraps=panels.compute_panels) as compute:
        first = get_overview(client)
        second = get_overview(client)
    assert compute.call_count == 1
    assert first.count("rag-cell") == second.count("rag-cell") > 0


def test_other_filters_are_other_entries(client_for, executive, journey_world):
    client = client_for(executive)
    with mock.patch.object(panels, "compute_panels", wraps=panels.compute_panels) as compute:
        get_overview(client)
        client.get("/?period=90d")
        client.get(f"/?period=30d&journey={journey_world['journey'].slug}")
    assert compute.call_count == 3


def test_new_responses_show_once_the_rollups_fold_them_in(client_for, executive, journey_world):
    client = client_for(executive)
    before = get_overview(client)
    assert "n = 200" in before
    assert "catching up" not in before
    add_responses(journey_world["shop"], [10] * 10)
    # Stored but not rolled up: the cached figures stand, and the page says roll-ups lag.
    lagging = get_overview(client)
    assert "n = 200" in lagging
    assert "The figures are catching up" in lagging
    rollup_incremental(detect=False)
    after = get_overview(client)
    assert "n = 210" in after
    assert "catching up" not in after


def test_saved_data_other_than_responses_refreshes_the_panels(
    client_for, executive, journey_world, department_b
):
    client = client_for(executive)
    get_overview(client)
    with mock.patch.object(panels, "compute_panels", wraps=panels.compute_panels) as compute:
        CXIssueFactory(department=department_b)
        get_overview(client)
    assert compute.call_count == 1


def test_a_sign_in_does_not_empty_the_cache(executive):
    cache.set(panels.GENERATION_KEY, 7)
    executive.save(update_fields=["last_login"])
    assert cache.get(panels.GENERATION_KEY) == 7


def test_the_generation_restarts_when_the_counter_is_missing(department_a):
    cache.delete(panels.GENERATION_KEY)
    department_a.save()
    assert cache.get(panels.GENERATION_KEY) > 7


@pytest.mark.parametrize("extra_responses", [0, 400])
def test_queries_are_the_same_cold_and_warm_whatever_the_data_size(
    client_for, executive, journey_world, django_assert_num_queries, extra_responses
):
    if extra_responses:
        add_responses(journey_world["invoice"], [5] * extra_responses, days_ago=5)
        rollup_incremental(detect=False)
    client = client_for(executive)
    get_overview(client)  # the first request after sign-in writes the session
    cache.clear()
    with django_assert_num_queries(COLD):
        get_overview(client)
    with django_assert_num_queries(WARM):
        get_overview(client)


# Cold: the panels' 18 queries, the follow-up cases' tile (two: its counts, then the median time
# to first contact, both in SQL instead of reading every case), and the two cut-off tables (read
# once, then cached too); plus one for the drivers panel (both outcomes' stored analyses, one row
# each); plus two for the breakdowns by segment and by channel, and one for the segments the
# filter offers (cached by roll-up version, so not on a warm request); plus three for the front
# line panel (blockers, compliments, the latest closed pulse round). The journeys the filter
# offers are read with the panels and cached with them (the select read them on every request),
# so a warm request is the session, the user and the roll-up version only. Two more cold: the
# figures every filter shows alike (say versus do, drivers, follow-ups) are read once per data
# version for all filters, so the follow-up figures come per department as well as overall.
COLD, WARM = 31, 3


def test_htmx_gets_the_panels_alone_and_a_history_restore_the_whole_page(
    client_for, executive, journey_world
):
    client = client_for(executive)
    partial = client.get("/?period=30d", headers={"HX-Request": "true"})
    restore = client.get(
        "/?period=30d", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"}
    )
    assert partial.content.decode().lstrip().startswith('<div id="panels">')
    assert "<html" in restore.content.decode()
    assert 'form class="filters' in restore.content.decode()
    for response in (partial, restore, client.get("/?period=30d")):
        assert {"HX-Request", "HX-History-Restore-Request"} <= {
            v.strip() for v in response["Vary"].split(",")
        }


def test_the_cached_panels_html_differs_for_the_cco_only_where_the_page_does(
    client_for, executive, cco, journey_world
):
    as_executive = get_overview(client_for(executive))
    as_cco = get_overview(client_for(cco))
    again_as_executive = get_overview(client_for(executive))
    assert "import it here" in as_cco
    assert "import it here" not in as_executive
    assert "import it here" not in again_as_executive


def test_a_warm_request_does_not_render_the_panels_again(client_for, executive, journey_world):
    client = client_for(executive)
    client.get("/?period=30d")
    response = client.get("/?period=30d")
    assert "overview/_panels_body.html" not in [t.name for t in response.templates]
    assert response.content.decode().count('class="rag-cell') > 0


def run_queued(enqueue_mock):
    """Run what the roll-up task queued, as a worker would (the broker may be real in CI)."""
    from django.utils.module_loading import import_string

    names = [call.args[0] for call in enqueue_mock.call_args_list]
    for name in names:
        if name == "overview.tasks.overview_warm_task":
            import_string(name)()
    return names


@pytest.mark.parametrize("task", ["rollup_incremental_task", "rollup_rebuild_task"])
def test_a_rollup_task_warms_the_key_the_overview_reads(client_for, executive, journey_world, task):
    from metrics import tasks

    add_responses(journey_world["shop"], [10] * 10)
    cache.clear()
    with mock.patch.object(tasks, "enqueue", return_value=True) as queued:
        getattr(tasks, task)()
        assert "overview.tasks.overview_warm_task" in run_queued(queued)
    filters = panels.DashboardFilterForm(None).filters()
    version, _ = panels.rollup_state()
    warmed = cache.get(panels.cache_key(filters, version))
    assert warmed is not None
    assert warmed["tiles"].responses_total > 0
    # The first reader finds the panels computed, with the new answers in them.
    with mock.patch.object(panels, "compute_panels", wraps=panels.compute_panels) as compute:
        page = client_for(executive).get("/")
    assert page.status_code == 200
    assert compute.call_count == 0


def test_without_the_warm_task_the_first_reader_computes_the_panels(
    client_for, executive, journey_world
):
    from metrics import tasks

    add_responses(journey_world["shop"], [10] * 10)
    cache.clear()
    with mock.patch.object(tasks, "enqueue", return_value=True):
        tasks.rollup_incremental_task()  # queued, never run
    with mock.patch.object(panels, "compute_panels", wraps=panels.compute_panels) as compute:
        client_for(executive).get("/")
    assert compute.call_count == 1


def test_the_warm_task_renders_the_default_view_for_every_kind_of_reader(
    client_for, cco, executive, head_a, contributor, journey_world
):
    cache.clear()
    panels.warm_default_panels()
    pages = {}
    for person in (cco, executive, head_a, contributor):
        response = client_for(person).get("/?view=overview")
        assert response.status_code == 200
        assert "overview/_panels_body.html" not in [t.name for t in response.templates]
        pages[person.username] = response.content.decode()
    # Each reader met the HTML rendered for their kind, not another kind's.
    assert "import it here" in pages[cco.username]
    assert "import it here" not in pages[executive.username]
    pulse_line = "eNPS against customers' NPS"
    assert pulse_line in pages[executive.username] and pulse_line in pages[head_a.username]
    assert pulse_line not in pages[contributor.username]


def test_what_every_filter_shows_alike_is_read_once_per_data_version(
    client_for, executive, journey_world
):
    from overview import shared as shared_module

    client = client_for(executive)
    with mock.patch.object(
        shared_module, "shared_figures", wraps=shared_module.shared_figures
    ) as shared:
        get_overview(client)
        client.get("/?period=90d")
        client.get(f"/?period=30d&journey={journey_world['journey'].slug}")
        assert shared.call_count == 1
        CXIssueFactory()  # any saved change moves the data version on
        get_overview(client)
        assert shared.call_count == 2
