"""Customer outcomes and the say-versus-do roll-up the overview reads."""

import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from metrics.models import CustomerOutcome, Metric, SayDoRollup, SurveyResponse
from metrics.selectors import say_do_summary
from metrics.services.customers import customer_outcomes_import_csv, say_do_rebuild
from overview.charts import say_do_figure
from tests.metrics.factories import TouchpointFactory

AS_OF = date(2026, 11, 1)


def import_text(text: str):
    return customer_outcomes_import_csv(stream=io.StringIO(text), as_of=AS_OF)


def answer(touchpoint, customer_id, score, days_ago):
    SurveyResponse.objects.create(
        touchpoint=touchpoint,
        metric=Metric.NPS,
        score=score,
        customer_id=customer_id,
        responded_at=timezone.now() - timedelta(days=days_ago),
        source="t",
        external_id=f"{customer_id}-{days_ago}",
    )


@pytest.mark.django_db
def test_a_valid_file_saves_every_customer_and_updates_known_ones():
    CustomerOutcome.objects.create(customer_id="C1", retained=False, as_of=date(2026, 1, 1))
    report = import_text("customer_id,retained,revenue\nC1,yes,100.50\nC2,no,\n")
    assert not report.rejected
    assert report.saved == 2
    c1 = CustomerOutcome.objects.get(customer_id="C1")
    assert (c1.retained, str(c1.revenue), c1.as_of) == (True, "100.50", AS_OF)
    assert CustomerOutcome.objects.get(customer_id="C2").revenue is None


@pytest.mark.django_db
def test_columns_are_matched_by_header_in_any_order():
    report = import_text("Revenue,Retained,Customer_ID\n10,1,C9\n")
    assert report.saved == 1
    assert CustomerOutcome.objects.get(customer_id="C9").retained is True


@pytest.mark.django_db
def test_a_file_with_any_bad_row_is_rejected_whole_naming_row_column_and_reason():
    report = import_text(
        "customer_id,retained,revenue\nC1,yes,10\n,no,5\nC3,perhaps,5\nC4,no,-3\nC1,no,1\n"
    )
    assert report.rejected
    assert report.saved == 0
    assert [(e.row, e.column) for e in report.errors] == [
        (3, "customer_id"),
        (4, "retained"),
        (5, "revenue"),
        (6, "customer_id"),
    ]
    assert report.errors[1].reason.startswith("'perhaps' is not yes/no")
    assert "appears twice" in report.errors[3].reason
    assert not CustomerOutcome.objects.exists()


@pytest.mark.django_db
def test_a_wrong_header_is_named():
    report = import_text("id,stayed\nC1,yes\n")
    assert report.header_problem.startswith("missing column(s) customer_id, retained")
    assert not CustomerOutcome.objects.exists()


@pytest.mark.django_db
def test_say_do_places_each_customer_by_their_latest_answer():
    touchpoint = TouchpointFactory()
    answer(touchpoint, "C1", 2, days_ago=30)  # was a detractor …
    answer(touchpoint, "C1", 10, days_ago=1)  # … now a promoter
    answer(touchpoint, "C2", 9, days_ago=3)
    answer(touchpoint, "C3", 4, days_ago=3)
    answer(touchpoint, "C4", 8, days_ago=3)  # passive, but no outcome
    import_text("customer_id,retained,revenue\nC1,yes,1000\nC2,no,500\nC3,no,\nC9,yes,1\n")
    say_do_rebuild()
    rows = {row.category: row for row in SayDoRollup.objects.filter(scope="organisation")}
    assert (rows["promoter"].customers, rows["promoter"].retained) == (2, 1)
    assert rows["promoter"].revenue_total == pytest.approx(1500.0)
    assert (rows["detractor"].customers, rows["detractor"].revenue_customers) == (1, 0)
    assert rows["passive"].customers == 0

    summary = say_do_summary()
    promoters = summary.rows[0]
    assert (promoters.retention, promoters.mean_revenue) == (50.0, 750.0)
    assert summary.matched == 3
    figure = say_do_figure(summary)
    assert figure["data"][0]["x"] == ["Promoters (9–10)", "Detractors (0–6)"]
    assert figure["data"][0]["y"] == [50.0, 0.0]


@pytest.mark.django_db
def test_without_outcomes_the_summary_says_so():
    say_do_rebuild()
    assert say_do_summary().has_outcomes is False


def test_the_cco_imports_customers_on_a_page_and_the_overview_shows_the_panel(
    client_for, cco, django_capture_on_commit_callbacks
):
    touchpoint = TouchpointFactory()
    answer(touchpoint, "C1", 10, days_ago=2)
    client = client_for(cco)
    upload = SimpleUploadedFile("customers.csv", b"customer_id,retained,revenue\nC1,yes,99\n")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/metrics/customers/import/", {"file": upload, "as_of": "2026-11-01"}
        )
    assert response.status_code == 200
    assert "1 customer outcome saved" in response.content.decode()
    assert CustomerOutcome.objects.get(customer_id="C1").retained is True
    html = client.get("/").content.decode()
    assert 'id="figure-saydo"' in html


def test_a_rejected_customer_file_answers_400_with_the_report(client_for, cco):
    upload = SimpleUploadedFile("customers.csv", b"customer_id,retained\nC1,maybe\n")
    response = client_for(cco).post(
        "/metrics/customers/import/", {"file": upload, "as_of": "2026-11-01"}
    )
    assert response.status_code == 400
    assert "Nothing was saved" in response.content.decode()
    assert "&#x27;maybe&#x27; is not yes/no" in response.content.decode()
    assert not CustomerOutcome.objects.exists()


@pytest.mark.parametrize("persona", ["executive", "head_a", "contributor", "outsider"])
def test_only_the_cco_may_import_customer_outcomes(request, client_for, persona):
    response = client_for(request.getfixturevalue(persona)).get("/metrics/customers/import/")
    assert response.status_code == 403


def test_without_outcomes_the_overview_explains_what_data_it_needs(client_for, executive, db):
    html = client_for(executive).get("/").content.decode()
    assert "customer_id,retained,revenue" in html
    assert "which the CCO imports" in html


def test_the_command_imports_and_refuses_a_bad_file(tmp_path, db):
    good = tmp_path / "good.csv"
    good.write_text("customer_id,retained\nC1,yes\n")
    call_command("import_customers", str(good))
    assert CustomerOutcome.objects.count() == 1
    bad = tmp_path / "bad.csv"
    bad.write_text("customer_id,retained\nC2,sometimes\n")
    with pytest.raises(CommandError, match="1 problem"):
        call_command("import_customers", str(bad))
    assert CustomerOutcome.objects.count() == 1


@pytest.mark.django_db
def test_a_customer_file_saved_while_the_broker_is_down_is_still_imported(
    django_capture_on_commit_callbacks,
):
    from unittest import mock

    from kombu.exceptions import OperationalError

    from metrics.tasks import say_do_rebuild_task

    with (
        mock.patch.object(say_do_rebuild_task, "delay", side_effect=OperationalError("down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        report = import_text("customer_id,retained\nC1,yes\n")
    assert report.saved == 1
    assert CustomerOutcome.objects.count() == 1
