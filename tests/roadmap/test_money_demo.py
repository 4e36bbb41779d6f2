"""The demo shows initiatives in money: a positive return, a negative one and one too early,
each read by the rules the pages use, and its board pack lists them."""

import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from overview.board_pack import Quarter, board_pack_data
from roadmap.selectors import initiative_queryset, initiative_row

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_positive_return_a_negative_one_and_one_too_early():
    call_command("seed_demo", "--force", "--responses", "12000", stdout=io.StringIO())
    money = {
        title: initiative_row(initiative_queryset().get(title=title)).money
        for title in ("First-call resolution", "Mobile app rebuild", "Self-service billing")
    }
    assert money["First-call resolution"].ratio.value > 0
    assert money["Mobile app rebuild"].ratio.value < 0
    assert money["Self-service billing"].kind == "too_early"
    assert "judged from" in money["Self-service billing"].reason
    pack = board_pack_data(Quarter.containing(timezone.localdate()).previous())
    titles = {row.initiative.title for row in pack.returns}
    assert {"First-call resolution", "Mobile app rebuild", "Self-service billing"} <= titles
