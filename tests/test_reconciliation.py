"""One truth: the same figure read through every page, CSV and API answer is the same.

The demo organisation is seeded (its last 100 days, at full daily volume), then each
department's scorecard is read four ways — the overview's CSV for the scorecard's window, the
accountability scorecard's CSV, its API answer and its page — and each touch point's headline
through the list page and the API's score.
"""

import csv
import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django.utils.html import escape

from accountability.selectors import SCORECARD_WINDOW_DAYS
from cco.models import Department, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    call_command("seed_demo", "--days", "100", "--force", stdout=io.StringIO())
    return User.objects.get(username="executive")


def read_csv(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.content[:300]
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_every_department_reads_the_same_on_the_overview_and_the_scorecard(client, demo):
    client.force_login(demo)
    today = timezone.localdate()
    start = today - timedelta(days=SCORECARD_WINDOW_DAYS)
    overview = read_csv(
        client.get(
            "/overview/scorecard.csv",
            {"period": "custom", "start": start.isoformat(), "end": today.isoformat()},
        )
    )
    scorecard = read_csv(client.get("/accountability/scorecard.csv"))
    departments = set(Department.objects.values_list("name", flat=True))

    assert {row["department"] for row in overview} == departments
    assert overview == scorecard

    # The accountability scorecard's API and page give the same on-time figure and open issues.
    api = client.get("/api/accountability-scorecard/").json()
    by_name = {row["department"]: row for row in scorecard}
    assert len(api) == len(departments)
    page = client.get("/accountability/scorecard/").content.decode()
    for entry in api:
        name = entry["department_name"]
        row = by_name[name]
        if entry["due_count"]:
            expected = f"{entry['on_time_pct']:.0f}% ({entry['done_on_time']}/{entry['due_count']})"
        else:
            expected = "none due"
        assert row["Actions on time"] == expected, name
        assert row["Open CX issues"] == str(entry["open_issues"]), name
        assert escape(name) in page
    # Something is really being compared: the demo has work due and issues open.
    assert any(row["Actions on time"] != "none due" for row in scorecard)
    assert any(row["Open CX issues"] != "0" for row in scorecard)
