"""The quarterly board pack: its quarter, what it shows (read back from the PDF), who may have
it, and the quarterly email."""

import io
from datetime import date, datetime, time, timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from accountability.models import Decision
from cco.celery import app
from cco.models import User
from metrics.models import CustomerOutcome, Metric, SurveyResponse
from metrics.services.customers import say_do_rebuild
from metrics.services.rollups import rollup_rebuild
from overview.board_pack import Quarter
from overview.board_pack_pdf import board_pack_pdf, board_pack_send
from tests.accountability.factories import CXIssueFactory, MeetingFactory
from tests.conftest import stored
from tests.metrics.factories import TouchpointFactory
from tests.roadmap.factories import ExpectedResultFactory, MilestoneFactory

Q3 = Quarter(2026, 3)
AFTER_Q3 = date(2026, 11, 20)


def text_of(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-Q1", Quarter(2026, 1)),
        ("2026-Q4", Quarter(2026, 4)),
        ("2026-Q0", None),
        ("2026-Q5", None),
        ("26-Q1", None),
        ("2026-q1", None),
        ("2026-Q1x", None),
        ("2026-3", None),
        ("1899-Q4", None),
    ],
)
def test_a_quarter_is_read_only_in_its_one_form(text, expected):
    assert Quarter.parse(text) == expected


def test_a_quarters_days_and_the_quarter_before():
    assert (Q3.start, Q3.end) == (date(2026, 7, 1), date(2026, 9, 30))
    assert (Quarter(2026, 4).end, Quarter(2026, 1).previous()) == (
        date(2026, 12, 31),
        Quarter(2025, 4),
    )
    assert Quarter.containing(date(2026, 10, 1)) == Quarter(2026, 4)


def answers(touchpoint, scores, day, *, segment="", customers=False):
    at = timezone.make_aware(datetime.combine(day, time(12)))
    SurveyResponse.objects.bulk_create(
        SurveyResponse(
            touchpoint=touchpoint,
            metric=Metric.NPS,
            score=score,
            responded_at=at,
            source="t",
            external_id=f"{touchpoint.pk}-{day}-{i}",
            customer_id=f"C{touchpoint.pk}-{day}-{i}" if customers else "",
            segment=segment,
        )
        for i, score in enumerate(scores)
    )


@pytest.fixture
def quarter_of_data(department_a):
    shop = TouchpointFactory(department=department_a, name="Flagship shop", nps_target=20)
    answers(shop, [10] * 40 + [3] * 40, date(2026, 8, 12), customers=True)
    answers(shop, [9] * 50 + [8] * 10, date(2026, 5, 12))
    for response in SurveyResponse.objects.exclude(customer_id=""):
        CustomerOutcome.objects.create(
            customer_id=response.customer_id,
            retained=response.score >= 9 or response.pk % 2 == 0,
            revenue=1000,
            as_of=AS_OF,
        )
    rollup_rebuild(detect=False)
    say_do_rebuild()
    milestone = MilestoneFactory(
        title="New returns desk opened",
        is_key=True,
        due_date=date(2026, 8, 30),
        done_date=date(2026, 8, 20),
    )
    ExpectedResultFactory(initiative=milestone.initiative)
    CXIssueFactory(title="Returns queue over an hour", department=department_a)
    meeting = MeetingFactory()
    Decision.objects.create(
        meeting=meeting,
        text="Staff the returns desk on Saturdays",
        recorded_at=timezone.make_aware(datetime.combine(date(2026, 9, 3), time(10))),
    )
    return shop


AS_OF = date(2026, 10, 1)


@pytest.mark.django_db
def test_the_pack_is_a4_landscape_pages_numbered_with_every_section(quarter_of_data):
    reader, text = text_of(board_pack_pdf(Q3, today=AFTER_Q3))
    pages = len(reader.pages)
    assert pages >= 3
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width), round(height)) == (842, 595)  # A4 turned on its side
    assert f"Page {pages} of {pages}" in text
    for expected in (
        "Customer experience board pack, 2026 Q3",
        "01 Jul 2026 to 30 Sep 2026",
        "Organisation NPS",
        "NPS trend",
        "Flagship shop",
        "Revenue at risk by department",
        "New returns desk opened",
        "Initiative verdicts",
        "Department scorecard",
        "Returns queue over an hour",
        "Staff the returns desk on Saturdays",
    ):
        assert expected in text, expected
    assert "No data for this quarter" not in text
    # The quarter's NPS, from the roll-ups as the overview reads them: 40 promoters, 40
    # detractors → 0, n=80.
    assert "n=80" in text


@pytest.mark.django_db
def test_a_quarter_with_no_data_yields_a_pack_that_says_so():
    reader, text = text_of(board_pack_pdf(Quarter(2025, 2), today=AFTER_Q3))
    assert len(reader.pages) >= 1
    assert "No data for this quarter" in text
    assert "No customer outcomes matched" in text


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["cco", "executive"])
def test_the_cco_and_executives_download_the_pack(request, client_for, role):
    person = request.getfixturevalue(role)
    quarter = Quarter.containing(timezone.localdate()).previous()
    answer = client_for(person).get(reverse("board-pack", args=[quarter.slug]))
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF")
    assert f'filename="board-pack-{quarter.slug}.pdf"' in answer["Content-Disposition"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["head_a", "head_b", "contributor", "outsider"])
