"""The overview's front-line panel: blockers and compliments for everyone, the eNPS relation
only for pulse readers — the panels' cached HTML kept apart for them."""

import pytest
from django.core.cache import cache

from accountability.services import blockers as blocker_services
from tests.accountability.test_pulse_relation import _world

pytestmark = pytest.mark.django_db


def test_the_panel_counts_blockers_and_shows_the_relation_only_to_pulse_readers(
    client_for, cco, executive, contributor, department_b
):
    _world(cco, 5)
    blocker_services.blocker_raise(actor=contributor, title="Slow", department_id=department_b.pk)
    cache.clear()
    executive_html = client_for(executive).get("/?period=90d&view=overview").content.decode()
    member_html = client_for(contributor).get("/?period=90d&view=overview").content.decode()
    for html in (executive_html, member_html):
        assert "The front line" in html
        assert "<strong>1</strong> blocker not resolved" in html
    assert "r = " in executive_html and "not proof that one drives the other" in executive_html
    assert "r = " not in member_html