def test_everyone_else_is_refused_and_nothing_is_built_or_stored(request, client_for, role):
    person = request.getfixturevalue(role)
    before = stored(SurveyResponse, Decision)
    answer = client_for(person).get(reverse("board-pack", args=["2026-Q1"]))
    assert answer.status_code == 403
    assert not answer.content.startswith(b"%PDF")
    assert stored(SurveyResponse, Decision) == before


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_sign_in(client):
    answer = client.get(reverse("board-pack", args=["2026-Q1"]))
    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse("login"))


@pytest.mark.django_db
@pytest.mark.parametrize("quarter", ["2026-Q5", "2026-3", "Q3-2026", "2026-Q3.pdf"])
def test_a_malformed_quarter_is_not_found(client_for, cco, quarter):
    answer = client_for(cco).get(f"/reports/board-pack/{quarter}.pdf")
    assert answer.status_code == 404


@pytest.mark.django_db
def test_a_quarter_not_started_is_not_found_and_the_current_one_is_built(client_for, cco):
    current = Quarter.containing(timezone.localdate())
    following = Quarter.containing(current.end + timedelta(days=1))
    client = client_for(cco)
    assert client.get(reverse("board-pack", args=[following.slug])).status_code == 404
    assert client.get(reverse("board-pack", args=[current.slug])).status_code == 200


@pytest.mark.django_db
def test_the_quarterly_job_emails_last_quarters_pack_to_executives_and_the_cco(
    cco, executive, head_a, quarter_of_data
):
    executive.email, cco.email, head_a.email = "exec@example.com", "cco@example.com", "h@x.com"
    User.objects.update(email="")  # the meeting's chair, among others, has no address here
    for person in (executive, cco, head_a):
        person.save()
    assert board_pack_send(today=date(2026, 10, 1)) == 2
    [message] = mail.outbox
    assert sorted(message.to) == ["cco@example.com", "exec@example.com"]
    assert "2026 Q3" in message.subject
    [(name, content, kind)] = message.attachments
    assert (name, kind) == ("board-pack-2026-Q3.pdf", "application/pdf")
    assert "Customer experience board pack, 2026 Q3" in text_of(content)[1]


def test_the_board_pack_job_is_on_the_beat_schedule_at_each_quarter_start(db):
    app.loader.import_default_modules()
    entry = app.conf.beat_schedule["board-pack-quarterly"]
    assert entry["task"] == "overview.tasks.board_pack_task"
    assert entry["task"] in app.tasks
    assert entry["schedule"].month_of_year == {1, 4, 7, 10}
    assert entry["schedule"].day_of_month == {1}


@pytest.mark.django_db
def test_the_demos_last_quarter_renders_a_pack_with_every_section_filled():
    from django.core.management import call_command

    call_command("seed_demo", "--force", "--responses", "12000", stdout=io.StringIO())
    quarter = Quarter.containing(timezone.localdate()).previous()
    reader, text = text_of(board_pack_pdf(quarter))
    assert len(reader.pages) >= 3
    assert "No data for this quarter" not in text
    assert "No customer outcomes matched" not in text
    assert "Revenue at risk by department" in text
    assert "Contact centre & customer service" in text
    # The demo's outcomes make the drivers meaningful, and its initiatives carry budgets.
    assert "Retention: rank" in text and "Overall NPS: rank" in text
    assert "not enough data" not in text


@pytest.mark.django_db
def test_the_board_pack_has_both_parts_and_skips_who_opted_out(cco, executive, quarter_of_data):
    from accountability.services.reminders import email_preference_set

    executive.email, cco.email = "exec@example.com", "cco@example.com"
    User.objects.update(email="")
    for person in (executive, cco):
        person.save()
    email_preference_set(person=executive, receive=False)

    assert board_pack_send(today=date(2026, 10, 1)) == 1
    [message] = mail.outbox
    assert message.to == ["cco@example.com"]
    assert "2026 Q3 is attached" in message.body
    [(html, kind)] = message.alternatives
    assert kind == "text/html" and "2026 Q3 is attached" in html
    assert len(message.attachments) == 1


@pytest.mark.django_db
def test_the_pack_carries_the_drivers_and_each_initiatives_budget(quarter_of_data):
    from decimal import Decimal

    from metrics.services.drivers import drivers_rebuild
    from roadmap.models import Initiative
    from tests.metrics.test_drivers import population

    _, text = text_of(board_pack_pdf(Q3, today=AFTER_Q3))
    assert "Retention: the driver analysis has not run yet." in text
    drivers_rebuild()  # 80 customers: refused
    _, text = text_of(board_pack_pdf(Q3, today=AFTER_Q3))
    assert "Retention: not enough data (80 customers; at least 200 are needed)." in text
    points = [TouchpointFactory(name=f"Point {n}") for n in range(3)]
    population(points, 600, driver=1, prefix="B")
    drivers_rebuild()
    Initiative.objects.update(budget=Decimal("250000"))
    _, text = text_of(board_pack_pdf(Q3, today=AFTER_Q3))
    assert "Drivers: which touch points move retention and NPS most" in text
    assert "Retention: rank" in text and "Overall NPS: rank" in text
    assert "1 Point 1" in " ".join(text.split())
    assert "250,000" in text
